package dev.nube.ui.functions;

import dev.nube.engine.functions.LayerVersion;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Tables;
import java.nio.file.Path;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The region's layers: each version with its runtimes, size and date; publish a new version from a .zip chosen on
 * disk; delete a version (functions that use it keep their copy). Functions choose their layers in their
 * Configuration tab. FX thread only.
 */
final class LayersDialog extends Dialog<Void> {
    private Path zip;

    LayersDialog(LayersViewModel model, Window owner) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Layers");
        setHeaderText("A layer is a .zip of libraries or tools that functions share: its files appear under /opt"
                + " (python/ for Python, nodejs/node_modules/ for Node.js, bin/, lib/).");
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        setResizable(true);

        TableView<LayerVersion> table = new TableView<>(model.versions());
        table.setId("layers-table");
        table.setPlaceholder(new Label("No layers in this region. Publish one from a .zip below."));
        table.getColumns().add(Tables.column("Layer", 140, LayerVersion::name));
        table.getColumns().add(Tables.column("Version", 70, v -> Integer.toString(v.version())));
        table.getColumns().add(Tables.column("Runtimes", 150, v -> v.compatibleRuntimes().isEmpty() ? "any"
                : String.join(", ", v.compatibleRuntimes())));
        table.getColumns().add(Tables.column("Size", 90, v -> (v.unzippedSize() + 1023) / 1024 + " KB"));
        table.getColumns().add(Tables.column("Created", 130, v -> FunctionsView.TIME.format(v.createdAt())));
        table.getColumns().add(Tables.column("Description", 160, LayerVersion::description));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefSize(760, 260);
        Button delete = new Button("Delete version", new FontIcon(Feather.TRASH_2));
        delete.setId("layers-delete");
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull()
                .or(model.busyProperty()));
        delete.setOnAction(e -> {
            LayerVersion version = table.getSelectionModel().getSelectedItem();
            if (Dialogs.confirm(getDialogPane().getScene().getWindow(), "Delete layer version", "Delete "
                    + version.name() + " version " + version.version() + "?", "It can no longer be added to a"
                    + " function. Functions and versions that have it keep their copy of its files and keep"
                    + " running.", "Delete")) {
                model.delete(version);
            }
        });

        TextField name = new TextField();
        name.setId("layers-name");
        name.setPromptText("e.g. shared-libs");
        TextField description = new TextField();
        description.setId("layers-description");
        TextField runtimes = new TextField();
        runtimes.setId("layers-runtimes");
        runtimes.setPromptText("e.g. python3.11, nodejs20.x (empty: any runtime)");
        Label file = new Label("No file chosen");
        file.setId("layers-file");
        file.setMnemonicParsing(false);
        Button choose = new Button("Choose .zip...", new FontIcon(Feather.FOLDER));
        choose.setId("layers-choose");
        choose.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Layer content (.zip)");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Zip files", "*.zip"));
            java.io.File chosen = chooser.showOpenDialog(getDialogPane().getScene().getWindow());
            if (chosen != null) {
                zip = chosen.toPath();
                file.setText(zip.toString());
            }
        });
        Button publish = new Button("Publish version", new FontIcon(Feather.UPLOAD));
        publish.setId("layers-publish");
        publish.getStyleClass().add("accent");
        publish.disableProperty().bind(name.textProperty().isEmpty().or(model.busyProperty()));
        publish.setOnAction(e -> model.publish(name.getText(), description.getText(), runtimes.getText(), zip,
                published -> {
                    zip = null;
                    file.setText("No file chosen");
                }, failure -> { }));
        Label status = new Label();
        status.setId("layers-dialog-status");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());

        GridPane form = Dialogs.form();
        form.addRow(0, new Label("Layer name"), name);
        form.addRow(1, new Label("Description"), description);
        form.addRow(2, new Label("Compatible runtimes"), runtimes);
        form.addRow(3, new Label("Content"), new HBox(8, choose, file));
        GridPane.setHgrow(name, Priority.ALWAYS);
        HBox actions = new HBox(8, publish, status);
        actions.setAlignment(Pos.CENTER_LEFT);
        Label limits = new Label("Up to 250 MB unzipped, a function's code and layers together. A new upload under an"
                + " existing name is that layer's next version.");
        limits.getStyleClass().add("text-muted");
        limits.setWrapText(true);
        VBox content = new VBox(10, table, delete, new Label("Publish a version"), form, limits, actions);
        VBox.setVgrow(table, Priority.ALWAYS);
        getDialogPane().setContent(content);
        model.reload();
    }
}
