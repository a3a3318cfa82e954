package dev.nube.engine.api;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class of API tests without guests: one engine (no KVM probe) on {@code dir/home} for all its tests, its API
 * served on a free port with a fresh key ({@link #api}). A subclass's own {@code @BeforeAll} runs after this one's.
 */
public abstract class ApiTestBase {
    @TempDir
    protected static Path dir;
    protected static Engine engine;
    protected static ApiTestSupport api;

    @BeforeAll
    static void serveApi() throws Exception {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
        api = ApiTestSupport.start(engine, dir);
    }

    @AfterAll
    static void closeApi() {
        if (api != null) {
            api.close();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
