package dev.nube.ui.access;

import dev.nube.engine.api.AccessKey;
import dev.nube.engine.api.AccessKeyService;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.io.File;
import javafx.event.ActionEvent;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Creates an access key (an optional description), then shows its id and its secret, once: with Copy buttons, IAM's
 * .csv file, the lines for {@code ~/.aws/credentials} and {@code ~/.aws/config} and a command to try. Nothing else
 * in the console shows the secret again; closing the dialog forgets it. Returns the created key, or nothing if
 * cancelled. FX thread only.
 */
public final class CreateAccessKeyDialog extends Dialog<AccessKey> {
    private static final double WIDTH = 780;

    private final AccessKeysViewModel model;
    private final TextField description = new TextField();
    private final Label message = Dialogs.problemLabel("access-key-create-message");
    private final ButtonType createType = new ButtonType("Create access key", ButtonBar.ButtonData.OK_DONE);
    private AccessKey created;

    public CreateAccessKeyDialog(AccessKeysViewModel model, Window owner) {
        this.model = model;
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create access key");
        setHeaderText("Create an access key for the aws CLI or an SDK.");
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);

        description.setId("access-key-description");
        description.setPromptText("Optional, e.g. laptop CLI or CI pipeline");
        Label what = new Label("The key is active at once and signs requests to Nube's AWS API in every region."
                + " Its secret is shown on the next step only.");
        what.setWrapText(true);
        what.getStyleClass().add("text-muted");
        VBox body = new VBox(8, new Label("Description"), description, what, message);
        body.setPrefWidth(WIDTH);
        getDialogPane().setContent(body);

        Button create = (Button) getDialogPane().lookupButton(createType);
        create.setId("access-key-create");
        Button cancel = (Button) getDialogPane().lookupButton(ButtonType.CANCEL);
        create.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers, then shows the secret
            create.setDisable(true);
            cancel.setDisable(true); // a key made after a Cancel would have its secret shown to no one
            message.setText("Creating...");
            model.create(description.getText(), this::showCreated, failure -> {
                message.setText(Errors.message(failure));
                create.setDisable(false);
                cancel.setDisable(false);
            });
        });
        setResultConverter(button -> created);
        javafx.application.Platform.runLater(description::requestFocus);
    }

    /** The second step: the key exists; show its secret this once, and how to use it. */
    private void showCreated(AccessKeyService.Created result) {
        created = result.key();
        setHeaderText("Access key " + created.id() + " created");

        Label warning = new Label("This is the only time the secret access key can be viewed or downloaded. Copy it"
                + " or download the .csv file now: if you lose it, create a new key and deactivate this one.",
                new FontIcon(Feather.ALERT_TRIANGLE));
        warning.setId("access-key-secret-warning");
        warning.setWrapText(true);
        warning.setMinHeight(Label.USE_PREF_SIZE);
        warning.getStyleClass().addAll("warning-text", "text-bold");

        GridPane keys = Dialogs.form();
        keys.setHgap(10);
        keys.setVgap(8);
        addRow(keys, 0, "Access key ID", field("created-access-key-id", created.id()));
        addRow(keys, 1, "Secret access key", field("created-secret-access-key", result.secretAccessKey()));

        Button download = new Button("Download .csv file", new FontIcon(Feather.DOWNLOAD));
        download.setId("download-access-key-csv");
        Label saved = new Label();
        saved.setId("access-key-csv-saved");
        saved.setWrapText(true);
        download.setOnAction(e -> {
            File file = chooseCsv();
            if (file != null) {
                model.saveCsv(result, file.toPath(), () -> saved.setText("Saved to " + file + " (mode 0600)."),
                        failure -> saved.setText(Errors.message(failure)));
            }
        });
        HBox downloadRow = new HBox(10, download, saved);
        downloadRow.setAlignment(Pos.CENTER_LEFT);

        Label setup = new Label("To use the key with the aws CLI, add these lines to ~/.aws/credentials:");
        setup.setWrapText(true);
        TextArea credentials = area("created-credentials", AccessKeysViewModel.credentialsLines(result));
        Label config = new Label("and these to ~/.aws/config (the profile's region is the one the console shows):");
        config.setWrapText(true);
        setup.setMinHeight(Label.USE_PREF_SIZE);
        config.setMinHeight(Label.USE_PREF_SIZE);
        TextArea configLines = area("created-config", model.configLines());
        Label tryIt = new Label("Then try:");
        TextArea example = area("created-example-command", model.exampleCommand());
        example.setWrapText(true);
        example.setPrefRowCount(2); // a long URL wraps it

        VBox body = new VBox(8, warning, keys, downloadRow, setup, withCopy(credentials), config,
                withCopy(configLines), tryIt, withCopy(example));
        body.setPrefWidth(WIDTH);
        getDialogPane().setContent(body);
        getDialogPane().getButtonTypes().setAll(ButtonType.CLOSE);
        Window window = getDialogPane().getScene().getWindow();
        window.sizeToScene();
        recenter(window);
    }

    /**
     * Centres the grown dialog over its owner again, inside the screen: it grew downwards from where the short first
     * step was centred, which would put its Close button below the bottom of a laptop's screen.
     */
    private void recenter(Window window) {
        Window owner = getOwner();
        double centreY = owner != null ? owner.getY() + owner.getHeight() / 2 : window.getY() + window.getHeight() / 2;
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getScreensForRectangle(window.getX(), window.getY(),
                window.getWidth(), window.getHeight()).stream().findFirst().orElse(javafx.stage.Screen.getPrimary())
                .getVisualBounds();
        double y = Math.min(centreY - window.getHeight() / 2, screen.getMaxY() - window.getHeight());
        window.setY(Math.max(screen.getMinY(), y));
    }

    private static void addRow(GridPane grid, int row, String name, TextField value) {
        Label label = new Label(name);
        label.setLabelFor(value);
        GridPane.setHgrow(value, Priority.ALWAYS);
        grid.addRow(row, label, value, copyButton(value));
    }

    private static TextField field(String id, String text) {
        TextField field = new TextField(text);
        field.setId(id);
        field.setEditable(false);
        field.getStyleClass().add("monospace");
        return field;
    }

    /** A read-only text of a few lines, all of them shown (without the last line's end, which would add a row). */
    private static TextArea area(String id, String text) {
        TextArea area = new TextArea(text.stripTrailing());
        area.setId(id);
        area.setEditable(false);
        area.setPrefRowCount((int) text.lines().count());
        area.setMinHeight(TextArea.USE_PREF_SIZE);
        area.getStyleClass().add("monospace");
        return area;
    }

    private static HBox withCopy(TextInputControl text) {
        HBox.setHgrow(text, Priority.ALWAYS);
        HBox row = new HBox(10, text, copyButton(text));
        row.setAlignment(Pos.TOP_LEFT);
        return row;
    }

    private static Button copyButton(TextInputControl text) {
        Button copy = new Button("Copy", new FontIcon(Feather.COPY));
        copy.setId("copy-" + text.getId());
        copy.setMinWidth(Button.USE_PREF_SIZE);
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(text.getText());
            Clipboard.getSystemClipboard().setContent(content);
        });
        return copy;
    }

    private File chooseCsv() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save access key " + created.id());
        chooser.setInitialFileName(AccessKeysViewModel.PROFILE + "_accessKeys.csv");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV file (*.csv)", "*.csv"));
        return chooser.showSaveDialog(getDialogPane().getScene().getWindow());
    }
}
