package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionUrl;
import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.UiEvents;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Function URL section's view model over a real engine, without a toolkit: the form creates the URL with its auth
 * type and CORS settings, saves changes to it (the address stays), shows the engine's refusal, and deletes it.
 */
class FunctionUrlViewModelTest {
    private static final String REGION = "local-1";
    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void theFormCreatesChangesAndDeletesTheUrl() {
        engine.functions().create(REGION, CreateFunctionRequest.of("site", PYTHON));
        FunctionScope scope = new FunctionScope(REGION, "site", engine.functions(), engine.functionCode(),
                engine.functionMonitor(), new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run));
        FunctionUrlViewModel model = new FunctionUrlViewModel(scope, engine.functionUrls());
        model.reload();
        assertNull(model.urlProperty().get());
        assertFalse(model.existsProperty().get());

        model.corsProperty().set(true);
        model.allowOriginsProperty().set("https://a.example, https://b.example");
        model.allowMethodsProperty().set("get,post");
        model.maxAgeProperty().set("60");
        model.create();
        assertEquals("Function URL created.", model.statusProperty().get());
        FunctionUrl made = engine.functionUrls().get(REGION, "site");
        assertEquals(made.url(), model.address());
        assertTrue(model.address().matches("http://[a-z0-9]{32}\\.lambda-url\\.local-1\\.localhost:\\d+/"));
        assertEquals(AuthType.NONE, made.config().authType());
        assertEquals(List.of("https://a.example", "https://b.example"), made.config().cors().allowOrigins());
        assertEquals(List.of("GET", "POST"), made.config().cors().allowMethods());
        assertEquals(60, made.config().cors().maxAge());

        model.authTypeProperty().set(AuthType.AWS_IAM);
        model.corsProperty().set(false);
        model.save();
        FunctionUrl saved = engine.functionUrls().get(REGION, "site");
        assertEquals(AuthType.AWS_IAM, saved.config().authType());
        assertNull(saved.config().cors(), "CORS turned off removes the settings");
        assertEquals(made.url(), saved.url(), "the address stays");

        model.corsProperty().set(true);
        model.maxAgeProperty().set("90000");
        model.save();
        assertTrue(model.statusProperty().get().contains("MaxAge"), model.statusProperty().get());
        assertNull(engine.functionUrls().get(REGION, "site").config().cors(), "a refused change changes nothing");

        model.delete();
        assertNull(model.urlProperty().get());
        assertTrue(engine.functionUrls().find(REGION, "site").isEmpty());
        assertEquals("Function URL deleted.", model.statusProperty().get());
    }
}
