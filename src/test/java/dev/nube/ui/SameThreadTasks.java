package dev.nube.ui;

import dev.nube.ui.common.TaskExecutor;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A {@link TaskExecutor} that runs work and callbacks at once on the caller's thread, so view models are tested
 * without a toolkit: when a command returns, its work is done and its callback has run.
 */
public final class SameThreadTasks implements TaskExecutor {
    @Override
    public <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess,
                                  Consumer<? super Throwable> onFailure) {
        T result;
        try {
            result = work.call();
        } catch (Exception e) {
            onFailure.accept(e);
            return done();
        }
        onSuccess.accept(result);
        return done();
    }

    private static Cancellable done() {
        return new Cancellable() {
            @Override
            public void cancel() {
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }

    @Override
    public void shutdown() {
    }
}
