package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotState;
import dev.nube.ui.common.ByteSize;
import dev.nube.ui.common.DetailsGrid;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.binding.Bindings;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The snapshots page: the region's snapshots, a pending one with its progress, and making a volume from one, copying
 * one to a region, deleting one; the selected snapshot's details below. An action is offered for the selected
 * snapshot only where {@link SnapshotAction#allows} it. FX thread only.
 */
public final class SnapshotsView extends VBox {
    private static final DateTimeFormatter STARTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter STARTED_EXACTLY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final SnapshotsViewModel model;
    private final TableView<Snapshot> table = new TableView<>();
    private final Tables.SelectionById<Snapshot> selection;
    private final Label notice;
    private final Label title = new Label();
    private final DetailsGrid details = new DetailsGrid();

    public SnapshotsView(SnapshotsViewModel model) {
        this.model = model;
        table.setId("snapshots-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No snapshots in this region. Take one of a volume on the Volumes page."));
        table.getColumns().add(Tables.keepWhole(Tables.column("Snapshot ID", 190, Snapshot::id),
                "snap-00000000000000000"));
        table.getColumns().add(Tables.column("Description", 150, s -> s.description() == null ? ""
                : s.description()));
        table.getColumns().add(Tables.column("Volume", 190, Snapshot::volumeId));
        table.getColumns().add(Tables.column("Size", 70, s -> s.volumeSizeGiB() + " GiB"));
        table.getColumns().add(Tables.keepWhole(Tables.column("Stored", 90, s -> ByteSize.of(s.storedBytes())),
                "000.0 KiB"));
        table.getColumns().add(Tables.keepWhole(Tables.column("State", 120, SnapshotsView::stateText),
                "pending (99%)"));
        table.getColumns().add(Tables.keepWhole(Tables.column("Started", 130, s -> STARTED.format(s.startTime())),
                "0000-00-00 00:00"));
        table.getColumns().add(Tables.column("Copied from", 130, s -> s.copiedFrom() == null ? "-"
                : s.copiedFrom()));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        selection = Tables.keepSelectionById(table, Snapshot::id);

        Button createVolume = new Button("Create volume", new FontIcon(Feather.HARD_DRIVE));
        createVolume.setId("snapshot-create-volume");
        createVolume.getStyleClass().add("accent");
        enableFor(createVolume, SnapshotAction.CREATE_VOLUME);
        createVolume.setOnAction(e -> createVolume(selected()));
        Button copy = new Button("Copy to region", new FontIcon(Feather.COPY));
        copy.setId("copy-snapshot");
        enableFor(copy, SnapshotAction.COPY);
        copy.setOnAction(e -> copy(selected()));
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("delete-snapshot");
        enableFor(delete, SnapshotAction.DELETE);
        delete.setOnAction(e -> delete(selected()));
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        ResourcePage page = new ResourcePage("Snapshots", model.list(), table, refresh, delete, copy, createVolume);
        notice = page.addNotice("snapshots-notice");

        selection.selectedItemProperty().addListener((obs, old, snapshot) -> showDetails(snapshot));
        showDetails(null);
        getChildren().add(details.below(page, title, "snapshot-details"));
    }

    /** The selected snapshot's fields, whole. */
    private void showDetails(Snapshot s) {
        if (s == null) {
            title.setText("Select a snapshot to see its details.");
            details.show();
            return;
        }
        title.setText(s.id() + (s.description() == null || s.description().isEmpty() ? "" : " (" + s.description()
                + ")"));
        details.show(
                new String[] {"Snapshot ID", s.id()},
                new String[] {"Description", s.description() == null || s.description().isEmpty() ? "-"
                        : s.description()},
                new String[] {"State", stateText(s), "snapshot-details-state"},
                new String[] {"Started", STARTED_EXACTLY.format(s.startTime())},
                new String[] {"Volume", s.volumeId() + " (" + s.volumeSizeGiB() + " GiB: the smallest volume made"
                        + " from it)"},
                new String[] {"Stored", ByteSize.of(s.storedBytes()) + (s.state() == SnapshotState.PENDING
                        ? " so far" : " (compressed)")},
                new String[] {"Copied from", s.copiedFrom() == null ? "-" : s.copiedFrom()},
                new String[] {"Image", s.imageId() == null ? "-" : s.imageId() + " (its disk)"},
                new String[] {"Checksum", s.checksum() == null ? "-" : s.checksum()});
    }

    /** {@code pending (42%)} while the snapshot is made, else its state as EC2 names it. */
    static String stateText(Snapshot s) {
        return s.state() == SnapshotState.PENDING ? s.stateName() + " (" + s.progress() + "%)" : s.stateName();
    }

    private void enableFor(Button button, SnapshotAction action) {
        button.disableProperty().bind(Bindings.createBooleanBinding(() -> !action.allows(selected()),
                selection.selectedItemProperty()));
    }

    private Snapshot selected() {
        return selection.selectedItemProperty().get();
    }

    private void createVolume(Snapshot snapshot) {
        notice.setText("");
        model.newVolumeChoices(choices -> {
            // The snapshot as the dialog lists it (the choices are read afresh), else as selected.
            Snapshot chosen = choices.snapshots().stream().filter(s -> s.id().equals(snapshot.id())).findFirst()
                    .orElse(snapshot);
            new CreateVolumeDialog(window(), choices, chosen, model::createVolume).showAndWait().ifPresent(created ->
                    notice.setText(created.id() + " is being made from " + snapshot.id() + ": it is listed on the"
                            + " Volumes page, and its progress in Tasks."));
        }, failure -> Dialogs.error(window(), "Could not read the region's snapshots", failure));
    }

    private void copy(Snapshot snapshot) {
        notice.setText("");
        String from = model.list().region();
        model.regions(regions -> new CopySnapshotDialog(window(), snapshot, from, regions).showAndWait()
                .ifPresent(choice -> model.copy(snapshot, choice.region(), choice.description(), copied ->
                        notice.setText(snapshot.id() + " is being copied to " + choice.region() + " as "
                                + copied.id() + (choice.region().equals(from) ? "" : ": select " + choice.region()
                                + " to see it") + "; its progress shows in Tasks."),
                        failure -> Dialogs.error(window(), "Could not copy " + snapshot.id(), failure))),
                failure -> Dialogs.error(window(), "Could not list the regions", failure));
    }

    private void delete(Snapshot snapshot) {
        notice.setText("");
        if (Dialogs.confirm(window(), "Delete snapshot", "Delete " + snapshot.id() + "?", "Its file ("
                + ByteSize.of(snapshot.storedBytes()) + ") is deleted. Volumes made from it are kept; no new volume can"
                + " be made from it. This cannot be undone.", "Delete")) {
            model.delete(snapshot, () -> { }, failure -> Dialogs.error(window(), "Could not delete " + snapshot.id(),
                    failure));
        }
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
