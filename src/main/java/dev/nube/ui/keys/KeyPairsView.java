package dev.nube.ui.keys;

import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.io.File;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The key pairs page: the table, create, import, save private key and delete. FX thread only. */
public final class KeyPairsView extends StackPane {
    static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    private final KeyPairsViewModel model;
    private final TableView<KeyPair> table = new TableView<>();

    public KeyPairsView(KeyPairsViewModel model) {
        this.model = model;
        table.setId("key-pairs-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new javafx.scene.control.Label("No key pairs in this region. Create one, or import"
                + " the public key of one you have."));
        table.getColumns().add(Tables.column("Name", 160, KeyPair::name));
        table.getColumns().add(Tables.column("ID", 205, KeyPair::id));
        table.getColumns().add(Tables.column("Type", 80, k -> k.type().label()
                + (k.type() == dev.nube.engine.compute.keys.KeyType.RSA ? " " + k.bits() : "")));
        table.getColumns().add(Tables.column("Fingerprint", 400, KeyPair::fingerprint));
        table.getColumns().add(Tables.column("Private key", 150, k -> k.privateKeyKept() ? "Kept by Nube"
                : "Not held (imported)"));
        table.getColumns().add(Tables.column("Created", 140, k -> CREATED.format(k.createdAt())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, KeyPair::id);
        table.setRowFactory(t -> {
            TableRow<KeyPair> row = new TableRow<>();
            row.contextMenuProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(
                    () -> row.getItem() == null ? null : menuFor(row.getItem()), row.emptyProperty(), row.itemProperty()));
            return row;
        });
        table.setOnKeyPressed(e -> {
            KeyPair selected = table.getSelectionModel().getSelectedItem();
            if (e.getCode() == KeyCode.DELETE && selected != null) {
                delete(selected);
            }
        });

        Button create = new Button("Create key pair", new FontIcon(Feather.PLUS));
        create.setId("create-key-pair");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> new CreateKeyPairDialog(model, window()).showAndWait());
        Button importKey = new Button("Import key pair", new FontIcon(Feather.UPLOAD));
        importKey.setId("import-key-pair");
        importKey.setOnAction(e -> new ImportKeyPairDialog(model, window()).showAndWait());
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("delete-key-pair");
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.setOnAction(e -> delete(table.getSelectionModel().getSelectedItem()));
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        getChildren().add(new ResourcePage("Key pairs", model.list(), table, refresh, delete, importKey, create));
    }

    private ContextMenu menuFor(KeyPair keyPair) {
        MenuItem copy = new MenuItem("Copy public key");
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(keyPair.publicKey());
            Clipboard.getSystemClipboard().setContent(content);
        });
        MenuItem save = new MenuItem("Save private key...");
        save.setDisable(!keyPair.privateKeyKept());
        save.setOnAction(e -> {
            File file = choosePrivateKeyFile(window(), keyPair);
            if (file != null) {
                model.savePrivateKey(keyPair, file.toPath(), () -> { },
                        failure -> Dialogs.error(window(), "Could not save the private key", failure));
            }
        });
        MenuItem delete = new MenuItem("Delete");
        delete.setOnAction(e -> delete(keyPair));
        return new ContextMenu(copy, save, new javafx.scene.control.SeparatorMenuItem(), delete);
    }

    private void delete(KeyPair keyPair) {
        String details = keyPair.privateKeyKept()
                ? "Nube deletes the key pair and the private key it keeps. Instances launched with it keep the"
                + " public key, but Connect can no longer log in to them unless you saved the private key."
                : "Nube deletes the imported public key. Instances launched with it keep it.";
        if (Dialogs.confirm(window(), "Delete key pair", "Delete key pair '" + keyPair.name() + "'?", details,
                "Delete")) {
            model.delete(keyPair, () -> { }, failure -> Dialogs.error(window(), "Could not delete the key pair",
                    failure));
        }
    }

    static File choosePrivateKeyFile(Window owner, KeyPair keyPair) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save private key of " + keyPair.name());
        chooser.setInitialFileName(keyPair.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".pem");
        chooser.getExtensionFilters().add(CreateKeyPairDialog.pemFilter());
        File ssh = new File(System.getProperty("user.home"), ".ssh");
        if (ssh.isDirectory()) {
            chooser.setInitialDirectory(ssh);
        }
        return chooser.showSaveDialog(owner);
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
