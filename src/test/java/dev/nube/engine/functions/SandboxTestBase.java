package dev.nube.engine.functions;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class of real sandboxed functions: one data folder and one functions engine for all its tests (see
 * {@link FunctionsFixture}), opened before the first and closed after the last. Classes run one after another, so
 * the shared static fields belong to the class running.
 */
@Tag("sandbox")
abstract class SandboxTestBase {
    @TempDir
    static Path dir;
    static FunctionsFixture f;

    @BeforeAll
    static void openEngine() {
        f = new FunctionsFixture(dir);
    }

    @AfterAll
    static void closeEngine() {
        f.close();
    }
}
