package dev.nube.engine.tasks;

import java.util.List;

/**
 * The long operations under way and those finished lately (snapshots, copies to other regions, images). They run
 * in the engine whatever the console shows; each change is published as {@link TaskChanged}. Thread-safe.
 */
public interface TaskService {
    /** Running tasks and finished ones not yet cleared, oldest first. */
    List<Task> list();

    /**
     * Asks a running task to stop; it ends {@code CANCELLED} once what it made is removed (a cancelled copy leaves
     * nothing behind). Throws {@code InvalidTask.NotFound} for an unknown id; a task that has ended or cannot be
     * cancelled is left as it is (false).
     */
    boolean cancel(String taskId);

    /** Removes the finished tasks from the list. */
    void clearFinished();
}
