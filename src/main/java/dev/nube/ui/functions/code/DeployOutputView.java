package dev.nube.ui.functions.code;

import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Below the editor, Deploy's story: npm's or pip's output line by line as the install runs (a list, so a long install
 * stays smooth), kept scrolled to the newest line, with Cancel while it installs and how the deploy ended. FX thread
 * only.
 */
final class DeployOutputView extends VBox {
    DeployOutputView(CodeViewModel model) {
        getStyleClass().add("deploy-output");
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(16, 16);
        spinner.visibleProperty().bind(model.installingProperty());
        spinner.managedProperty().bind(model.installingProperty());
        Label result = new Label();
        result.setId("code-deploy-result");
        result.textProperty().bind(Bindings.when(model.installingProperty()).then(Bindings.when(model.cancellingProperty())
                .then("Cancelling\u2026").otherwise("Installing dependencies..."))
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
        lines.setPlaceholder(new Label("Deploy installs the dependencies of package.json (npm) or requirements.txt"
                + " (pip), then publishes a version; the install's output shows here."));
        model.deployOutput().addListener((ListChangeListener<String>) change -> {
            if (!model.deployOutput().isEmpty()) {
                lines.scrollTo(model.deployOutput().size() - 1);
            }
        });
        VBox.setVgrow(lines, Priority.ALWAYS);
        getChildren().addAll(head, lines);
    }
}
