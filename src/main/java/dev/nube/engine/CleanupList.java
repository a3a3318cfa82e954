package dev.nube.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Everything a running instance opened in this engine (QMP connection, metadata server, watcher), released together
 * in the reverse order of opening. Errors are collected, never stop the rest. Thread-safe; closing twice is harmless.
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

    /** Runs every registered action, last first; returns the errors ("closing X: message"), empty when all went well. */
    public List<String> release() {
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
                errors.add("closing " + step.what() + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        release();
    }
}
