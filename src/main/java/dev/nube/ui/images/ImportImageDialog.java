package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.compute.images.ImageImport.BootChoice;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.io.File;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/**
 * Imports a cloud image file (qcow2 or raw) as an image of the region: the file, the image's name, description,
 * default user and boot mode. Choosing a file fills the name and user with the defaults read from its name, and shows
 * what the checks say of it (format, size, ways to boot, or why it is refused). The dialog stays open until the
 * engine answers, shows its refusal in the engine's words, and returns the image (pending while its disk is
 * converted), or nothing if cancelled.
 */
final class ImportImageDialog extends Dialog<Image> {
    /** Reads the defaults and checks of a file in the background, as the view model's command does. */
    interface Preview {
        void preview(Path file, Consumer<ImageImport.Preview> onRead, Consumer<Throwable> onFailure);
    }

    /** Starts the import in the background, as the view model's command does. */
    interface Import {
        void start(ImageImport.Request request, Consumer<Image> onStarted, Consumer<Throwable> onFailure);
    }

    private Image imported;
    /** The file whose preview was asked for last: an older answer arriving late is dropped. */
    private Path previewed;

    ImportImageDialog(Window owner, String region, Preview preview, Import start) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Import image");
        setHeaderText("Import a cloud image file into " + region);
        ButtonType importType = new ButtonType("Import image", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(importType, ButtonType.CANCEL);

        TextField file = new TextField();
        file.setId("import-image-file");
        file.setPromptText("a .qcow2, .img or .raw file");
        Button choose = new Button("Choose...");
        choose.setId("import-image-choose");
        HBox fileRow = new HBox(8, file, choose);
        HBox.setHgrow(file, Priority.ALWAYS);
        Label facts = new Label();
        facts.setId("import-image-facts");
        facts.setWrapText(true);
        facts.getStyleClass().add("text-muted");
        TextField name = new TextField();
        name.setId("import-image-name");
        name.setPromptText("the file's name");
        TextField description = new TextField();
        description.setId("import-image-description");
        description.setPromptText("optional");
        TextField user = new TextField();
        user.setId("import-image-user");
        user.setPromptText("guessed from the file's name");
        ComboBox<BootChoice> boot = new ComboBox<>();
        boot.setId("import-image-boot");
        boot.getItems().setAll(BootChoice.values());
        boot.setValue(BootChoice.AUTOMATIC);
        boot.setCellFactory(list -> new BootCell());
        boot.setButtonCell(new BootCell());
        boot.setMaxWidth(Double.MAX_VALUE);

        GridPane form = Dialogs.form();
        form.addRow(0, new Label("Image file"), fileRow);
        form.add(facts, 1, 1);
        form.addRow(2, new Label("Name"), name);
        form.addRow(3, new Label("Description"), description);
        form.addRow(4, new Label("Default user"), user);
        form.addRow(5, new Label("Boot mode"), boot);
        for (javafx.scene.Node field : new javafx.scene.Node[] {fileRow, facts, name, description, user, boot}) {
            GridPane.setHgrow(field, Priority.ALWAYS);
        }
        Label note = new Label("Instances boot from the image's own disk with its own boot loader, by the BIOS"
                + " (SeaBIOS) or by UEFI (OVMF); Automatic takes BIOS where the disk has it. Nube checks the file's"
                + " format, size and partition table only: the first launch shows whether the guest really boots and"
                + " its cloud-init reads the metadata service (see the instance's console output). The default user"
                + " is the one the image's cloud-init makes; your key pair goes to that user. The file is converted"
                + " to qcow2 in the region's folder: the image is pending until then, the conversion in Tasks.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        Label message = Dialogs.problemLabel("import-image-message");
        for (Label whole : new Label[] {facts, note, message}) {
            whole.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, however many lines it takes
        }
        VBox body = new VBox(12, form, note, message);
        body.setPrefWidth(620);
        getDialogPane().setContent(body);

        Runnable readFile = () -> {
            String text = file.getText().strip();
            if (text.isEmpty()) {
                return;
            }
            Path chosen;
            try {
                chosen = Path.of(text);
            } catch (java.nio.file.InvalidPathException e) {
                message.setText("Not a file path: " + e.getMessage());
                return;
            }
            if (chosen.equals(previewed)) {
                return;
            }
            previewed = chosen;
            message.setText("");
            facts.setText("Reading " + chosen.getFileName() + "...");
            preview.preview(chosen, read -> {
                if (!chosen.equals(previewed)) {
                    return;
                }
                name.setText(read.defaults().name());
                user.setText(read.defaults().sshUser());
                facts.setText(describe(read));
            }, failure -> {
                if (chosen.equals(previewed)) {
                    facts.setText(Errors.message(failure));
                }
            });
        };
        file.setOnAction(e -> readFile.run());
        file.focusedProperty().addListener((obs, was, focused) -> {
            if (!focused) {
                readFile.run();
            }
        });
        choose.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Cloud image file");
            chooser.getExtensionFilters().addAll(
                    new FileChooser.ExtensionFilter("Cloud images (*.qcow2, *.img, *.raw)", "*.qcow2", "*.img",
                            "*.raw"),
                    new FileChooser.ExtensionFilter("All files", "*"));
            File picked = chooser.showOpenDialog(getDialogPane().getScene().getWindow());
            if (picked != null) {
                file.setText(picked.getAbsolutePath());
                readFile.run();
            }
        });

        Button confirm = (Button) getDialogPane().lookupButton(importType);
        confirm.setId("import-image-confirm");
        confirm.disableProperty().bind(file.textProperty().isEmpty());
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            confirm.disableProperty().unbind();
            confirm.setDisable(true);
            Path chosen;
            try {
                chosen = Path.of(file.getText().strip());
            } catch (java.nio.file.InvalidPathException e) {
                message.setText("Not a file path: " + e.getMessage());
                confirm.setDisable(false);
                return;
            }
            message.setText("Checking the file...");
            start.start(new ImageImport.Request(chosen, name.getText(),
                    description.getText(), user.getText(), boot.getValue()), started -> {
                        imported = started;
                        setResult(started);
                        close();
                    }, failure -> {
                        message.setText(Errors.message(failure));
                        confirm.disableProperty().bind(file.textProperty().isEmpty());
                    });
        });
        setResultConverter(button -> imported);
    }

    /** What the checks say of a file, in a line. */
    static String describe(ImageImport.Preview read) {
        StringBuilder text = new StringBuilder();
        if (read.disk() != null) {
            long size = read.disk().virtualSize();
            text.append(read.disk().format()).append(", virtual size ").append(size < 1L << 30
                    ? String.format(Locale.ROOT, "%.1f MiB", size / (double) (1L << 20))
                    : String.format(Locale.ROOT, "%.1f GiB", size / (double) (1L << 30))).append(" (root device ")
                    .append(read.disk().virtualGiB()).append(" GiB)");
        }
        if (read.boot() != null && (read.boot().biosBootable() || read.boot().efiSystemPartition())) {
            text.append(", boots by ").append(read.boot().describe());
        }
        if (read.problem() != null) {
            text.append(text.length() == 0 ? "" : ". ").append("Cannot be imported: ").append(read.problem());
        } else {
            text.append(".");
        }
        return text.toString();
    }

    private static final class BootCell extends ListCell<BootChoice> {
        @Override
        protected void updateItem(BootChoice item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : switch (item) {
                case AUTOMATIC -> "Automatic (BIOS where the disk has it, else UEFI)";
                case BIOS -> "BIOS (SeaBIOS)";
                case UEFI -> "UEFI (OVMF)";
            });
        }
    }
}
