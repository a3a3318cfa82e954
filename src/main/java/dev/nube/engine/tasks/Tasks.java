package dev.nube.engine.tasks;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.EventBus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs long operations on a few background threads ({@link #PARALLEL} at once, the rest wait their turn) and keeps
 * the list the tasks panel shows. Progress events are published at most every {@link #EVENT_EVERY_NANOS} per task,
 * and always at the end. Cancelling interrupts the work's thread; the work removes what it made and ends by throwing
 * {@link InterruptedException} (or {@link java.util.concurrent.CancellationException}).
 */
public final class Tasks implements TaskService, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Tasks.class.getName());
    /** How many tasks run at once: each reads and writes whole disks, and this machine has few cores. */
    public static final int PARALLEL = 2;
    private static final long EVENT_EVERY_NANOS = 100_000_000;
    /** Finished tasks kept in the list at most (the oldest finished go first). */
    private static final int KEEP_FINISHED = 50;

    /** Reports how far a task has come; its work calls {@link #report} as it goes. */
    public interface Progress {
        /** {@code fraction} from 0 to 1 (negative: not known), {@code step} in words. */
        void report(double fraction, String step);

        /** Throws {@link InterruptedException} when the task was cancelled (or the engine is closing). */
        void checkCancelled() throws InterruptedException;
    }

    /**
     * Runs {@code commit} with the thread's interrupt put aside, and sets it again afterwards: for the last steps of
     * a task's work (a rename, a document), which a cancel arriving meanwhile must not cut in half.
     */
    public static <T> T uninterrupted(java.util.concurrent.Callable<T> commit) throws Exception {
        boolean interrupted = Thread.interrupted();
        try {
            return commit.call();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code whole} seen through a part of the work: fractions 0..1 reported here are {@code from..from+span} there. */
    public static Progress part(Progress whole, double from, double span) {
        return new Progress() {
            @Override
            public void report(double fraction, String step) {
                whole.report(fraction < 0 ? fraction : from + span * Math.min(1, fraction), step);
            }

            @Override
            public void checkCancelled() throws InterruptedException {
                whole.checkCancelled();
            }
        };
    }

    /** The work of a task: returns what it made in words (the task's message), or throws why it failed. */
    public interface Work {
        String run(Progress progress) throws Exception;
    }

    private final EventBus events;
    private final ExecutorService threads;
    private final AtomicLong nextId = new AtomicLong();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, Future<?>> futures = new LinkedHashMap<>();
    /** Tasks whose work has begun on a thread (a cancel interrupts them; the others are dropped from the queue). */
    private final java.util.Set<String> started = new java.util.HashSet<>();
    /** What to undo for each task that has not begun, should it never run. */
    private final Map<String, Runnable> abandonments = new java.util.HashMap<>();
    /** Tasks asked to stop: whatever their work throws then (a closed channel, often), they end cancelled. */
    private final java.util.Set<String> cancelRequested = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Tasks(EventBus events) {
        this.events = events;
        AtomicLong threadNumber = new AtomicLong();
        this.threads = new ThreadPoolExecutor(PARALLEL, PARALLEL, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "task " + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ((ThreadPoolExecutor) threads).allowCoreThreadTimeOut(true);
    }

    /**
     * Starts {@code work} in the background and returns its task at once ("Waiting" until a thread is free).
     * {@code resourceId} is what the task makes or works on, for the panel to link to.
     */
    public Task start(String title, String region, String resourceId, boolean cancellable, Work work) {
        return start(title, region, resourceId, cancellable, work, () -> { });
    }

    /**
     * As {@link #start(String, String, String, boolean, Work)}; {@code abandoned} runs instead of the work when the
     * task is cancelled before it began, or the engine closes while it waits its turn: it removes what was
     * registered for the work (a pending snapshot, a volume being created).
     */
    public Task start(String title, String region, String resourceId, boolean cancellable, Work work,
                      Runnable abandoned) {
        String id = "task-" + nextId.incrementAndGet();
        Task task = new Task(id, title, region, resourceId, -1, "Waiting", Task.Status.RUNNING, null, Instant.now(),
                null, cancellable);
        List<Task> trimmed;
        synchronized (this) {
            tasks.put(id, task);
            abandonments.put(id, abandoned);
            trimmed = trim();
            futures.put(id, threads.submit(() -> run(id, work)));
        }
        events.publish(new TaskChanged(task, false));
        trimmed.forEach(t -> events.publish(new TaskChanged(t, true)));
        return task;
    }

    private void run(String id, Work work) {
        synchronized (this) {
            if (!futures.containsKey(id)) {
                return; // cancelled while it waited
            }
            started.add(id);
            abandonments.remove(id);
        }
        long[] lastEvent = {0};
        Progress progress = new Progress() {
            @Override
            public void report(double fraction, String step) {
                Task now = update(id, t -> t.progressed(fraction, step));
                long at = System.nanoTime();
                if (now != null && at - lastEvent[0] >= EVENT_EVERY_NANOS) {
                    lastEvent[0] = at;
                    events.publish(new TaskChanged(now, false));
                }
            }

            @Override
            public void checkCancelled() throws InterruptedException {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("cancelled");
                }
            }
        };
        Task.Status status;
        String message;
        try {
            progress.report(-1, "Starting");
            message = work.run(progress);
            status = Task.Status.SUCCEEDED;
        } catch (InterruptedException | java.util.concurrent.CancellationException e) {
            status = Task.Status.CANCELLED;
            message = "Cancelled; nothing of it was kept.";
        } catch (Exception | Error e) {
            if (cancelRequested.contains(id) || e instanceof java.nio.channels.ClosedByInterruptException) {
                status = Task.Status.CANCELLED;
                message = "Cancelled; nothing of it was kept.";
            } else if (e instanceof EngineException) {
                status = Task.Status.FAILED;
                message = e.getMessage();
            } else {
                LOG.log(System.Logger.Level.WARNING, "task " + id + " failed", e);
                status = Task.Status.FAILED;
                message = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        cancelRequested.remove(id);
        Task.Status outcome = status;
        String text = message;
        Task ended = update(id, t -> t.ended(outcome, text));
        synchronized (this) {
            futures.remove(id);
            started.remove(id);
        }
        Thread.interrupted(); // a cancel that came after the work ended must not reach the pool's next task
        if (ended != null) {
            events.publish(new TaskChanged(ended, false));
        }
    }

    private synchronized Task update(String id, java.util.function.UnaryOperator<Task> change) {
        Task t = tasks.get(id);
        if (t == null) {
            return null;
        }
        Task changed = change.apply(t);
        tasks.put(id, changed);
        return changed;
    }

    /** Drops the oldest finished tasks beyond {@link #KEEP_FINISHED}; returns them (to be announced as removed). */
    private List<Task> trim() {
        List<Task> removed = new ArrayList<>();
        long finished = tasks.values().stream().filter(t -> t.status().finished()).count();
        var it = tasks.values().iterator();
        while (finished > KEEP_FINISHED && it.hasNext()) {
            Task t = it.next();
            if (t.status().finished()) {
                it.remove();
                removed.add(t);
                finished--;
            }
        }
        return removed;
    }

    @Override
    public synchronized List<Task> list() {
        return new ArrayList<>(tasks.values());
    }

    /** The task by id; throws {@code InvalidTask.NotFound}. */
    public synchronized Task get(String taskId) {
        Task t = tasks.get(taskId);
        if (t == null) {
            throw new EngineException("InvalidTask.NotFound", "There is no task '" + taskId + "'.");
        }
        return t;
    }

    @Override
    public boolean cancel(String taskId) {
        Task t = get(taskId);
        Future<?> running;
        boolean begun;
        synchronized (this) {
            running = futures.get(taskId);
            if (t.status().finished() || !t.cancellable() || running == null) {
                return false;
            }
            begun = started.contains(taskId);
            if (!begun) {
                futures.remove(taskId); // its run, when the pool gets to it, finds it gone and does nothing
            }
        }
        if (begun) {
            cancelRequested.add(taskId);
            Task cancelling = update(taskId, x -> x.progressed(x.fraction(), "Cancelling"));
            if (cancelling != null) {
                events.publish(new TaskChanged(cancelling, false));
            }
            running.cancel(true); // interrupts the work, which removes what it made and ends the task
            return true;
        }
        running.cancel(false);
        Runnable undo;
        synchronized (this) {
            undo = abandonments.remove(taskId);
        }
        abandon(taskId, undo);
        Task ended = update(taskId, x -> x.ended(Task.Status.CANCELLED, "Cancelled before it started."));
        if (ended != null) {
            events.publish(new TaskChanged(ended, false));
        }
        return true;
    }

    @Override
    public void clearFinished() {
        List<Task> removed = new ArrayList<>();
        synchronized (this) {
            var it = tasks.values().iterator();
            while (it.hasNext()) {
                Task t = it.next();
                if (t.status().finished()) {
                    removed.add(t);
                    it.remove();
                }
            }
        }
        removed.forEach(t -> events.publish(new TaskChanged(t, true)));
    }

    /** Waits until the task has ended, at most {@code timeoutMillis}; returns it as it is then. */
    public Task await(String taskId, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            Task t = get(taskId);
            if (t.status().finished()) {
                return t;
            }
            Thread.sleep(20);
        }
        return get(taskId);
    }

    private static void abandon(String taskId, Runnable undo) {
        if (undo != null) {
            try {
                undo.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "undoing task " + taskId + " that never ran", e);
            }
        }
    }

    /**
     * Interrupts the work under way (it removes what it made), undoes what was registered for tasks that never ran,
     * and waits a little for the work to end.
     */
    @Override
    public void close() {
        threads.shutdownNow();
        Map<String, Runnable> neverRan;
        synchronized (this) {
            neverRan = new LinkedHashMap<>(abandonments);
            abandonments.clear();
        }
        neverRan.forEach(Tasks::abandon);
        try {
            threads.awaitTermination(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
