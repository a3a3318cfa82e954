package dev.nube.ui.keys;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.SshPublicKey;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.io.File;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** Imports a public key pasted or loaded from a .pub file; says what is wrong with it as it is typed. */
final class ImportKeyPairDialog extends Dialog<KeyPair> {
    private final TextField name = new TextField();
    private final TextArea publicKey = new TextArea();
    private final Label message = new Label();
    private KeyPair imported;

    ImportKeyPairDialog(KeyPairsViewModel model, Window owner) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Import key pair");
        setHeaderText("Import the public key of a key pair you already have. Nube keeps no private key for it.");
        ButtonType importType = new ButtonType("Import key pair", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(importType, ButtonType.CANCEL);

        name.setId("import-name");
        publicKey.setId("import-public-key");
        publicKey.setPromptText("ssh-ed25519 AAAA... you@host");
        publicKey.setWrapText(true);
        publicKey.setPrefRowCount(5);
        Button load = new Button("Load from file...");
        load.setOnAction(e -> loadFile(model));
        message.setId("import-message");
        message.setWrapText(true);
        VBox body = new VBox(8, new Label("Name"), name, new HBox(8, new Label("Public key"), load), publicKey,
                message);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button importButton = (Button) getDialogPane().lookupButton(importType);
        importButton.setId("import-key");
        name.textProperty().addListener((obs, old, text) -> validate(importButton));
        publicKey.textProperty().addListener((obs, old, text) -> validate(importButton));
        validate(importButton);
        importButton.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            importButton.setDisable(true);
            model.importPublicKey(name.getText(), publicKey.getText(), key -> {
                imported = key;
                setResult(key);
                close();
            }, failure -> {
                showProblem(Errors.message(failure));
                importButton.setDisable(false);
            });
        });
        setResultConverter(button -> imported);
    }

    private void loadFile(KeyPairsViewModel model) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Public key file");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Public keys (*.pub)", "*.pub"),
                new FileChooser.ExtensionFilter("All files", "*"));
        File home = new File(System.getProperty("user.home"), ".ssh");
        if (home.isDirectory()) {
            chooser.setInitialDirectory(home);
        }
        File file = chooser.showOpenDialog(getDialogPane().getScene().getWindow());
        if (file == null) {
            return;
        }
        if (file.length() > 64 * 1024) {
            showProblem(file + " is too large to be a public key.");
            return;
        }
        model.readText(file.toPath(), text -> {
            publicKey.setText(text.strip());
            if (name.getText().isEmpty()) {
                name.setText(file.getName().replaceFirst("\\.pub$", ""));
            }
        }, failure -> showProblem(Errors.message(failure)));
    }

    private void validate(Button importButton) {
        var nameProblem = KeyPair.nameProblem(name.getText());
        String keyProblem = null;
        SshPublicKey parsed = null;
        try {
            parsed = SshPublicKey.parse(publicKey.getText());
        } catch (EngineException e) {
            keyProblem = e.getMessage();
        }
        importButton.setDisable(nameProblem.isPresent() || parsed == null);
        if (!name.getText().isEmpty() && nameProblem.isPresent()) {
            showProblem(nameProblem.get());
        } else if (!publicKey.getText().isBlank() && keyProblem != null) {
            showProblem(keyProblem);
        } else if (parsed != null) {
            message.getStyleClass().remove("error-text");
            message.setText(parsed.type().keygenName() + " " + parsed.bits() + " bits, " + parsed.fingerprint());
        } else {
            message.setText("");
        }
    }

    private void showProblem(String text) {
        if (!message.getStyleClass().contains("error-text")) {
            message.getStyleClass().add("error-text");
        }
        message.setText(text);
    }
}
