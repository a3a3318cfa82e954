package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.ui.common.ByteSize;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.util.function.Consumer;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Creates a volume: its size, optionally the completed snapshot it is made from, and a name, with the free space of
 * the region's disk beside them. The dialog stays open until the engine answers, and shows its refusal; it returns
 * the new volume, or nothing if cancelled.
 */
final class CreateVolumeDialog extends Dialog<Volume> {
    /** Creates the volume in the background, as the view models' commands do. */
    interface Create {
        void create(String region, int sizeGiB, String snapshotId, String name, Consumer<Volume> onCreated,
                    Consumer<Throwable> onFailure);
    }

    private final Spinner<Integer> size = new Spinner<>();
    private final ComboBox<Snapshot> snapshot = new ComboBox<>();
    private final Label sizeHint = new Label();
    private final Label message = new Label();
    private Volume created;

    /** {@code preselected}: the snapshot chosen at first, or null for an empty volume. */
    CreateVolumeDialog(Window owner, NewVolumeChoices choices, Snapshot preselected, Create create) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create volume");
        setHeaderText("Create a volume in " + choices.region() + ": an empty disk, or a copy of a snapshot.");
        ButtonType createType = new ButtonType("Create volume", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);

        size.setId("volume-size");
        size.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, VolumeService.MAX_SIZE_GIB, 8));
        size.setEditable(true);
        size.setPrefWidth(140);
        sizeHint.setId("volume-size-hint");
        sizeHint.getStyleClass().add("text-muted");
        sizeHint.setWrapText(true);

        snapshot.setId("volume-snapshot");
        snapshot.getItems().add(null);
        snapshot.getItems().addAll(choices.snapshots());
        snapshot.setCellFactory(list -> new SnapshotCell());
        snapshot.setButtonCell(new SnapshotCell());
        snapshot.setMaxWidth(Double.MAX_VALUE);
        snapshot.valueProperty().addListener((obs, old, chosen) -> snapshotChosen(chosen));
        snapshot.setValue(preselected);
        snapshotChosen(preselected);

        TextField name = new TextField();
        name.setId("volume-name");
        name.setPromptText("optional, e.g. data");

        Label free = new Label("Free space on the disk that holds the volumes of " + choices.region() + ": "
                + ByteSize.of(choices.freeBytes()) + ". A volume's file starts small and grows as the guest writes"
                + " to it, but a volume larger than the free space is refused.");
        free.setId("volume-free-space");
        free.setWrapText(true);
        free.getStyleClass().add("text-muted");
        message.setId("volume-create-message");
        message.setWrapText(true);
        message.getStyleClass().add("error-text");

        GridPane form = VolumeDialogs.form();
        form.addRow(0, new Label("Size (GiB)"), size);
        form.add(sizeHint, 1, 1);
        form.addRow(2, new Label("Snapshot"), snapshot);
        form.addRow(3, new Label("Name"), name);
        GridPane.setHgrow(snapshot, Priority.ALWAYS);
        GridPane.setHgrow(name, Priority.ALWAYS);
        VBox body = new VBox(12, form, free, message);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button confirm = (Button) getDialogPane().lookupButton(createType);
        confirm.setId("create-volume-confirm");
        confirm.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // the dialog stays open until the engine answers
            Integer gib = typedSize();
            if (gib == null) {
                message.setText("The size is a whole number of GiB, from 1 to " + VolumeService.MAX_SIZE_GIB + ".");
                return;
            }
            confirm.setDisable(true);
            message.setText("Creating...");
            Snapshot from = snapshot.getValue();
            create.create(choices.region(), gib, from == null ? null : from.id(), name.getText(), volume -> {
                created = volume;
                setResult(volume);
                close();
            }, failure -> {
                message.setText(Errors.message(failure));
                confirm.setDisable(false);
            });
        });
        setResultConverter(button -> created);
    }

    /** The size as typed (a spinner commits typed text only on Enter), or null when it is not a number. */
    private Integer typedSize() {
        try {
            int gib = Integer.parseInt(size.getEditor().getText().strip());
            size.getValueFactory().setValue(gib);
            return gib;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void snapshotChosen(Snapshot chosen) {
        if (chosen == null) {
            sizeHint.setText("An empty disk, with no file system: format it in the guest.");
            return;
        }
        sizeHint.setText("At least " + chosen.volumeSizeGiB() + " GiB, the size of the volume " + chosen.id()
                + " was taken of. A larger volume holds the snapshot's blocks followed by unused space: grow the"
                + " file system in the guest to use it.");
        size.getValueFactory().setValue(chosen.volumeSizeGiB());
    }

    /** How a snapshot is named in the list: id, size, description. */
    static String describe(Snapshot s) {
        return s.id() + " (" + s.volumeSizeGiB() + " GiB" + (s.description() == null || s.description().isEmpty()
                ? ")" : "): " + s.description());
    }

    private static final class SnapshotCell extends ListCell<Snapshot> {
        @Override
        protected void updateItem(Snapshot item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty ? null : item == null ? "No snapshot (an empty volume)" : describe(item));
        }
    }
}
