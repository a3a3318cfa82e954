package dev.nube.ui.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.store.EventBus;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.TaskChanged;
import dev.nube.engine.tasks.TaskService;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.common.UiEvents;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import javafx.beans.property.SimpleStringProperty;
import org.junit.jupiter.api.Test;

/**
 * The tasks panel's model without a toolkit: the list read once and kept current by events, whatever order they
 * arrive in, and the commands reaching the engine.
 */
class TasksViewModelTest {
    private final EventBus bus = new EventBus();
    private final FakeTasks service = new FakeTasks();

    private TasksViewModel model(TaskExecutor executor) {
        return new TasksViewModel(service, new ConsoleContext(executor, new UiEvents(bus, Runnable::run),
                new SimpleStringProperty("local-1"), null));
    }

    private static Task task(String id, Task.Status status, double fraction) {
        return new Task(id, "Snapshot vol-1", "local-1", "snap-1", fraction, "Compressing the disk", status,
                status.finished() ? "done" : null, Instant.EPOCH, status.finished() ? Instant.EPOCH : null,
                !status.finished());
    }

    private void publish(Task task) {
        bus.publish(new TaskChanged(task, false));
    }

    @Test
    void followsTheEngineFromTheFirstListing() {
        service.tasks.add(task("task-1", Task.Status.RUNNING, -1));
        TasksViewModel model = model(new SameThreadTasks());
        assertEquals(List.of("task-1"), ids(model));
        assertEquals(1, model.runningProperty().get());

        publish(task("task-1", Task.Status.RUNNING, 0.5));
        publish(task("task-2", Task.Status.RUNNING, -1));
        assertEquals(List.of("task-1", "task-2"), ids(model), "a new task is appended");
        assertEquals(0.5, model.tasks().get(0).fraction(), "a change replaces its row in place");
        assertEquals(2, model.runningProperty().get());

        publish(task("task-1", Task.Status.SUCCEEDED, 1));
        publish(task("task-1", Task.Status.RUNNING, 0.9)); // published before the end, arriving after it
        assertEquals(Task.Status.SUCCEEDED, model.tasks().get(0).status(), "a finished task does not run again");
        assertEquals(1, model.runningProperty().get());

        bus.publish(new TaskChanged(task("task-1", Task.Status.SUCCEEDED, 1), true));
        publish(task("task-1", Task.Status.SUCCEEDED, 1)); // a late copy of its end
        assertEquals(List.of("task-2"), ids(model), "a cleared task does not come back");
    }

    @Test
    void eventsDuringTheFirstListingAreAppliedAfterIt() {
        HeldTasks executor = new HeldTasks();
        service.tasks.add(task("task-1", Task.Status.RUNNING, 0.2));
        TasksViewModel model = model(executor);
        // The listing was read (task-1 running); before its answer lands, task-1 ends and task-2 starts.
        publish(task("task-1", Task.Status.FAILED, 0.2));
        publish(task("task-2", Task.Status.RUNNING, -1));
        assertTrue(model.tasks().isEmpty(), "nothing shows before the listing");
        executor.runAll();
        assertEquals(List.of("task-1", "task-2"), ids(model));
        assertEquals(Task.Status.FAILED, model.tasks().get(0).status(), "the listing's older state is not kept");
        assertEquals(1, model.runningProperty().get());
    }

    @Test
    void cancelAndClearReachTheEngine() {
        service.tasks.add(task("task-1", Task.Status.RUNNING, 0.5));
        service.tasks.add(task("task-2", Task.Status.SUCCEEDED, 1));
        TasksViewModel model = model(new SameThreadTasks());
        model.cancel(model.tasks().get(0));
        assertEquals(List.of("task-1"), service.cancelled);
        assertEquals(Task.Status.CANCELLED, model.tasks().get(0).status(), "the engine's event ends it");
        model.clearFinished();
        assertTrue(model.tasks().isEmpty());
        assertEquals(0, model.runningProperty().get());
        assertEquals("", model.failureProperty().get());
    }

    private static List<String> ids(TasksViewModel model) {
        return model.tasks().stream().map(Task::id).toList();
    }

    /** A task service whose changes are published on the test's bus, as the engine's are. */
    private final class FakeTasks implements TaskService {
        final List<Task> tasks = new ArrayList<>();
        final List<String> cancelled = new ArrayList<>();

        @Override
        public List<Task> list() {
            return List.copyOf(tasks);
        }

        @Override
        public boolean cancel(String taskId) {
            cancelled.add(taskId);
            Task ended = task(taskId, Task.Status.CANCELLED, 0.5);
            tasks.replaceAll(t -> t.id().equals(taskId) ? ended : t);
            publish(ended);
            return true;
        }

        @Override
        public void clearFinished() {
            List<Task> finished = tasks.stream().filter(t -> t.status().finished()).toList();
            tasks.removeAll(finished);
            finished.forEach(t -> bus.publish(new TaskChanged(t, true)));
        }
    }

    /** Runs each task's work at once but holds its callback until {@link #runAll}, as a slow answer would land. */
    private static final class HeldTasks implements TaskExecutor {
        private final Queue<Runnable> callbacks = new ArrayDeque<>();

        @Override
        public <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess,
                                      Consumer<? super Throwable> onFailure) {
            try {
                T result = work.call();
                callbacks.add(() -> onSuccess.accept(result));
            } catch (Exception e) {
                callbacks.add(() -> onFailure.accept(e));
            }
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

        void runAll() {
            while (!callbacks.isEmpty()) {
                callbacks.remove().run();
            }
        }

        @Override
        public void shutdown() {
        }
    }
}
