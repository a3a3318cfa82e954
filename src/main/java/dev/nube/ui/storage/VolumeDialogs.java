package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.ui.common.Dialogs;
import java.util.Optional;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * The small questions volume actions ask: a new size, a snapshot's description, a name. Each returns the answer, or
 * nothing if cancelled; the caller asks the engine, which checks the answer. Modal: FX thread only.
 */
public final class VolumeDialogs {
    private VolumeDialogs() {
    }

    /** Asks for a larger size: a volume only grows. */
    public static Optional<Integer> newSize(Window owner, Volume volume) {
        Dialog<Integer> dialog = dialog(owner, "Modify volume size", "Grow " + volume.id() + " (" + volume.sizeGiB()
                + " GiB)", "Modify");
        Spinner<Integer> size = new Spinner<>();
        size.setId("volume-new-size");
        size.setEditable(true);
        size.setPrefWidth(140);
        int smallest = Math.min(volume.sizeGiB() + 1, VolumeService.MAX_SIZE_GIB);
        size.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(smallest, VolumeService.MAX_SIZE_GIB,
                smallest));
        Label note = new Label("A volume only grows: its new size must be larger than " + volume.sizeGiB() + " GiB,"
                + " and it cannot be made smaller again. " + (volume.attachment() == null
                ? "The file system on it is not grown: grow it in the guest once the volume is attached."
                : volume.root() ? "A running instance sees the larger disk at once; its root file system is grown at"
                + " its next boot." : "A running instance sees the larger disk at once; the file system on it is not"
                + " grown: grow it in the guest (for example with resize2fs)."));
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        Label problem = problemLabel("volume-new-size-message");
        GridPane form = form();
        form.addRow(0, new Label("New size (GiB)"), size);
        dialog.getDialogPane().setContent(body(form, note, problem));
        Button confirm = (Button) dialog.getDialogPane().lookupButton(dialog.getDialogPane().getButtonTypes().get(0));
        confirm.setId("modify-volume-confirm");
        confirm.addEventFilter(javafx.event.ActionEvent.ACTION, event -> {
            try {
                size.getValueFactory().setValue(Integer.parseInt(size.getEditor().getText().strip()));
            } catch (NumberFormatException e) {
                problem.setText("The size is a whole number of GiB.");
                event.consume();
            }
        });
        dialog.setResultConverter(button -> button.getButtonData() == ButtonBar.ButtonData.OK_DONE
                ? size.getValue() : null);
        return dialog.showAndWait();
    }

    /** Asks for the description of a snapshot of {@code volume}. */
    public static Optional<String> snapshotDescription(Window owner, Volume volume) {
        Dialog<String> dialog = dialog(owner, "Create snapshot", "Create a snapshot of " + VolumeColumns.describe(
                volume), "Create snapshot");
        TextField description = new TextField();
        description.setId("snapshot-description");
        description.setPromptText("optional, e.g. before the upgrade");
        Label note = new Label("A snapshot is a compressed copy of every block of the volume as it is now, kept in"
                + " this region. " + (volume.attachment() == null ? "" : "Of a volume in use by a running instance it"
                + " is taken by QEMU's backup job: what the guest writes afterwards is not in it, and the instance"
                + " cannot be stopped or started until the snapshot is taken. ") + "Its progress shows in Tasks.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        GridPane form = form();
        form.addRow(0, new Label("Description"), description);
        GridPane.setHgrow(description, Priority.ALWAYS);
        dialog.getDialogPane().setContent(body(form, note));
        dialog.getDialogPane().lookupButton(dialog.getDialogPane().getButtonTypes().get(0))
                .setId("create-snapshot-confirm");
        dialog.setResultConverter(button -> button.getButtonData() == ButtonBar.ButtonData.OK_DONE
                ? description.getText().strip() : null);
        javafx.application.Platform.runLater(description::requestFocus);
        return dialog.showAndWait();
    }

    /** Asks for a volume's new name (empty removes it). */
    public static Optional<String> name(Window owner, Volume volume) {
        Dialog<String> dialog = dialog(owner, "Rename volume", "Rename " + volume.id(), "Rename");
        TextField name = new TextField(volume.name() == null ? "" : volume.name());
        name.setId("volume-new-name");
        GridPane form = form();
        form.addRow(0, new Label("Name"), name);
        GridPane.setHgrow(name, Priority.ALWAYS);
        Label note = new Label("The volume's Name tag; leave it empty to remove it.");
        note.getStyleClass().add("text-muted");
        dialog.getDialogPane().setContent(body(form, note));
        dialog.getDialogPane().lookupButton(dialog.getDialogPane().getButtonTypes().get(0))
                .setId("rename-volume-confirm");
        dialog.setResultConverter(button -> button.getButtonData() == ButtonBar.ButtonData.OK_DONE
                ? name.getText().strip() : null);
        javafx.application.Platform.runLater(name::requestFocus);
        return dialog.showAndWait();
    }

    /** Asks before detaching {@code volume} from its instance. */
    public static boolean confirmDetach(Window owner, Volume volume) {
        return Dialogs.confirm(owner, "Detach volume", "Detach " + volume.id() + " from "
                + volume.attachment().instanceId() + "?", "Unmount it in the guest first. A running instance must"
                + " release the disk: if it does not in time, nothing changes and the volume stays attached. From a"
                + " stopped instance it is detached at once.", "Detach");
    }

    private static <T> Dialog<T> dialog(Window owner, String title, String header, String action) {
        Dialog<T> dialog = new Dialog<>();
        dialog.initOwner(owner);
        Dialogs.style(dialog);
        dialog.setTitle(title);
        dialog.setHeaderText(header);
        dialog.getDialogPane().getButtonTypes().addAll(new ButtonType(action, ButtonBar.ButtonData.OK_DONE),
                ButtonType.CANCEL);
        return dialog;
    }

    /** A dialog's form: names in the first column, never cut short by a long text beside them; fields grow. */
    static GridPane form() {
        return Dialogs.form();
    }

    private static Label problemLabel(String id) {
        return Dialogs.problemLabel(id);
    }

    private static VBox body(javafx.scene.Node... nodes) {
        VBox body = new VBox(12, nodes);
        body.setPrefWidth(520);
        return body;
    }
}
