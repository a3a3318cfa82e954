package dev.nube.engine.compute;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/** A VM test class: one data folder and one engine for all its tests (see {@link VmTestSupport}). */
@Tag("vm")
abstract class VmTestBase {
    @TempDir
    static Path home;
    static VmTestSupport vm;

    @BeforeAll
    static void openEngine() {
        vm = new VmTestSupport(home);
    }

    @AfterAll
    static void terminateAllAndClose() {
        vm.close();
    }
}
