package dev.nube.ui.functions;

import dev.nube.engine.functions.LayerVersion;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Layers section of the Configuration tab: the function's layers in the order they are merged under /opt, with
 * Up, Down and Remove; a layer version chosen from the region's and Add; Save and Reset of its own. The region's
 * layers are published and deleted in the Layers dialog of the Functions page. FX thread only.
 */
final class LayersSection extends VBox {
    LayersSection(LayersEditorViewModel model) {
        super(8);
        getStyleClass().add("layers-section");
        ListView<String> list = new ListView<>(model.chosen());
        list.setId("layers-chosen");
        list.setPrefHeight(6 * 26);
        list.setPlaceholder(new Label("No layers. Add a layer version to find its files under /opt."));
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(String arn, boolean empty) {
                super.updateItem(arn, empty);
                setMnemonicParsing(false);
                setText(empty || arn == null ? null : (getIndex() + 1) + ". " + LayersEditorViewModel.shortName(arn)
                        + "    " + arn);
            }
        });
        Button up = new Button("Up", new FontIcon(Feather.ARROW_UP));
        up.setId("layers-up");
        Button down = new Button("Down", new FontIcon(Feather.ARROW_DOWN));
        down.setId("layers-down");
        Button remove = new Button("Remove", new FontIcon(Feather.X));
        remove.setId("layers-remove");
        var selected = list.getSelectionModel().selectedIndexProperty();
        up.disableProperty().bind(selected.lessThan(1));
        down.disableProperty().bind(selected.lessThan(0).or(selected.greaterThanOrEqualTo(
                Bindings.size(model.chosen()).subtract(1))));
        remove.disableProperty().bind(selected.lessThan(0));
        up.setOnAction(e -> {
            int index = selected.get();
            model.moveUp(index);
            list.getSelectionModel().select(index - 1);
        });
        down.setOnAction(e -> {
            int index = selected.get();
            model.moveDown(index);
            list.getSelectionModel().select(index + 1);
        });
        remove.setOnAction(e -> model.remove(selected.get()));
        VBox moves = new VBox(6, up, down, remove);

        ComboBox<LayerVersion> choice = new ComboBox<>();
        choice.setId("layers-choice");
        choice.setPromptText("Layer version");
        choice.setConverter(new StringConverter<>() {
            @Override
            public String toString(LayerVersion version) {
                return version == null ? "" : LayersEditorViewModel.describe(version);
            }

            @Override
            public LayerVersion fromString(String text) {
                return null;
            }
        });
        Runnable refill = () -> choice.getItems().setAll(model.choices());
        model.available().addListener((javafx.collections.ListChangeListener<LayerVersion>) c -> refill.run());
        choice.setOnShowing(e -> model.reloadAvailable());
        Button add = new Button("Add", new FontIcon(Feather.PLUS));
        add.setId("layers-add");
        add.disableProperty().bind(choice.valueProperty().isNull());
        add.setOnAction(e -> {
            if (model.add(choice.getValue())) {
                choice.setValue(null);
            }
        });
        HBox adding = new HBox(8, choice, add);
        adding.setAlignment(Pos.CENTER_LEFT);

        Button save = new Button("Save layers", new FontIcon(Feather.SAVE));
        save.setId("layers-save");
        save.disableProperty().bind(model.dirtyProperty().not().or(model.savingProperty()));
        save.setOnAction(e -> model.save(() -> { }, failure -> { }));
        Button reset = new Button("Reset");
        reset.setId("layers-reset");
        reset.disableProperty().bind(model.dirtyProperty().not());
        reset.setOnAction(e -> model.reset());
        Label status = new Label();
        status.setId("layers-status");
        status.getStyleClass().add("text-muted");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());
        Label problem = new Label();
        problem.setId("layers-problem");
        problem.getStyleClass().add("error-text");
        problem.setWrapText(true);
        problem.textProperty().bind(model.problemProperty());
        HBox actions = new HBox(8, save, reset, status);
        actions.setAlignment(Pos.CENTER_LEFT);
        Label note = new Label("At most " + LayersEditorViewModel.MAX_LAYERS + " layers, merged under /opt in this"
                + " order: a later layer's file replaces an earlier one's. Python imports from /opt/python, Node.js"
                + " requires from /opt/nodejs/node_modules, /opt/bin is on the PATH and /opt/lib on"
                + " LD_LIBRARY_PATH.");
        note.getStyleClass().add("text-muted");
        note.setWrapText(true);
        HBox body = new HBox(8, list, moves);
        HBox.setHgrow(list, javafx.scene.layout.Priority.ALWAYS);
        getChildren().addAll(body, adding, problem, note, actions);
        model.reloadAvailable();
    }
}
