package dev.nube.ui.functions;

import dev.nube.engine.functions.Blueprint;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionRules;
import dev.nube.engine.functions.RuntimeInfo;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Creates a function: name (checked as typed), runtime (only those this machine has, with versions), blueprint,
 * memory and timeout. Stays open until the engine answers; returns the created function, or nothing if cancelled.
 */
final class CreateFunctionDialog extends Dialog<FunctionConfiguration> {
    private final FunctionsViewModel model;
    private final TextField name = new TextField();
    private final ComboBox<RuntimeInfo> runtime = new ComboBox<>();
    private final ListView<Blueprint> blueprint = new ListView<>();
    private final MemorySizeControl memory = new MemorySizeControl();
    private final TextField timeout = new TextField(Integer.toString(CreateFunctionRequest.DEFAULT_TIMEOUT_SECONDS));
    private final Label message = new Label();
    private final ButtonType createType = new ButtonType("Create function", ButtonBar.ButtonData.OK_DONE);
    private FunctionConfiguration created;

    CreateFunctionDialog(FunctionsViewModel model, Window owner) {
        this.model = model;
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create function");
        setHeaderText("Author a function from a blueprint. You can change everything later.");
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);

        name.setId("function-name");
        name.setPromptText("e.g. my-function");
        runtime.setId("function-runtime");
        runtime.setItems(model.runtimes());
        runtime.setCellFactory(list -> new RuntimeCell());
        runtime.setButtonCell(new RuntimeCell());
        runtime.setMaxWidth(Double.MAX_VALUE);
        if (!model.runtimes().isEmpty()) {
            runtime.getSelectionModel().select(0);
        }
        blueprint.setId("function-blueprint");
        blueprint.setPrefHeight(190);
        blueprint.setCellFactory(list -> new BlueprintCell());
        memory.setId("function-memory");
        timeout.setId("function-timeout");
        timeout.setPrefColumnCount(5);
        timeout.setTextFormatter(new TextFormatter<String>(c -> c.getControlNewText().matches("\\d{0,3}") ? c : null));
        message.setId("function-create-message");
        message.setWrapText(true);
        message.getStyleClass().add("error-text");

        GridPane form = new GridPane();
        form.getStyleClass().add("form-grid");
        form.addRow(0, new Label("Function name"), name);
        form.addRow(1, new Label("Runtime"), runtime);
        form.addRow(2, new Label("Blueprint"), blueprint);
        form.addRow(3, new Label("Memory"), new VBox(4, memory,
                ConfigurationTabView.cpuLine("function-cpu", model, memory)));
        form.addRow(4, new Label("Timeout (seconds)"), timeout);
        GridPane.setHgrow(name, Priority.ALWAYS);
        javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
        labels.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // labels whole, the fields take what is left
        form.getColumnConstraints().add(labels);
        Label hint = new Label("Names hold letters, digits, hyphens and underscores (at most 64); the timeout is 1 to"
                + " 300 seconds.");
        hint.setWrapText(true);
        hint.getStyleClass().add("text-muted");
        VBox body = new VBox(10, form, hint, message);
        body.setPrefWidth(600);
        getDialogPane().setContent(body);

        Button create = (Button) getDialogPane().lookupButton(createType);
        create.setId("function-create");
        runtime.valueProperty().addListener((obs, old, value) -> loadBlueprints(create));
        // The runtimes list lives as long as the console: the dialog stops listening when it closes.
        javafx.collections.ListChangeListener<RuntimeInfo> runtimesLoaded = c -> {
            if (runtime.getValue() == null && !model.runtimes().isEmpty()) {
                runtime.getSelectionModel().select(0);
            }
        };
        model.runtimes().addListener(runtimesLoaded);
        setOnHidden(e -> model.runtimes().removeListener(runtimesLoaded));
        name.textProperty().addListener((obs, old, text) -> validate(create));
        timeout.textProperty().addListener((obs, old, text) -> validate(create));
        blueprint.getSelectionModel().selectedItemProperty().addListener((obs, old, b) -> validate(create));
        loadBlueprints(create);
        create.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            create.setDisable(true);
            message.getStyleClass().remove("error-text");
            message.setText("Creating...");
            model.create(request(), function -> {
                created = function;
                close();
            }, failure -> {
                message.getStyleClass().add("error-text");
                message.setText(Errors.message(failure));
                create.setDisable(false);
            });
        });
        setResultConverter(button -> created);
        javafx.application.Platform.runLater(name::requestFocus);
    }

    private void loadBlueprints(Button create) {
        blueprint.getItems().clear();
        validate(create);
        RuntimeInfo chosen = runtime.getValue();
        if (chosen == null) {
            return;
        }
        model.blueprints(chosen.id(), found -> {
            if (chosen.equals(runtime.getValue())) {
                blueprint.getItems().setAll(found);
                blueprint.getSelectionModel().select(0);
            }
        }, failure -> message.setText(Errors.message(failure)));
    }

    private CreateFunctionRequest request() {
        return CreateFunctionRequest.of(name.getText(), runtime.getValue().id()).withMemory(memory.getValue())
                .withTimeout(Integer.parseInt(timeout.getText())).withBlueprint(blueprint.getSelectionModel()
                        .getSelectedItem().id());
    }

    private void validate(Button create) {
        String problem = FunctionRules.nameProblem(name.getText()).orElse("");
        if (problem.isEmpty() && model.list().items().stream().anyMatch(s -> s.configuration().name()
                .equals(name.getText()))) {
            problem = "A function named " + name.getText() + " already exists in this region.";
        }
        if (problem.isEmpty() && (timeout.getText().isEmpty() || Integer.parseInt(timeout.getText()) < 1
                || Integer.parseInt(timeout.getText()) > FunctionRules.MAX_TIMEOUT_SECONDS)) {
            problem = "The timeout is 1 to " + FunctionRules.MAX_TIMEOUT_SECONDS + " seconds.";
        }
        message.getStyleClass().remove("error-text");
        message.getStyleClass().add("error-text");
        message.setText(name.getText().isEmpty() ? "" : problem);
        create.setDisable(!problem.isEmpty() || runtime.getValue() == null
                || blueprint.getSelectionModel().getSelectedItem() == null);
    }

    private static final class RuntimeCell extends ListCell<RuntimeInfo> {
        @Override
        protected void updateItem(RuntimeInfo item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : FunctionsViewModel.runtimeLabel(item));
        }
    }

    private static final class BlueprintCell extends ListCell<Blueprint> {
        @Override
        protected void updateItem(Blueprint item, boolean empty) {
            super.updateItem(item, empty);
            if (empty || item == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            Label title = new Label(item.title());
            title.getStyleClass().add("text-bold");
            Label text = new Label(item.description());
            text.setWrapText(true);
            text.setPrefWidth(380);
            text.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
            text.getStyleClass().add("text-muted");
            setText(null);
            setGraphic(new VBox(2, title, text));
        }
    }
}
