package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionAlias;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Tables;
import javafx.collections.MapChangeListener;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Aliases tab: each alias with the version it points to, the split of its invocations when it has a weighted
 * second version, the invocations those versions ran in the last 24 hours and its function URL; create, edit and
 * delete through a dialog; make (auth type NONE) or delete the selected alias's URL. FX thread only.
 */
final class AliasesTabView extends BorderPane {
    private final AliasesViewModel model;
    private final TableView<FunctionAlias> table = new TableView<>();

    AliasesTabView(AliasesViewModel model, VersionsViewModel versions) {
        this.model = model;
        getStyleClass().add("aliases-tab");
        table.setId("aliases-table");
        table.setItems(model.aliases());
        table.setPlaceholder(new Label("No aliases. Create one to give callers a name that you move between"
                + " versions."));
        table.getColumns().add(Tables.column("Alias", 120, FunctionAlias::name));
        table.getColumns().add(Tables.column("Version (share)", 150, AliasesViewModel::routing));
        table.getColumns().add(Tables.column("Invocations, 24 h (per version)", 200, model::invocations));
        if (model.servesUrls()) {
            table.getColumns().add(Tables.column("Function URL", 220, a -> model.urls().getOrDefault(a.name(), "")));
            model.urls().addListener((MapChangeListener<String, String>) change -> table.refresh());
        }
        table.getColumns().add(Tables.column("Description", 180, FunctionAlias::description));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, FunctionAlias::name);
        // counts change as invocations finish: the rows show them anew
        versions.invocations().addListener((MapChangeListener<String, Long>) change -> table.refresh());

        Button create = new Button("Create alias", new FontIcon(Feather.PLUS));
        create.setId("aliases-create");
        create.setOnAction(e -> new AliasDialog(model, null, getScene().getWindow()).showAndWait());
        Button edit = new Button("Edit", new FontIcon(Feather.EDIT_2));
        edit.setId("aliases-edit");
        edit.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        edit.setOnAction(e -> new AliasDialog(model, table.getSelectionModel().getSelectedItem(),
                getScene().getWindow()).showAndWait());
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("aliases-delete");
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.setOnAction(e -> delete(table.getSelectionModel().getSelectedItem()));
        Button createUrl = new Button("Create URL", new FontIcon(Feather.LINK));
        createUrl.setId("aliases-create-url");
        Button deleteUrl = new Button("Delete URL", new FontIcon(Feather.X));
        deleteUrl.setId("aliases-delete-url");
        var selected = table.getSelectionModel().selectedItemProperty();
        createUrl.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> selected.get() == null
                || model.urls().containsKey(selected.get().name()), selected, model.urls()));
        deleteUrl.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> selected.get() == null
                || !model.urls().containsKey(selected.get().name()), selected, model.urls()));
        createUrl.setOnAction(e -> model.createUrl(selected.get()));
        deleteUrl.setOnAction(e -> {
            FunctionAlias alias = selected.get();
            if (Dialogs.confirm(getScene().getWindow(), "Delete function URL", "Delete the URL of alias "
                    + alias.name() + "?", "Its address answers 404 from now on; a URL made again gets another"
                    + " address.", "Delete")) {
                model.deleteUrl(alias);
            }
        });
        createUrl.setVisible(model.servesUrls());
        createUrl.setManaged(model.servesUrls());
        deleteUrl.setVisible(model.servesUrls());
        deleteUrl.setManaged(model.servesUrls());
        Label status = new Label();
        status.setId("aliases-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, create, edit, delete, createUrl, deleteUrl, status, spacer);
        bar.setAlignment(Pos.CENTER_LEFT);
        VBox content = new VBox(8, bar, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        setCenter(content);
    }

    private void delete(FunctionAlias alias) {
        if (Dialogs.confirm(getScene().getWindow(), "Delete alias", "Delete the alias " + alias.name() + "?",
                "Callers that invoke " + alias.name() + " will get ResourceNotFoundException. The versions stay.",
                "Delete")) {
            model.delete(alias);
        }
    }
}
