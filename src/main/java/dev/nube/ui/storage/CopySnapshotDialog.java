package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.region.Region;
import dev.nube.ui.common.ByteSize;
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

/** Asks where to copy a snapshot and with which description. Returns the choice; the caller asks the engine. */
final class CopySnapshotDialog extends Dialog<CopySnapshotDialog.Choice> {
    /** The destination region and the description (empty: the engine's default). */
    record Choice(String region, String description) {
    }

    /** {@code from}: the snapshot's region; {@code regions}: every region (another one is chosen first). */
    CopySnapshotDialog(Window owner, Snapshot snapshot, String from, List<Region> regions) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Copy snapshot");
        setHeaderText("Copy " + snapshot.id() + " (" + ByteSize.of(snapshot.storedBytes()) + ") to a region");
        ButtonType copyType = new ButtonType("Copy snapshot", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(copyType, ButtonType.CANCEL);

        ComboBox<String> destination = new ComboBox<>();
        destination.setId("copy-destination");
        regions.forEach(r -> destination.getItems().add(r.name()));
        destination.setCellFactory(list -> new RegionCell(from));
        destination.setButtonCell(new RegionCell(from));
        destination.setValue(regions.stream().map(Region::name).filter(name -> !name.equals(from)).findFirst()
                .orElse(from));
        destination.setMaxWidth(Double.MAX_VALUE);
        TextField description = new TextField();
        description.setId("copy-description");
        description.setPromptText("optional");
        String byDefault = "[Copied " + snapshot.id() + " from " + from + "] " + (snapshot.description() == null ? ""
                : snapshot.description());

        GridPane form = VolumeDialogs.form();
        form.addRow(0, new Label("Destination region"), destination);
        form.addRow(1, new Label("Description"), description);
        GridPane.setHgrow(destination, Priority.ALWAYS);
        GridPane.setHgrow(description, Priority.ALWAYS);
        Label note = new Label("The copy is listed in the destination region at once, pending; it is made in the"
                + " background (its progress shows in Tasks, where it can be cancelled) and checked against the"
                + " snapshot's checksum there before it completes. Without a description, it is described as \""
                + byDefault.strip() + "\".");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        VBox body = new VBox(12, form, note);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button copy = (Button) getDialogPane().lookupButton(copyType);
        copy.setId("copy-snapshot-confirm");
        copy.disableProperty().bind(destination.valueProperty().isNull());
        setResultConverter(button -> button == copyType ? new Choice(destination.getValue(),
                description.getText().strip()) : null);
    }

    private static final class RegionCell extends ListCell<String> {
        private final String from;

        RegionCell(String from) {
            this.from = from;
        }

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.equals(from) ? item + " (this region)" : item);
        }
    }
}
