package dev.nube.ui.common;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * The console's {@link TaskExecutor}: a pool of daemon threads named {@code nube-task-N}; callbacks land on the FX
 * thread through {@link Platform#runLater}.
 */
public final class FxTaskExecutor implements TaskExecutor {
    private static final System.Logger LOG = System.getLogger(FxTaskExecutor.class.getName());
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "nube-task-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess,
                                  Consumer<? super Throwable> onFailure) {
        AtomicReference<Future<?>> future = new AtomicReference<>();
        Handle handle = new Handle(future);
        if (pool.isShutdown()) {
            handle.cancel(); // the console is closing: nothing new starts
            return handle;
        }
        future.set(pool.submit(() -> {
            try {
                T result = work.call();
                Platform.runLater(() -> {
                    if (!handle.isCancelled()) {
                        onSuccess.accept(result);
                    }
                });
            } catch (Throwable e) { // reported to the caller, whatever it is: the UI must hear of every failure
                if (!(e instanceof dev.nube.engine.EngineException)) {
                    LOG.log(System.Logger.Level.WARNING, "background task failed", e);
                }
                Platform.runLater(() -> {
                    if (!handle.isCancelled()) {
                        onFailure.accept(e);
                    }
                });
            }
        }));
        return handle;
    }

    @Override
    public void shutdown() {
        pool.shutdownNow();
    }

    private static final class Handle implements Cancellable {
        private final AtomicReference<Future<?>> future;
        private volatile boolean cancelled;

        Handle(AtomicReference<Future<?>> future) {
            this.future = future;
        }

        @Override
        public void cancel() {
            cancelled = true;
            Future<?> f = future.get();
            if (f != null) {
                f.cancel(true);
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
