package dev.nube.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Everything one owner opened, released together in the reverse order of opening: the engine's services, a running
 * instance's QMP connection, metadata server and watcher, an execution environment's limits, Runtime API server and
 * output pump. Errors are collected and never stop the rest. Thread-safe: actions may be added and released from any
 * thread, each action runs once and outside the lock (it may block); releasing twice is harmless.
 */
public final class CleanupList implements AutoCloseable {
    private final Deque<Step> steps = new ArrayDeque<>();

    private record Step(String what, AutoCloseable action) {
    }

    /** Registers {@code action}, described as {@code what} in error messages; null is ignored. */
    public synchronized void add(String what, AutoCloseable action) {
        if (action == null) {
            return; // nothing was opened
        }
        steps.push(new Step(what, action));
    }

    /**
     * Runs every registered action, last first; returns the errors ("closing X: message"), empty when all went well.
     */
    public List<String> release() {
        return release((message, error) -> { });
    }

    /** As {@link #release()}, also handing each error to {@code onError} with its exception, as it happens. */
    public List<String> release(BiConsumer<String, Exception> onError) {
        List<String> errors = new ArrayList<>();
        while (true) {
            Step step;
            synchronized (this) {
                step = steps.poll();
            }
            if (step == null) {
                return errors;
            }
            try {
                step.action().close();
            } catch (Exception e) {
                String message = "closing " + step.what() + ": " + e.getMessage();
                errors.add(message);
                onError.accept(message, e);
            }
        }
    }

    @Override
    public void close() {
        release();
    }
}
