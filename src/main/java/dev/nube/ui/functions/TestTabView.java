package dev.nube.ui.functions;

import dev.nube.engine.functions.TestEvent;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.functions.code.CodeTabView;
import dev.nube.ui.functions.editor.CodeEditor;
import dev.nube.ui.functions.editor.Language;
import java.util.List;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Test tab: saved test events on the left, the event's name and JSON (checked as typed: invalid JSON is flagged
 * with its line and column and never sent), templates, and the result of invoking $LATEST with it below. FX thread
 * only.
 */
final class TestTabView extends BorderPane {
    private final TestViewModel model;
    private final ListView<TestEvent> events = new ListView<>();
    private final CodeEditor json = new CodeEditor();

    TestTabView(TestViewModel model) {
        this.model = model;
        getStyleClass().add("test-tab");

        events.setId("test-events");
        events.setItems(model.events());
        events.setCellFactory(list -> new EventCell());
        Label none = new Label("None saved yet.");
        none.getStyleClass().add("text-muted");
        events.setPlaceholder(none);
        events.getSelectionModel().selectedItemProperty().addListener((obs, old, event) -> {
            if (event != null && !event.name().equals(model.nameProperty().get())) {
                switchTo(() -> model.select(event), "Open test event " + event.name(), old);
            }
        });
        MenuButton templates = new MenuButton("New event", new FontIcon(Feather.PLUS));
        templates.setId("new-test-event");
        for (EventTemplate template : EventTemplate.values()) {
            MenuItem item = new MenuItem(template.title());
            item.setOnAction(e -> switchTo(() -> model.newFrom(template), "New test event", null));
            templates.getItems().add(item);
        }
        Label savedTitle = new Label("Saved events");
        savedTitle.getStyleClass().add("text-bold");
        VBox left = new VBox(8, savedTitle, events, templates);
        VBox.setVgrow(events, Priority.ALWAYS);
        left.getStyleClass().add("test-events-pane");
        left.setPrefWidth(220);

        TextField name = new TextField();
        name.setId("test-event-name");
        name.setPrefColumnCount(24);
        name.textProperty().bindBidirectional(model.nameProperty());
        Label nameProblem = problemLabel("test-event-name-problem");
        nameProblem.textProperty().bind(model.nameProblemProperty());
        json.setId("test-event-json");
        json.setLanguage(Language.JSON);
        json.load(model.jsonProperty().get());
        json.textProperty().addListener((obs, old, text) -> model.jsonProperty().set(text));
        model.jsonProperty().addListener((obs, old, text) -> {
            if (!text.equals(json.getText())) {
                json.load(text);
            }
        });
        Label jsonProblem = problemLabel("test-event-problem");
        jsonProblem.textProperty().bind(model.jsonProblemProperty());

        Button invoke = new Button("Test", new FontIcon(Feather.PLAY));
        invoke.setId("test-invoke");
        invoke.getStyleClass().add("accent");
        invoke.setOnAction(e -> model.invoke());
        invoke.disableProperty().bind(model.invocation().runningProperty());
        Button save = new Button("Save", new FontIcon(Feather.SAVE));
        save.setId("test-save");
        save.disableProperty().bind(model.nameProblemProperty().isNotEmpty().or(model.jsonProblemProperty()
                .isNotEmpty()));
        save.setOnAction(e -> model.save(() -> { }, failure -> { }));
        Button format = new Button("Format JSON");
        format.setId("test-format");
        format.disableProperty().bind(model.jsonProblemProperty().isNotEmpty());
        format.setOnAction(e -> model.format());
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("test-delete");
        delete.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> model.events().stream()
                .noneMatch(ev -> ev.name().equals(model.nameProperty().get())), model.events(), model.nameProperty()));
        delete.setOnAction(e -> {
            if (Dialogs.confirm(getScene().getWindow(), "Delete test event", "Delete test event '"
                    + model.nameProperty().get() + "'?", "The saved event is removed from this function.", "Delete")) {
                model.delete();
            }
        });
        Label status = new Label();
        status.setId("test-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());

        HBox nameRow = new HBox(8, new Label("Event name"), name, nameProblem);
        nameRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        HBox actions = new HBox(8, invoke, save, format, delete, status);
        actions.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox editor = new VBox(8, actions, nameRow, json, jsonProblem);
        VBox.setVgrow(json, Priority.ALWAYS);
        editor.getStyleClass().add("test-editor");

        SplitPane split = new SplitPane(editor, new InvocationResultView(model.invocation(), "test-result",
                "Test invokes $LATEST with this event; the response, log output and REPORT figures show here."));
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        setLeft(left);
        setCenter(split);
        CodeTabView.onSaveShortcut(this, () -> { // Ctrl+S saves the event, as it saves a file in the Code tab
            if (!save.isDisabled()) {
                model.save(() -> { }, failure -> { });
            }
        });
        model.nameProperty().addListener((obs, old, text) -> showSelected());
        model.events().addListener((javafx.collections.ListChangeListener<TestEvent>) c -> showSelected());
    }

    /** Keeps the list's selection on the event being edited (none for a new one). */
    private void showSelected() {
        TestEvent match = model.events().stream().filter(e -> e.name().equals(model.nameProperty().get()))
                .findFirst().orElse(null);
        if (match == null) {
            events.getSelectionModel().clearSelection();
        } else if (events.getSelectionModel().getSelectedItem() != match) {
            events.getSelectionModel().select(match);
        }
    }

    /** Runs {@code change} once the event's unsaved edits are saved or discarded; else puts back the selection. */
    private void switchTo(Runnable change, String action, TestEvent previous) {
        if (!model.dirtyProperty().get()) {
            change.run();
            return;
        }
        switch (UnsavedChangesDialog.ask(getScene().getWindow(), action, List.of("test event "
                + model.nameProperty().get()))) {
            case SAVE -> model.save(change, failure -> restore(previous));
            case DISCARD -> change.run();
            case CANCEL -> restore(previous);
        }
    }

    private void restore(TestEvent previous) {
        javafx.application.Platform.runLater(() -> {
            if (previous == null) {
                events.getSelectionModel().clearSelection();
            } else {
                events.getSelectionModel().select(previous);
            }
        });
    }

    private static Label problemLabel(String id) {
        Label label = new Label();
        label.setId(id);
        label.getStyleClass().add("error-text");
        label.setWrapText(true);
        return label;
    }

    /** A saved test event, by name. */
    static final class EventCell extends ListCell<TestEvent> {
        @Override
        protected void updateItem(TestEvent item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.name());
        }
    }
}
