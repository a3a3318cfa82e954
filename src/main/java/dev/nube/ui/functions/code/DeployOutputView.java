package dev.nube.ui.functions.code;

import dev.nube.engine.functions.BuildProblem;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Below the editor, Deploy's story: npm's, pip's or the compiler's output line by line as the install and the build
 * run (a list, so a long install stays smooth), kept scrolled to the newest line, with Cancel while they run and how
 * the deploy ended; after a failed build, its errors, each opening its file at its line when clicked. FX thread only.
 */
final class DeployOutputView extends VBox {
    /** The build's errors, "main.go:12:5: undefined: foo", shown only after a failed build; a click shows one. */
    private static ListView<BuildProblem> problems(CodeViewModel model) {
        ListView<BuildProblem> problems = new ListView<>(model.buildProblems());
        problems.setId("code-build-problems");
        problems.getStyleClass().add("build-problems");
        problems.visibleProperty().bind(Bindings.isNotEmpty(model.buildProblems()));
        problems.managedProperty().bind(problems.visibleProperty());
        problems.setMinHeight(Region.USE_PREF_SIZE); // the output's lines give way first
        problems.prefHeightProperty().bind(Bindings.min(6, Bindings.size(model.buildProblems())).multiply(28).add(10));
        problems.setFixedCellSize(28);
        problems.setCellFactory(list -> new ListCell<>() {
            {
                setMnemonicParsing(false);
            }

            @Override
            protected void updateItem(BuildProblem problem, boolean empty) {
                super.updateItem(problem, empty);
                setText(empty || problem == null ? null : problem.toString());
                setGraphic(empty || problem == null ? null : new FontIcon(Feather.ALERT_CIRCLE));
            }
        });
        problems.setOnMouseClicked(e -> {
            BuildProblem chosen = problems.getSelectionModel().getSelectedItem();
            if (chosen != null) {
                model.showProblem(chosen);
            }
        });
        return problems;
    }

    DeployOutputView(CodeViewModel model) {
        getStyleClass().add("deploy-output");
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(16, 16);
        spinner.visibleProperty().bind(model.installingProperty());
        spinner.managedProperty().bind(model.installingProperty());
        Label result = new Label();
        result.setId("code-deploy-result");
        result.textProperty().bind(Bindings.when(model.installingProperty()).then(Bindings.when(model.cancellingProperty())
                .then("Cancelling\u2026").otherwise("Installing dependencies and building\u2026"))
                .otherwise(model.deployResultProperty()));
        model.deployFailedProperty().addListener((obs, was, failed) -> {
            result.getStyleClass().removeAll("error-text", "text-muted");
            result.getStyleClass().add(failed ? "error-text" : "text-muted");
        });
        result.getStyleClass().add("text-muted");
        result.setWrapText(true);
        result.setMinHeight(Region.USE_PREF_SIZE); // a long reason wraps onto more lines instead of being cut
        result.setMaxWidth(Double.MAX_VALUE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox.setHgrow(result, Priority.SOMETIMES);
        Button cancel = new Button("Cancel", new FontIcon(Feather.X_CIRCLE));
        cancel.setId("code-deploy-cancel");
        cancel.disableProperty().bind(model.installingProperty().not().or(model.cancellingProperty()));
        cancel.setOnAction(e -> model.cancelDeploy());
        cancel.setMinWidth(Region.USE_PREF_SIZE);
        HBox head = new HBox(8, spinner, result, spacer, cancel);
        head.setAlignment(Pos.CENTER_LEFT);
        head.getStyleClass().add("deploy-output-head");
        ListView<String> lines = new ListView<>(model.deployOutput());
        lines.setId("code-deploy-output");
        lines.getStyleClass().add("deploy-output-lines");
        Label placeholder = new Label("Deploy installs the dependencies of package.json (npm) or requirements.txt"
                + " (pip), builds Go code into bootstrap (go build) or Java sources into classes.jar (javac), then"
                + " publishes a version; their output shows here.");
        placeholder.setMnemonicParsing(false);
        lines.setPlaceholder(placeholder);
        model.deployOutput().addListener((ListChangeListener<String>) change -> {
            if (!model.deployOutput().isEmpty()) {
                lines.scrollTo(model.deployOutput().size() - 1);
            }
        });
        VBox.setVgrow(lines, Priority.ALWAYS);
        getChildren().addAll(head, problems(model), lines);
    }
}
