package dev.nube.engine.compute.instances;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM test class: one data folder and one engine for all its tests (see {@link VmTestSupport}). The data folder's
 * name has a comma and a space, which QEMU's option lists and the metadata relay's command line must survive.
 */
@Tag("vm")
abstract class VmTestBase {
    @TempDir
    static Path temp;
    static Path home;
    static VmTestSupport vm;

    @BeforeAll
    static void openEngine() {
        home = temp.resolve("data, with a comma");
        vm = new VmTestSupport(home);
    }

    @AfterAll
    static void terminateAllAndClose() {
        vm.close();
    }
}
