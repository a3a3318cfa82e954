package dev.nube.ui.functions;

import dev.nube.ui.functions.code.CodeTabView;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Configuration tab: general settings (description, handler, memory, timeout), reserved concurrency and the
 * environment variables, each checked as typed, saved together with Save (Reset drops the edits); the layers, saved
 * on their own ({@link LayersSection}); and the function's URL, created, changed and deleted on its own
 * ({@link FunctionUrlSection}). FX thread only.
 */
final class ConfigurationTabView extends ScrollPane {
    ConfigurationTabView(ConfigurationViewModel model, FunctionUrlViewModel url, LayersEditorViewModel layers,
            FunctionsViewModel functions) {
        getStyleClass().add("configuration-tab");
        setFitToWidth(true);

        TextField description = new TextField();
        description.setId("config-description");
        description.textProperty().bindBidirectional(model.descriptionProperty());
        TextField handler = new TextField();
        handler.setId("config-handler");
        handler.setPrefColumnCount(30);
        handler.textProperty().bindBidirectional(model.handlerProperty());
        MemorySizeControl memory = new MemorySizeControl();
        memory.setId("config-memory");
        memory.valueProperty().bindBidirectional(model.memoryProperty());
        TextField timeout = digits("config-timeout", 3);
        timeout.textProperty().bindBidirectional(model.timeoutProperty());
        CheckBox reserve = new CheckBox("Reserve concurrency");
        reserve.setId("config-reserve");
        reserve.selectedProperty().bindBidirectional(model.reserveProperty());
        TextField reserved = digits("config-reserved", 4);
        reserved.textProperty().bindBidirectional(model.reservedProperty());
        reserved.disableProperty().bind(model.reserveProperty().not());

        GridPane general = new GridPane();
        general.getStyleClass().add("form-grid");
        general.addRow(0, new Label("Description"), description);
        general.addRow(1, new Label("Handler"), row(handler, problem("config-handler-problem",
                model.handlerProblemProperty())));
        general.addRow(2, new Label("Memory"), new VBox(4, memory, cpuLine("config-cpu", functions, memory)));
        general.addRow(3, new Label("Timeout"), row(timeout, new Label("seconds (1 to 300)"),
                problem("config-timeout-problem", model.timeoutProblemProperty())));
        general.addRow(4, new Label("Concurrency"), row(reserve, reserved, new Label("executions kept for this"
                + " function; unreserved functions share the rest"), problem("config-reserved-problem",
                model.reservedProblemProperty())));
        GridPane.setHgrow(description, Priority.ALWAYS);
        memory.setMaxWidth(640);

        Button save = new Button("Save", new FontIcon(Feather.SAVE));
        save.setId("config-save");
        save.getStyleClass().add("accent");
        save.disableProperty().bind(model.dirtyProperty().not().or(model.validProperty().not())
                .or(model.savingProperty()));
        save.setOnAction(e -> model.save(() -> { }, failure -> { }));
        Button reset = new Button("Reset");
        reset.setId("config-reset");
        reset.disableProperty().bind(model.dirtyProperty().not());
        reset.setOnAction(e -> model.reset());
        Label status = new Label();
        status.setId("config-status");
        status.getStyleClass().add("text-muted");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());
        Label note = new Label("Changes take effect on the next invocation: warm environments of the old"
                + " configuration are not reused.");
        note.getStyleClass().add("text-muted");
        note.setWrapText(true);
        HBox actions = new HBox(8, save, reset, status);
        actions.setAlignment(Pos.CENTER_LEFT);

        VBox content = new VBox(14, section("General configuration"), general, section("Environment variables"),
                new EnvironmentEditor(model), note, actions, section("Layers"), new LayersSection(layers),
                section("Function URL"), new FunctionUrlSection(url));
        content.getStyleClass().add("configuration-form");
        setContent(content);
        CodeTabView.onSaveShortcut(this, () -> { // Ctrl+S saves the form, as it saves a file in the Code tab
            if (!save.isDisabled()) {
                model.save(() -> { }, failure -> { });
            }
        });
    }

    /** What CPU the memory chosen gives, following the memory and the setting. */
    static Label cpuLine(String id, FunctionsViewModel functions, MemorySizeControl memory) {
        Label cpu = new Label();
        cpu.setId(id);
        cpu.getStyleClass().add("text-muted");
        cpu.setWrapText(true);
        cpu.setPrefWidth(0); // as wide as the memory control above it, the text wrapping: never widens the form
        cpu.setMaxWidth(Double.MAX_VALUE);
        cpu.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> functions.cpuText(memory.getValue()), memory.valueProperty(), functions.sandboxProperty()));
        return cpu;
    }

    private static TextField digits(String id, int max) {
        TextField field = new TextField();
        field.setId(id);
        field.setPrefColumnCount(max + 1);
        field.setTextFormatter(new TextFormatter<String>(c -> c.getControlNewText().matches("\\d{0," + max + "}")
                ? c : null));
        return field;
    }

    private static Label section(String title) {
        Label label = new Label(title);
        label.getStyleClass().add("title-4");
        return label;
    }

    private static Label problem(String id, javafx.beans.value.ObservableValue<String> text) {
        Label label = new Label();
        label.setId(id);
        label.getStyleClass().add("error-text");
        label.setWrapText(true);
        label.textProperty().bind(text);
        return label;
    }

    private static Node row(Node... nodes) {
        HBox box = new HBox(8, nodes);
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }
}
