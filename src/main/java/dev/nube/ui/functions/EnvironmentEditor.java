package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionRules;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The environment variables as an editable table: a key and a value field per row, what is wrong with the row beside
 * it (a reserved name, a bad name, a duplicate), add and remove, and a gauge of the 4 KB all variables may take.
 * Rows are rebuilt only when rows come or go, never while typing, so the caret stays put. FX thread only.
 */
final class EnvironmentEditor extends VBox {
    private final ConfigurationViewModel model;
    private final GridPane rows = new GridPane();

    EnvironmentEditor(ConfigurationViewModel model) {
        this.model = model;
        getStyleClass().add("environment-editor");
        setSpacing(8);
        rows.setId("config-env");
        rows.getStyleClass().add("environment-table");
        ColumnConstraints key = new ColumnConstraints(160, 220, 320);
        ColumnConstraints value = new ColumnConstraints(160, 320, Double.MAX_VALUE);
        value.setHgrow(Priority.ALWAYS);
        rows.getColumnConstraints().addAll(key, value, new ColumnConstraints(), new ColumnConstraints(200, 260, 400));
        model.variables().addListener((ListChangeListener<EnvironmentVariable>) change -> {
            boolean rowsChanged = false;
            while (change.next()) {
                rowsChanged |= change.wasAdded() || change.wasRemoved();
            }
            if (rowsChanged) {
                rebuild();
            }
        });
        rebuild();

        Button add = new Button("Add variable", new FontIcon(Feather.PLUS));
        add.setId("config-env-add");
        add.setOnAction(e -> {
            model.addVariable();
            rows.getChildren().stream().filter(n -> n.getStyleClass().contains("env-key")).reduce((a, b) -> b)
                    .ifPresent(javafx.scene.Node::requestFocus);
        });
        ProgressBar gauge = new ProgressBar();
        gauge.setId("config-env-gauge");
        gauge.getStyleClass().add("env-gauge");
        gauge.setPrefWidth(220);
        gauge.progressProperty().bind(Bindings.createDoubleBinding(() -> Math.min(1.0,
                model.environmentBytesProperty().get() / (double) FunctionRules.MAX_ENVIRONMENT_BYTES),
                model.environmentBytesProperty()));
        model.environmentBytesProperty().addListener((obs, old, bytes) -> over(gauge, bytes.intValue()));
        over(gauge, model.environmentBytesProperty().get());
        Label bytes = new Label();
        bytes.setId("config-env-bytes");
        bytes.getStyleClass().add("text-muted");
        bytes.textProperty().bind(Bindings.createStringBinding(() -> model.environmentBytesProperty().get() + " of "
                + FunctionRules.MAX_ENVIRONMENT_BYTES + " bytes (4 KB) used", model.environmentBytesProperty()));
        Label problem = new Label();
        problem.setId("config-env-problem");
        problem.getStyleClass().add("error-text");
        problem.setWrapText(true);
        problem.textProperty().bind(model.environmentProblemProperty());
        HBox footer = new HBox(12, add, gauge, bytes);
        footer.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(rows, footer, problem);
    }

    private static void over(ProgressBar gauge, int bytes) {
        gauge.getStyleClass().removeAll("over");
        if (bytes > FunctionRules.MAX_ENVIRONMENT_BYTES) {
            gauge.getStyleClass().add("over");
        }
    }

    private void rebuild() {
        rows.getChildren().clear();
        Label keyTitle = new Label("Key");
        Label valueTitle = new Label("Value");
        keyTitle.getStyleClass().add("env-header");
        valueTitle.getStyleClass().add("env-header");
        rows.addRow(0, keyTitle, valueTitle);
        if (model.variables().isEmpty()) {
            Label none = new Label("No environment variables.");
            none.getStyleClass().add("text-muted");
            rows.add(none, 0, 1, 4, 1);
        }
        int index = 0;
        for (EnvironmentVariable variable : model.variables()) {
            TextField key = new TextField();
            key.setId("config-env-key-" + index);
            key.getStyleClass().add("env-key");
            key.setPromptText("NAME");
            key.textProperty().bindBidirectional(variable.keyProperty());
            TextField value = new TextField();
            value.setId("config-env-value-" + index);
            value.getStyleClass().add("env-value");
            value.setPromptText("value");
            value.textProperty().bindBidirectional(variable.valueProperty());
            Button remove = new Button(null, new FontIcon(Feather.X));
            remove.setId("config-env-remove-" + index);
            remove.getStyleClass().addAll("button-icon", "flat");
            remove.setTooltip(new Tooltip("Remove this variable"));
            remove.setOnAction(e -> model.removeVariable(variable));
            Label problem = new Label();
            problem.setId("config-env-problem-" + index);
            problem.getStyleClass().add("error-text");
            problem.setWrapText(true);
            problem.textProperty().bind(variable.problemProperty());
            rows.addRow(index + 1, key, value, remove, problem);
            index++;
        }
    }
}
