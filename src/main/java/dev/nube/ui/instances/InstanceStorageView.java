package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.Tables;
import dev.nube.ui.storage.AttachVolumeDialog;
import dev.nube.ui.storage.VolumeAction;
import dev.nube.ui.storage.VolumeColumns;
import dev.nube.ui.storage.VolumeDialogs;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Storage tab of an instance's details: its root volume and the volumes attached to it, with attach, detach and
 * snapshot for the selected row. FX thread only.
 */
final class InstanceStorageView extends VBox {
    private final InstanceStorageViewModel model;
    private final TableView<Volume> table = new TableView<>();
    private final Tables.SelectionById<Volume> selection;
    private final Label notice = new Label();

    InstanceStorageView(InstanceStorageViewModel model) {
        this.model = model;
        setSpacing(8);
        table.setId("instance-volumes-table");
        table.setItems(model.volumes());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No volumes: a terminated instance's root volume is gone."));
        table.getColumns().add(Tables.keepWhole(Tables.column("Device", 110, v -> v.attachment().device()
                + (v.root() ? " (root)" : "")), "/dev/xvda (root)"));
        table.getColumns().add(VolumeColumns.id());
        table.getColumns().add(VolumeColumns.size());
        table.getColumns().add(VolumeColumns.state(model::progressOf));
        table.getColumns().add(Tables.column("Delete on termination", 160, v -> v.attachment()
                .deleteOnTermination() ? "Yes" : "No"));
        table.getColumns().add(VolumeColumns.allocated());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(150);
        selection = Tables.keepSelectionById(table, Volume::id);

        Button attach = new Button("Attach volume...", new FontIcon(Feather.LINK));
        attach.setId("instance-attach-volume");
        // Volumes are attached to running or stopped instances; the engine says why otherwise.
        attach.disableProperty().bind(Bindings.createBooleanBinding(() -> {
            Instance shown = model.instanceProperty().get();
            return shown == null || (shown.state() != InstanceState.RUNNING
                    && shown.state() != InstanceState.STOPPED);
        }, model.instanceProperty()));
        attach.setOnAction(e -> attach());
        Button detach = new Button("Detach", new FontIcon(Feather.SLASH));
        detach.setId("instance-detach-volume");
        detach.disableProperty().bind(Bindings.createBooleanBinding(() -> !VolumeAction.DETACH.allows(selected()),
                selection.selectedItemProperty()));
        detach.setOnAction(e -> detach(selected()));
        Button snapshot = new Button("Create snapshot...", new FontIcon(Feather.CAMERA));
        snapshot.setId("instance-snapshot-volume");
        snapshot.disableProperty().bind(Bindings.createBooleanBinding(() -> !VolumeAction.SNAPSHOT.allows(
                selected()), selection.selectedItemProperty()));
        snapshot.setOnAction(e -> snapshot(selected()));
        HBox actions = new HBox(8, attach, detach, snapshot);
        actions.setAlignment(Pos.CENTER_LEFT);

        notice.setId("instance-storage-notice");
        notice.setWrapText(true);
        notice.getStyleClass().add("text-muted");
        model.instanceProperty().addListener((obs, old, shown) -> {
            if (old == null || shown == null || !old.id().equals(shown.id())) {
                notice.setText("");
            }
        });
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(actions, table, notice);
    }

    private Volume selected() {
        return selection.selectedItemProperty().get();
    }

    private void attach() {
        Instance shown = model.instanceProperty().get();
        List<Volume> available = model.attachable();
        if (available.isEmpty()) {
            Dialogs.error(window(), "No volume to attach", "This region has no available volume. Create one on the"
                    + " Volumes page.");
            return;
        }
        List<AttachVolumeDialog.Option> options = available.stream().map(v -> new AttachVolumeDialog.Option(v.id(),
                VolumeColumns.describe(v))).toList();
        String header = "Attach a volume to " + shown.id() + (InstancesViewModel.nameOf(shown).isEmpty() ? ""
                : " (" + shown.name() + ")");
        new AttachVolumeDialog(window(), header, "Volume", options).showAndWait().ifPresent(choice -> model.attach(
                        choice.id(), choice.device(), attached -> notice.setText(attached.id() + " is attached as "
                                + attached.attachment().device() + (shown.state() == InstanceState.STOPPED
                                ? "; the instance gets it at its next start." : ".")),
                        failure -> Dialogs.error(window(), "Could not attach " + choice.id(), failure)));
    }

    private void detach(Volume volume) {
        if (volume != null && VolumeDialogs.confirmDetach(window(), volume)) {
            model.detach(volume, detached -> notice.setText(detached.id() + " is detached."),
                    failure -> Dialogs.error(window(), "Could not detach " + volume.id(), failure));
        }
    }

    private void snapshot(Volume volume) {
        if (volume == null) {
            return;
        }
        VolumeDialogs.snapshotDescription(window(), volume).ifPresent(text -> model.snapshot(volume, text,
                taken -> notice.setText("Snapshot " + taken.id() + " of " + volume.id() + " is being taken: it is"
                        + " listed on the Snapshots page, and its progress in Tasks."),
                failure -> Dialogs.error(window(), "Could not snapshot " + volume.id(), failure)));
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
