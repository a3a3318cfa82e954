package dev.nube.ui.tasks;

import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.TaskChanged;
import dev.nube.engine.tasks.TaskService;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The tasks panel: the engine's long operations of every region (running ones and those finished and not cleared),
 * oldest first, kept current by {@link TaskChanged} events for as long as the console runs, whatever page is shown;
 * cancel and clear finished as commands. The list is read once; an event replaces its task's row in place, appends a
 * new task, or removes a cleared one. FX thread only; engine calls run on the task executor.
 */
public final class TasksViewModel {
    private final TaskService service;
    private final ConsoleContext context;
    private final ObservableList<Task> tasks = FXCollections.observableArrayList();
    private final ObservableList<Task> tasksView = FXCollections.unmodifiableObservableList(tasks);
    private final ReadOnlyIntegerWrapper running = new ReadOnlyIntegerWrapper();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    /** Cleared tasks: an event about one that arrives late (ids are never reused) must not bring it back. */
    private final Set<String> cleared = new HashSet<>();
    /** Events that came while the list was read, the last per task, applied once it answers; null once it has. */
    private Map<String, TaskChanged> heldBack = new LinkedHashMap<>();

    public TasksViewModel(TaskService service, ConsoleContext context) {
        this.service = service;
        this.context = context;
        // Subscribed before the list is read, so no change falls between the two.
        context.events().on(TaskChanged.class, this::changed);
        context.tasks().submit(service::list, this::listed, error -> {
            failure.set("The tasks could not be read: " + Errors.message(error));
            listed(List.of());
        });
    }

    private void changed(TaskChanged event) {
        if (heldBack != null) {
            heldBack.put(event.task().id(), event);
        } else {
            apply(event);
        }
    }

    private void listed(List<Task> listed) {
        tasks.setAll(listed);
        List<TaskChanged> later = new ArrayList<>(heldBack.values());
        heldBack = null;
        later.forEach(this::apply);
        count();
    }

    /**
     * Applies one change. Events are published outside the engine's lock, so an older state of a task can arrive
     * after a newer one: a finished task never goes back to running, and a cleared one never comes back.
     */
    private void apply(TaskChanged event) {
        Task task = event.task();
        int index = indexOf(task.id());
        if (event.removed()) {
            cleared.add(task.id());
            if (index >= 0) {
                tasks.remove(index);
            }
        } else if (!cleared.contains(task.id())) {
            if (index < 0) {
                tasks.add(task);
            } else if (!tasks.get(index).status().finished() || task.status().finished()) {
                tasks.set(index, task);
            }
        }
        count();
    }

    private int indexOf(String id) {
        for (int i = tasks.size() - 1; i >= 0; i--) { // the newest tasks change most
            if (tasks.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private void count() {
        running.set((int) tasks.stream().filter(t -> !t.status().finished()).count());
    }

    /** Asks the engine to stop {@code task}; its end arrives as an event. */
    public void cancel(Task task) {
        failure.set("");
        context.tasks().submit(() -> service.cancel(task.id()), cancelled -> { },
                error -> failure.set("Could not cancel " + task.title() + ": " + Errors.message(error)));
    }

    /** Removes the finished tasks (the engine announces each one removed). */
    public void clearFinished() {
        failure.set("");
        context.tasks().submit(() -> {
            service.clearFinished();
            return null;
        }, ignored -> { }, error -> failure.set("Could not clear the finished tasks: " + Errors.message(error)));
    }

    /** Every task, oldest first. */
    public ObservableList<Task> tasks() {
        return tasksView;
    }

    /** How many tasks are running. */
    public ReadOnlyIntegerProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Why the last command failed, or empty. */
    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
