package dev.nube.ui;

import dev.nube.NubeApp;
import dev.nube.engine.Engine;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.FxTaskExecutor;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.common.UiEvents;
import dev.nube.ui.shell.ShellView;
import dev.nube.ui.shell.ShellViewModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
    private final TrackedTasks tasks = new TrackedTasks();
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

    /**
     * Waits until every task the console submitted is done, its callback included, and the FX queue is drained. A
     * command starts its engine work from the FX thread before returning, so once this returns, work a click would
     * have started (a delete after Cancel, say) has finished: asserting that it did not happen proves it.
     */
    public void waitUntilIdle() {
        waitUntil("the console's tasks are done", () -> tasks.unfinished() == 0);
    }

    @Override
    public void close() {
        WaitForAsyncUtils.asyncFx(() -> view.workspace().closeAll());
        WaitForAsyncUtils.waitForFxEvents();
        tasks.shutdown();
        engine.close();
    }

    /**
     * The console's executor, counting the tasks not done yet: submitted, not cancelled, and callback not run. A
     * callback that submits more work counts the new task before its own ends, so the count never touches zero early.
     */
    private static final class TrackedTasks implements TaskExecutor {
        private final FxTaskExecutor delegate = new FxTaskExecutor();
        private final AtomicInteger unfinished = new AtomicInteger();

        int unfinished() {
            return unfinished.get();
        }

        @Override
        public <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess,
                                      Consumer<? super Throwable> onFailure) {
            AtomicBoolean done = new AtomicBoolean();
            Runnable finish = () -> {
                if (done.compareAndSet(false, true)) {
                    unfinished.decrementAndGet();
                }
            };
            unfinished.incrementAndGet();
            Cancellable handle = delegate.submit(work, result -> {
                try {
                    onSuccess.accept(result);
                } finally {
                    finish.run();
                }
            }, failure -> {
                try {
                    onFailure.accept(failure);
                } finally {
                    finish.run();
                }
            });
            if (handle.isCancelled()) {
                finish.run(); // refused: the executor is shut down
            }
            return new Cancellable() {
                @Override
                public void cancel() {
                    handle.cancel();
                    finish.run(); // a cancelled task's callback never runs
                }

                @Override
                public boolean isCancelled() {
                    return handle.isCancelled();
                }
            };
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }
}
