package dev.nube.ui.storage;

import dev.nube.ui.common.Dialogs;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Attaches a volume to an instance: the person chooses the other side (an instance for a volume, or a volume for an
 * instance) and optionally the device name. Returns the choice, or nothing if cancelled; the caller asks the engine.
 */
public final class AttachVolumeDialog extends Dialog<AttachVolumeDialog.Choice> {
    /** One thing to choose from: its id and how it is shown. */
    public record Option(String id, String text) {
    }

    /** What the person chose: the id of the instance or volume, and the device name (empty: the first free one). */
    public record Choice(String id, String device) {
    }

    /**
     * @param header what is attached to what, in words ("Attach vol-0abc (data), 8 GiB to an instance")
     * @param what   what the person chooses ("Instance" or "Volume")
     */
    public AttachVolumeDialog(Window owner, String header, String what, List<Option> options) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Attach volume");
        setHeaderText(header);
        ButtonType attachType = new ButtonType("Attach volume", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(attachType, ButtonType.CANCEL);

        ComboBox<Option> choice = new ComboBox<>();
        choice.setId("attach-choice");
        choice.getItems().setAll(options);
        choice.setCellFactory(list -> new OptionCell());
        choice.setButtonCell(new OptionCell());
        choice.setMaxWidth(Double.MAX_VALUE);
        if (!options.isEmpty()) {
            choice.setValue(options.get(0));
        }
        TextField device = new TextField();
        device.setId("attach-device");
        device.setPromptText("/dev/sdf to /dev/sdp; empty for the first free one");

        GridPane form = VolumeDialogs.form();
        form.addRow(0, new Label(what), choice);
        form.addRow(1, new Label("Device name"), device);
        GridPane.setHgrow(choice, Priority.ALWAYS);
        GridPane.setHgrow(device, Priority.ALWAYS);
        Label note = new Label("A running instance gets the volume at once, as a new disk (hot-plug); a stopped one at"
                + " its next start. In the guest it is a virtio disk whose serial is the volume id without its dash:"
                + " /dev/disk/by-id/virtio-vol...");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        VBox body = new VBox(12, form, note);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button attach = (Button) getDialogPane().lookupButton(attachType);
        attach.setId("attach-volume-confirm");
        attach.disableProperty().bind(choice.valueProperty().isNull());
        setResultConverter(button -> button == attachType && choice.getValue() != null
                ? new Choice(choice.getValue().id(), device.getText().strip()) : null);
    }

    private static final class OptionCell extends ListCell<Option> {
        @Override
        protected void updateItem(Option item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.text());
        }
    }
}
