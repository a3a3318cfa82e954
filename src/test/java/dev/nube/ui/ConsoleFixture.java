package dev.nube.ui;

import dev.nube.NubeApp;
import dev.nube.engine.Engine;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.FxTaskExecutor;
import dev.nube.ui.common.UiEvents;
import dev.nube.ui.shell.ShellView;
import dev.nube.ui.shell.ShellViewModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The whole console, composed as {@link NubeApp} composes it, over a real engine in a temporary data folder, shown in
 * a TestFX stage. Tests drive it as a person would and read what is on screen.
 */
public final class ConsoleFixture implements AutoCloseable {
    private final Engine engine;
    private final FxTaskExecutor tasks = new FxTaskExecutor();
    private final ShellViewModel shell;
    private final ShellView view;

    public ConsoleFixture(Path home, Stage stage) {
        engine = Engine.open(home);
        UiEvents events = new UiEvents(engine.events(), Platform::runLater);
        view = NubeApp.console(engine, tasks, events, new ConsoleSettingsStore(engine.consoleSettings()));
        shell = view.model();
        Scene scene = new Scene(view, 1280, 800);
        NubeApp.style(scene, shell);
        stage.setScene(scene);
        stage.show();
    }

    public Engine engine() {
        return engine;
    }

    public ShellViewModel shell() {
        return shell;
    }

    public ShellView view() {
        return view;
    }

    /** Waits (up to 30 s) until {@code condition} holds, evaluated on the FX thread. */
    public static void waitUntil(String what, Callable<Boolean> condition) {
        waitUntil(what, 30, condition);
    }

    /** Waits up to {@code seconds} until {@code condition} holds, evaluated on the FX thread. */
    public static void waitUntil(String what, long seconds, Callable<Boolean> condition) {
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out waiting until " + what, e);
        }
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Override
    public void close() {
        WaitForAsyncUtils.asyncFx(() -> view.workspace().closeAll());
        WaitForAsyncUtils.waitForFxEvents();
        tasks.shutdown();
        engine.close();
    }
}
