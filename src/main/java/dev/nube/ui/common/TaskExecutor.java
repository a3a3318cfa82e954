package dev.nube.ui.common;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs engine work off the UI thread and reports back on it. The one way views and view models reach the engine:
 * the FX thread never waits on an engine call, an SSH connect or a file copy.
 */
public interface TaskExecutor {
    /**
     * Runs {@code work} in the background; then {@code onSuccess} or {@code onFailure} runs on the UI thread, unless
     * the returned handle was cancelled first.
     */
    <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Throwable> onFailure);

    /** Stops background work; tasks still running are interrupted. */
    void shutdown();

    /** A submitted task; cancelling interrupts it and drops its callbacks. */
    interface Cancellable {
        void cancel();

        boolean isCancelled();
    }
}
