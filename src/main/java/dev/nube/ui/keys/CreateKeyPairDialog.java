package dev.nube.ui.keys;

import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.io.File;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Creates a key pair: name (checked as typed) and type. Once created, offers the private key for download and says
 * that Nube keeps a copy for one-click SSH. Returns the created key pair, or nothing if cancelled.
 */
public final class CreateKeyPairDialog extends Dialog<KeyPair> {
    private final KeyPairsViewModel model;
    private final TextField name = new TextField();
    private final ToggleGroup type = new ToggleGroup();
    private final Label message = new Label();
    private final ButtonType createType = new ButtonType("Create key pair", ButtonBar.ButtonData.OK_DONE);
    private KeyPair created;

    public CreateKeyPairDialog(KeyPairsViewModel model, Window owner) {
        this.model = model;
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create key pair");
        setHeaderText("Create a key pair to log in to your instances with SSH.");
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);

        name.setId("key-name");
        name.setPromptText("e.g. my-laptop");
        RadioButton ed25519 = option("ED25519 (recommended)", KeyType.ED25519, 0);
        ed25519.setSelected(true);
        HBox types = new HBox(16, ed25519, option("RSA 2048", KeyType.RSA, 2048), option("RSA 4096", KeyType.RSA, 4096));

        Label keeps = new Label("Nube keeps a copy of the private key, readable only by you (mode 0600), in this"
                + " region's folder, because one-click SSH (Connect) needs it. You can save the private key now and"
                + " again later from the key pair's menu.");
        keeps.setWrapText(true);
        keeps.getStyleClass().add("text-muted");
        message.setId("key-create-message");
        message.setWrapText(true);
        message.getStyleClass().add("error-text");

        VBox body = new VBox(8, new Label("Name"), name, new Label("Key type"), types, keeps, message);
        body.setPrefWidth(520);
        getDialogPane().setContent(body);

        Button create = (Button) getDialogPane().lookupButton(createType);
        create.setId("key-create");
        name.textProperty().addListener((obs, old, text) -> validate(create));
        validate(create);
        create.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            create.setDisable(true);
            message.setText("Creating...");
            KeySpec spec = (KeySpec) type.getSelectedToggle().getUserData();
            model.create(name.getText(), spec.type(), spec.bits(), this::showCreated, failure -> {
                message.setText(Errors.message(failure));
                create.setDisable(false);
            });
        });
        setResultConverter(button -> created);
        javafx.application.Platform.runLater(name::requestFocus);
    }

    private record KeySpec(KeyType type, int bits) {
    }

    private RadioButton option(String label, KeyType keyType, int bits) {
        RadioButton button = new RadioButton(label);
        button.setToggleGroup(type);
        button.setUserData(new KeySpec(keyType, bits));
        return button;
    }

    private void validate(Button create) {
        var problem = KeyPair.nameProblem(name.getText());
        message.setText(name.getText().isEmpty() ? "" : problem.orElse(""));
        create.setDisable(problem.isPresent());
    }

    /** Switches the dialog to its second step: the key exists; offer the private key. */
    private void showCreated(KeyPairService.Created result) {
        created = result.keyPair();
        setHeaderText("Key pair '" + created.name() + "' created");
        Label fingerprint = new Label("Fingerprint: " + created.fingerprint());
        fingerprint.setWrapText(true);
        Label hint = new Label("Save the private key where your SSH client finds it (e.g. ~/.ssh). Nube also keeps"
                + " a copy for Connect; you can save it again later from the key pair's menu.");
        hint.setWrapText(true);
        Label saved = new Label();
        saved.setId("key-saved");
        saved.setWrapText(true);
        Button save = new Button("Save private key...");
        save.setId("save-private-key");
        save.getStyleClass().add("accent");
        save.setOnAction(e -> {
            File file = KeyPairsView.choosePrivateKeyFile(getDialogPane().getScene().getWindow(), created);
            if (file != null) {
                model.savePrivateKey(created, file.toPath(), () -> saved.setText("Saved to " + file
                        + " (mode 0600)."), failure -> saved.setText(Errors.message(failure)));
            }
        });
        VBox body = new VBox(10, fingerprint, hint, save, saved);
        body.setPrefWidth(520);
        getDialogPane().setContent(body);
        getDialogPane().getButtonTypes().setAll(ButtonType.CLOSE);
        getDialogPane().getScene().getWindow().sizeToScene();
    }

    static FileChooser.ExtensionFilter pemFilter() {
        return new FileChooser.ExtensionFilter("Private key (*.pem)", "*.pem");
    }
}
