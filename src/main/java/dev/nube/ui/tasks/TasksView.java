package dev.nube.ui.tasks;

import dev.nube.engine.tasks.Task;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The tasks panel: the engine's long operations, each with its progress (indeterminate while the amount of work is
 * not known), what it does now, its outcome, and Cancel while it runs; "Clear finished" removes the ended ones. The
 * shell shows it on demand; it follows the engine all the time. FX thread only.
 */
public final class TasksView extends VBox {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final TasksViewModel model;
    private final BooleanProperty shown = new SimpleBooleanProperty(this, "shown");

    public TasksView(TasksViewModel model) {
        this.model = model;
        visibleProperty().bind(shown);
        managedProperty().bind(shown);
        setId("tasks-panel");
        getStyleClass().add("tasks-panel");
        setSpacing(6);
        Label title = new Label("Tasks");
        title.getStyleClass().add("title-4");
        title.setMinWidth(Region.USE_PREF_SIZE);
        Label about = new Label("Snapshots, copies and volumes being made, in every region. Closing Nube stops those"
                + " still running and removes what they were making.");
        about.getStyleClass().add("text-muted");
        about.setMinWidth(0);
        about.setMaxWidth(Double.MAX_VALUE);
        about.setTooltip(new javafx.scene.control.Tooltip(about.getText()));
        HBox.setHgrow(about, Priority.ALWAYS);
        Button clear = new Button("Clear finished", new FontIcon(Feather.CHECK_SQUARE));
        clear.setId("clear-finished-tasks");
        clear.setMinWidth(Region.USE_PREF_SIZE);
        clear.disableProperty().bind(Bindings.createBooleanBinding(() -> model.tasks().stream()
                .noneMatch(t -> t.status().finished()), model.tasks()));
        clear.setOnAction(e -> model.clearFinished());
        Button close = new Button(null, new FontIcon(Feather.X));
        close.setId("close-tasks-panel");
        close.getStyleClass().addAll("button-icon", "flat");
        close.setMinWidth(Region.USE_PREF_SIZE);
        close.setOnAction(e -> shown.set(false));
        HBox header = new HBox(12, title, about, clear, close);
        header.setAlignment(Pos.CENTER_LEFT);

        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());
        failure.visibleProperty().bind(model.failureProperty().isNotEmpty());
        failure.managedProperty().bind(failure.visibleProperty());

        ListView<Task> list = new ListView<>(model.tasks());
        list.setId("tasks-list");
        list.getStyleClass().add("tasks-list");
        list.setCellFactory(view -> new TaskCell(model));
        list.setPlaceholder(new Label("No tasks."));
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().addAll(header, failure, list);
    }

    public TasksViewModel model() {
        return model;
    }

    /** Whether the panel is shown (its close button hides it). */
    public BooleanProperty shownProperty() {
        return shown;
    }

    /** {@code Running, 42%}, {@code Succeeded}, ...: the status, and how far a running task has come when known. */
    static String statusText(Task task) {
        String status = task.status().name().charAt(0) + task.status().name().substring(1).toLowerCase(Locale.ROOT);
        if (task.status() == Task.Status.RUNNING && task.fraction() >= 0) {
            return status + ", " + (int) Math.floor(task.fraction() * 100) + "%"; // as the snapshots' progress
        }
        return status;
    }

    /** One task: title and region, status, progress and step (or outcome), and Cancel while it can be cancelled. */
    private static final class TaskCell extends ListCell<Task> {
        private final Label title = new Label();
        private final Label where = new Label();
        private final Label status = new Label();
        private final ProgressBar progress = new ProgressBar();
        private final Label detail = new Label();
        private final Button cancel = new Button("Cancel");
        private final GridPane grid = new GridPane();

        TaskCell(TasksViewModel model) {
            getStyleClass().add("task-cell");
            title.getStyleClass().add("text-bold");
            title.setMinWidth(0);
            where.getStyleClass().add("text-muted");
            where.setMinWidth(Region.USE_PREF_SIZE);
            status.getStyleClass().add("task-status");
            status.setMinWidth(Region.USE_PREF_SIZE);
            progress.setPrefWidth(220);
            progress.setMinWidth(120);
            detail.setMinWidth(0);
            detail.getStyleClass().add("task-detail");
            cancel.getStyleClass().add("task-cancel");
            cancel.setMinWidth(Region.USE_PREF_SIZE);
            cancel.setOnAction(e -> {
                if (getItem() != null) {
                    model.cancel(getItem());
                }
            });
            HBox top = new HBox(10, title, where);
            top.setAlignment(Pos.BASELINE_LEFT);
            HBox bottom = new HBox(10, progress, detail);
            bottom.setAlignment(Pos.CENTER_LEFT);
            grid.setHgap(12);
            grid.setVgap(4);
            ColumnConstraints main = new ColumnConstraints();
            main.setHgrow(Priority.ALWAYS);
            main.setMinWidth(0);
            grid.getColumnConstraints().addAll(main, new ColumnConstraints(), new ColumnConstraints());
            grid.add(top, 0, 0);
            grid.add(bottom, 0, 1);
            grid.add(status, 1, 0, 1, 2);
            grid.add(cancel, 2, 0, 1, 2);
            setPrefWidth(0); // the list's width, not the longest text's
        }

        @Override
        protected void updateItem(Task task, boolean empty) {
            super.updateItem(task, empty);
            getStyleClass().removeAll("task-running", "task-succeeded", "task-failed", "task-cancelled");
            if (empty || task == null) {
                setGraphic(null);
                setId(null);
                return;
            }
            setId(task.id());
            getStyleClass().add("task-" + task.status().name().toLowerCase(Locale.ROOT));
            title.setText(task.title());
            where.setText(task.region() + ", started " + TIME.format(task.startedAt())
                    + (task.endedAt() == null ? "" : ", ended " + TIME.format(task.endedAt())));
            status.setText(statusText(task));
            boolean running = task.status() == Task.Status.RUNNING;
            progress.setProgress(running && task.fraction() < 0 ? ProgressBar.INDETERMINATE_PROGRESS
                    : Math.max(0, Math.min(1, task.fraction())));
            detail.setText(running ? task.step() : task.message());
            detail.setWrapText(!running);
            cancel.setVisible(running && task.cancellable());
            cancel.setManaged(cancel.isVisible());
            setGraphic(grid);
        }
    }
}
