package dev.nube.ui.tasks;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.store.EventBus;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.TaskChanged;
import dev.nube.engine.tasks.TaskService;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.UiEvents;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.application.Platform;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The tasks panel as a person sees it, over a task service whose tasks the test moves on (the engine's are over too
 * soon to watch): progress known and unknown, Cancel on a task that can be cancelled, the outcome, Clear finished.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class TasksPanelUiTest {
    private final EventBus bus = new EventBus();
    private final FakeTasks service = new FakeTasks();

    @Start
    void start(Stage stage) {
        service.tasks.add(task("task-1", "Copy snap-1 from local-1 to local-2", Task.Status.RUNNING, -1, true,
                "Waiting"));
        service.tasks.add(task("task-2", "Snapshot vol-2", Task.Status.RUNNING, 0.42, false,
                "Copying the running disk (QEMU backup job)"));
        TasksViewModel model = new TasksViewModel(service, new ConsoleContext(new SameThreadTasks(),
                new UiEvents(bus, Platform::runLater), new SimpleStringProperty("local-1"), null));
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight()
                .getUserAgentStylesheet()); // the theme's colours, which Nube's stylesheet looks up
        TasksView view = new TasksView(model);
        view.shownProperty().set(true);
        Scene scene = new Scene(view, 1000, 300);
        scene.getStylesheets().add(TasksView.class.getResource("/dev/nube/ui/nube.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    private static Task task(String id, String title, Task.Status status, double fraction, boolean cancellable,
                             String step) {
        return new Task(id, title, "local-1", "snap-" + id, fraction, step, status,
                status.finished() ? "Cancelled; nothing of it was kept." : null, Instant.now(),
                status.finished() ? Instant.now() : null, cancellable && !status.finished());
    }

    private static Node cell(FxRobot robot, String id) {
        return robot.lookup("#" + id).query();
    }

    private static boolean shows(FxRobot robot, String id, String text) {
        return robot.from(cell(robot, id)).lookup(".label").queryAllAs(Label.class).stream()
                .anyMatch(l -> text.equals(l.getText()));
    }

    @Test
    void showsProgressAndCancelsWhatCanBeCancelled(FxRobot robot) {
        waitUntil("both tasks are listed", () -> robot.lookup("#task-1").tryQuery().isPresent()
                && robot.lookup("#task-2").tryQuery().isPresent());
        assertTrue(robot.from(cell(robot, "task-1")).lookup(".progress-bar").queryAs(ProgressBar.class)
                .isIndeterminate(), "an unknown amount of work");
        assertTrue(shows(robot, "task-1", "Running"));
        assertTrue(shows(robot, "task-1", "Waiting"), "what it does now");
        assertEquals(0.42, robot.from(cell(robot, "task-2")).lookup(".progress-bar").queryAs(ProgressBar.class)
                .getProgress(), 1e-9);
        assertTrue(shows(robot, "task-2", "Running, 42%"));
        assertFalse(robot.from(cell(robot, "task-2")).lookup(".task-cancel").queryButton().isVisible(),
                "a task that cannot be cancelled offers no Cancel");
        Button clear = robot.lookup("#clear-finished-tasks").queryButton();
        assertTrue(clear.isDisabled(), "nothing has finished");

        robot.clickOn(robot.from(cell(robot, "task-1")).lookup(".task-cancel").queryButton());
        assertEquals(List.of("task-1"), service.cancelled);
        waitUntil("the task ends cancelled", () -> shows(robot, "task-1", "Cancelled")
                && shows(robot, "task-1", "Cancelled; nothing of it was kept."));
        assertFalse(robot.from(cell(robot, "task-1")).lookup(".task-cancel").queryButton().isVisible());
        assertFalse(clear.isDisabled());

        robot.clickOn(clear);
        waitUntil("the finished task is cleared", () -> robot.lookup("#task-1").tryQuery().isEmpty());
        assertTrue(robot.lookup("#task-2").tryQuery().isPresent(), "the running one stays");
    }

    /** A task service that publishes its changes on the test's bus, from another thread as the engine does. */
    private final class FakeTasks implements TaskService {
        final List<Task> tasks = new CopyOnWriteArrayList<>();
        final List<String> cancelled = new CopyOnWriteArrayList<>();

        @Override
        public List<Task> list() {
            return List.copyOf(tasks);
        }

        @Override
        public boolean cancel(String taskId) {
            cancelled.add(taskId);
            Task ended = task(taskId, tasks.stream().filter(t -> t.id().equals(taskId)).findFirst().orElseThrow()
                    .title(), Task.Status.CANCELLED, -1, false, "Cancelling");
            tasks.replaceAll(t -> t.id().equals(taskId) ? ended : t);
            new Thread(() -> bus.publish(new TaskChanged(ended, false))).start();
            return true;
        }

        @Override
        public void clearFinished() {
            List<Task> finished = tasks.stream().filter(t -> t.status().finished()).toList();
            tasks.removeAll(finished);
            new Thread(() -> finished.forEach(t -> bus.publish(new TaskChanged(t, true)))).start();
        }
    }
}
