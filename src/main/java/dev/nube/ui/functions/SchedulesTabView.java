package dev.nube.ui.functions;

import dev.nube.engine.functions.ScheduleRun;
import dev.nube.engine.functions.ScheduleStatus;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Tables;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Schedules tab: the function's schedules (expression, state, next and last run), their last runs, and the form
 * that makes or edits one, with the expression checked and its next runs shown as it is typed. FX thread only.
 */
final class SchedulesTabView extends BorderPane {
    private final SchedulesViewModel model;
    private final TableView<ScheduleStatus> table = new TableView<>();

    SchedulesTabView(SchedulesViewModel model) {
        this.model = model;
        getStyleClass().add("schedules-tab");
        table.setId("schedules-table");
        table.setItems(model.schedules());
        table.setPlaceholder(new Label("No schedules. Add one to invoke this function at set times, as an"
                + " EventBridge schedule rule does."));
        table.getColumns().add(Tables.column("Name", 120, s -> s.schedule().name()));
        table.getColumns().add(Tables.column("Expression", 170, s -> s.schedule().expression()));
        table.getColumns().add(Tables.column("State", 80, s -> s.schedule().enabled() ? "Enabled" : "Disabled"));
        table.getColumns().add(Tables.keepWhole(Tables.column("Next run (UTC)", 190, SchedulesViewModel::nextRunUtc),
                "Wed 2030-12-31 23:59"));
        table.getColumns().add(Tables.keepWhole(Tables.column("Next run (local)", 190, model::nextRunLocal),
                "Wed 2030-12-31 23:59 CEST"));
        table.getColumns().add(Tables.column("Last run", 150, s -> s.lastRuns().isEmpty() ? "None yet"
                : SchedulesViewModel.outcome(s.lastRuns().get(0))));
        table.getColumns().add(Tables.keepWhole(Tables.column("Event", 130, s -> s.schedule().input() == null
                ? "Scheduled Event" : "Constant JSON"), "Scheduled Event"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.SelectionById<ScheduleStatus> selection = Tables.keepSelectionById(table, s -> s.schedule().name());

        Button add = new Button("Add schedule", new FontIcon(Feather.PLUS));
        add.setId("schedules-add");
        add.setOnAction(e -> model.newSchedule());
        Button edit = new Button("Edit", new FontIcon(Feather.EDIT_2));
        edit.setId("schedules-edit");
        edit.disableProperty().bind(selection.selectedItemProperty().isNull());
        edit.setOnAction(e -> model.edit(selection.selectedItemProperty().get()));
        Button toggle = new Button();
        toggle.setId("schedules-toggle");
        toggle.textProperty().bind(Bindings.createStringBinding(() -> selection.selectedItemProperty().get() != null
                && selection.selectedItemProperty().get().schedule().enabled() ? "Disable" : "Enable",
                selection.selectedItemProperty()));
        toggle.disableProperty().bind(selection.selectedItemProperty().isNull());
        toggle.setOnAction(e -> {
            ScheduleStatus chosen = selection.selectedItemProperty().get();
            model.setEnabled(chosen, !chosen.schedule().enabled());
        });
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("schedules-delete");
        delete.disableProperty().bind(selection.selectedItemProperty().isNull());
        delete.setOnAction(e -> {
            ScheduleStatus chosen = selection.selectedItemProperty().get();
            if (Dialogs.confirm(getScene().getWindow(), "Delete schedule", "Delete schedule "
                    + chosen.schedule().name() + "?", "The function is no longer invoked on "
                    + chosen.schedule().expression() + ". The function itself is not changed.", "Delete")) {
                model.delete(chosen);
            }
        });
        Label status = new Label();
        status.setId("schedules-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, add, edit, toggle, delete, spacer, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("versions-toolbar");

        TableView<ScheduleRun> runs = new TableView<>();
        runs.setId("schedule-runs");
        Label noRuns = new Label();
        noRuns.textProperty().bind(Bindings.createStringBinding(() -> selection.selectedItemProperty().get() == null
                ? "Choose a schedule to see its last runs." : "No runs of " + selection.selectedItemProperty().get()
                .schedule().name() + " since the engine started.", selection.selectedItemProperty()));
        runs.setPlaceholder(noRuns);
        runs.getColumns().add(Tables.column("Due", 330, run -> model.both(run.time())));
        runs.getColumns().add(Tables.column("Request id", 280, run -> run.requestId() == null ? "-"
                : run.requestId()));
        runs.getColumns().add(Tables.column("Outcome", 240, SchedulesViewModel::outcome));
        runs.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        runs.itemsProperty().bind(Bindings.createObjectBinding(() -> selection.selectedItemProperty().get() == null
                ? FXCollections.observableArrayList() : FXCollections.observableArrayList(
                selection.selectedItemProperty().get().lastRuns()), selection.selectedItemProperty()));

        VBox top = new VBox(8, bar, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        SplitPane split = new SplitPane(top, runs);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.6);
        Node form = form();
        // The form takes the whole tab while it is open: everything in it in view, its buttons first.
        model.editingProperty().addListener((obs, old, open) -> setCenter(open ? form : split));
        setCenter(split);
    }

    /** The form of a new or edited schedule. */
    private Node form() {
        TextField name = new TextField();
        name.setId("schedule-name");
        name.setPromptText("e.g. nightly-report");
        name.textProperty().bindBidirectional(model.nameProperty());
        name.disableProperty().bind(model.existingProperty());
        Label nameProblem = shownWhenSet(Dialogs.problemLabel("schedule-name-problem"), model.nameProblemProperty());
        TextField expression = new TextField();
        expression.setId("schedule-expression");
        expression.setPrefColumnCount(30);
        expression.textProperty().bindBidirectional(model.expressionProperty());
        Label expressionHelp = new Label("rate(5 minutes), rate(1 hour), cron(0 12 * * ? *), cron(0/15 9-17 ? *"
                + " MON-FRI *): cron is Minutes Hours Day-of-month Month Day-of-week Year, in UTC.");
        expressionHelp.getStyleClass().add("text-muted");
        expressionHelp.setWrapText(true);
        Label expressionProblem = shownWhenSet(Dialogs.problemLabel("schedule-expression-problem"),
                model.expressionProblemProperty());
        CheckBox enabled = new CheckBox("Enabled");
        enabled.setId("schedule-enabled");
        enabled.selectedProperty().bindBidirectional(model.enabledProperty());
        TextArea input = new TextArea();
        input.setId("schedule-input");
        input.setPrefRowCount(3);
        input.setPromptText("Empty: the function receives EventBridge's Scheduled Event.");
        input.textProperty().bindBidirectional(model.inputProperty());
        Label inputProblem = shownWhenSet(Dialogs.problemLabel("schedule-input-problem"),
                model.inputProblemProperty());
        Label preview = new Label();
        preview.setId("schedule-preview");
        preview.textProperty().bind(Bindings.createStringBinding(() -> String.join("\n", model.preview()),
                model.preview()));

        GridPane grid = Dialogs.form();
        grid.addRow(0, topAligned("Name"), new VBox(4, name, nameProblem));
        grid.addRow(1, topAligned("Expression"), new VBox(4, expression, expressionProblem, expressionHelp));
        grid.addRow(2, new Label(""), enabled);
        grid.addRow(3, topAligned("Constant input"), new VBox(4, input, inputProblem));
        grid.addRow(4, topAligned("Next " + SchedulesViewModel.PREVIEW_RUNS + " runs"), preview);

        Button save = new Button("Save", new FontIcon(Feather.SAVE));
        save.setId("schedule-save");
        save.getStyleClass().add("accent");
        save.disableProperty().bind(model.validProperty().not());
        save.setOnAction(e -> model.save());
        Button cancel = new Button("Cancel");
        cancel.setId("schedule-cancel");
        cancel.setOnAction(e -> model.cancel());
        Label refused = Dialogs.problemLabel("schedule-form-problem");
        refused.textProperty().bind(model.formProblemProperty());
        Label title = new Label();
        title.getStyleClass().add("title-4");
        title.textProperty().bind(Bindings.createStringBinding(() -> model.existingProperty().get()
                ? "Edit schedule " + model.nameProperty().get() : "New schedule", model.existingProperty(),
                model.nameProperty()));
        HBox actions = new HBox(8, title, save, cancel, refused);
        actions.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(10, actions, grid);
        box.getStyleClass().add("schedule-form");
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(box);
        scroll.setFitToWidth(true);
        return scroll;
    }

    /** A form's row name level with the first line of a field taller than one line. */
    private static Label topAligned(String text) {
        Label label = new Label(text);
        GridPane.setValignment(label, javafx.geometry.VPos.TOP);
        label.getStyleClass().add("form-name-top");
        return label;
    }

    /** {@code label} showing {@code problem}, taking no room while there is none. */
    private static Label shownWhenSet(Label label, javafx.beans.value.ObservableStringValue problem) {
        label.textProperty().bind(problem);
        label.visibleProperty().bind(Bindings.isNotEmpty(problem));
        label.managedProperty().bind(label.visibleProperty());
        return label;
    }
}
