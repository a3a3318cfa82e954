package dev.nube.ui.instances;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.util.function.Consumer;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Makes an image of a running or stopped instance: its name (required), a description, and whether a running
 * instance is left running while its disk is copied. The dialog stays open until the engine answers, and shows its
 * refusal in the engine's words; it returns the new image (pending), or nothing if cancelled.
 */
final class CreateImageDialog extends Dialog<Image> {
    /** Starts the image in the background, as the view model's command does. */
    interface Create {
        void create(Instance instance, String name, String description, boolean noReboot, Consumer<Image> onStarted,
                    Consumer<Throwable> onFailure);
    }

    private Image created;

    CreateImageDialog(Window owner, Instance instance, Create create) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create image");
        setHeaderText("Create an image of " + instance.id() + (InstancesViewModel.nameOf(instance).isEmpty() ? ""
                : " (" + instance.name() + ")") + ", " + instance.state().awsName());
        ButtonType createType = new ButtonType("Create image", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);

        TextField name = new TextField();
        name.setId("image-name");
        name.setPromptText("3 to 128 characters, e.g. web server 2024-06");
        TextField description = new TextField();
        description.setId("image-description");
        description.setPromptText("optional");
        boolean running = instance.state() == InstanceState.RUNNING;
        CheckBox noReboot = new CheckBox("No reboot");
        noReboot.setId("image-no-reboot");
        noReboot.setDisable(!running);
        Label rebootNote = new Label();
        rebootNote.setId("image-no-reboot-note");
        rebootNote.setWrapText(true);
        rebootNote.getStyleClass().add("text-muted");
        Runnable explain = () -> rebootNote.setText(!running
                ? "The instance is stopped: its disk is copied as it is, and it stays stopped."
                : noReboot.isSelected()
                ? "The disk is copied while the instance runs, which keeps running. Files the guest has not written"
                + " out to its disk yet may be missing from the image."
                : "The instance is shut down cleanly, its root volume snapshotted, and started again: it is"
                + " unreachable meanwhile, and its file systems are consistent in the image.");
        noReboot.selectedProperty().addListener((obs, old, now) -> explain.run());
        explain.run();

        GridPane form = Dialogs.form();
        form.addRow(0, new Label("Name"), name);
        form.addRow(1, new Label("Description"), description);
        form.addRow(2, new Label(), noReboot);
        GridPane.setHgrow(name, Priority.ALWAYS);
        GridPane.setHgrow(description, Priority.ALWAYS);
        Label note = new Label("The image's disk is a new snapshot of the root volume (attached data volumes are not"
                + " in it), booted as the image the instance was launched from is (its kernel, or its own disk's boot"
                + " loader). It is listed on the Images"
                + " page at once, pending, and can be launched once it is available; its progress shows in Tasks,"
                + " where it can be cancelled.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        Label message = Dialogs.problemLabel("create-image-message");
        VBox body = new VBox(12, form, rebootNote, note, message);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button confirm = (Button) getDialogPane().lookupButton(createType);
        confirm.setId("create-image-confirm");
        // A name is required; what makes a good one (length, characters, unique in the region) the engine says.
        javafx.beans.binding.BooleanBinding noName = javafx.beans.binding.Bindings.createBooleanBinding(
                () -> name.getText().isBlank(), name.textProperty());
        confirm.disableProperty().bind(noName);
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            confirm.disableProperty().unbind();
            confirm.setDisable(true);
            message.setText("Starting...");
            create.create(instance, name.getText(), description.getText(), running && noReboot.isSelected(), image -> {
                created = image;
                setResult(image);
                close();
            }, failure -> {
                message.setText(Errors.message(failure));
                confirm.disableProperty().bind(noName);
            });
        });
        setResultConverter(button -> created);
        javafx.application.Platform.runLater(name::requestFocus);
    }
}
