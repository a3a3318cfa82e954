package dev.nube.ui.shell;

import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionService;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.io.File;
import java.nio.file.Path;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/** Lists the regions with their folders; creates a region (optionally on another disk) and removes empty ones. */
final class RegionsDialog extends Dialog<Void> {
    private final ShellViewModel model;
    private final Label error = new Label();
    private final SimpleObjectProperty<Path> chosenRoot = new SimpleObjectProperty<>();

    RegionsDialog(ShellViewModel model, Window owner) {
        this.model = model;
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Regions");
        setHeaderText("Regions keep separate sets of instances, volumes, snapshots, keys, groups and functions.");
        getDialogPane().getButtonTypes().add(ButtonType.CLOSE);

        TableView<Region> table = new TableView<>(model.regions());
        table.setId("regions-table");
        TableColumn<Region, String> name = new TableColumn<>("Region");
        name.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().name()));
        name.setPrefWidth(140);
        TableColumn<Region, String> folder = new TableColumn<>("Folder");
        folder.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().root().toString()));
        folder.setPrefWidth(420);
        table.getColumns().add(name);
        table.getColumns().add(folder);
        table.setPrefHeight(180);

        Button remove = new Button("Remove region");
        remove.setId("remove-region");
        remove.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> {
            Region region = table.getSelectionModel().getSelectedItem();
            if (region.name().equals(RegionService.DEFAULT_REGION)) {
                showError("The default region " + RegionService.DEFAULT_REGION + " cannot be removed.");
                return;
            }
            if (Dialogs.confirm(getDialogPane().getScene().getWindow(), "Remove region",
                    "Remove region " + region.name() + "?", "Only an empty region can be removed. Its folder "
                            + region.root() + " is deleted if Nube made it and nothing else is in it.", "Remove")) {
                model.removeRegion(region.name(), () -> showError(""), failure -> showError(Errors.message(failure)));
            }
        });

        TextField newName = new TextField();
        newName.setId("new-region-name");
        newName.setPromptText("e.g. local-2");
        Label where = new Label();
        where.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> chosenRoot.get() == null
                ? "In the data folder" : chosenRoot.get().toString(), chosenRoot));
        Button choose = new Button("Choose folder...");
        choose.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Folder for the new region (an empty folder, possibly on another disk)");
            File dir = chooser.showDialog(getDialogPane().getScene().getWindow());
            if (dir != null) {
                chosenRoot.set(dir.toPath());
            }
        });
        Button create = new Button("Create region");
        create.setId("create-region");
        create.setDefaultButton(true);
        create.disableProperty().bind(newName.textProperty().isEmpty());
        create.setOnAction(e -> model.createRegion(newName.getText().strip(), chosenRoot.get(), () -> {
            newName.clear();
            chosenRoot.set(null);
            showError("");
        }, failure -> showError(Errors.message(failure))));

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(8);
        form.addRow(0, new Label("Name"), newName);
        form.addRow(1, new Label("Folder"), new HBox(8, where, choose));
        form.add(create, 1, 2);
        GridPane.setHgrow(newName, Priority.ALWAYS);

        error.setId("regions-error");
        error.getStyleClass().add("error-text");
        error.setWrapText(true);
        error.setMaxWidth(560);
        Label problems = new Label();
        problems.setId("region-problems");
        problems.setWrapText(true);
        problems.setMaxWidth(560);
        problems.getStyleClass().add("warning-text");
        problems.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> String.join("\n", model.regionProblems()), model.regionProblems()));
        problems.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(model.regionProblems()));
        problems.managedProperty().bind(problems.visibleProperty());
        VBox body = new VBox(12, problems, table, remove, new Label("New region"), form, error);
        body.setPadding(new Insets(4));
        getDialogPane().setContent(body);
        getDialogPane().setPrefWidth(620);
    }

    private void showError(String text) {
        error.setText(text);
    }
}
