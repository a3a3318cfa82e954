package dev.nube.ui.storage;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.ui.common.ByteSize;
import dev.nube.ui.common.DetailsGrid;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The volumes page: the region's volumes, root volumes included, with create, attach, detach, modify size, snapshot,
 * rename and delete, and the selected volume's details below. An action is offered for the selected volume only
 * where {@link VolumeAction#allows} it. FX thread only.
 */
public final class VolumesView extends VBox {
    private final VolumesViewModel model;
    private final TableView<Volume> table = new TableView<>();
    private final Tables.SelectionById<Volume> selection;
    private final Label notice;
    private final Label title = new Label();
    private final DetailsGrid details = new DetailsGrid();

    public VolumesView(VolumesViewModel model) {
        this.model = model;
        table.setId("volumes-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No volumes in this region. Create one, or launch an instance: its root volume"
                + " is listed here."));
        table.getColumns().add(VolumeColumns.name());
        table.getColumns().add(VolumeColumns.id());
        table.getColumns().add(VolumeColumns.size());
        table.getColumns().add(VolumeColumns.state(model::progressOf));
        table.getColumns().add(Tables.keepWhole(Tables.column("Attached to", 240, VolumeColumns::attachmentText),
                "i-00000000000000000: /dev/xvda"));
        table.getColumns().add(Tables.column("Snapshot", 95, v -> v.snapshotId() == null ? "-" : v.snapshotId()));
        table.getColumns().add(VolumeColumns.created());
        table.getColumns().add(VolumeColumns.allocated());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        selection = Tables.keepSelectionById(table, Volume::id);

        Button create = new Button("Create volume", new FontIcon(Feather.PLUS));
        create.setId("create-volume");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> create());
        MenuButton actions = new MenuButton("Actions");
        actions.setId("volume-actions");
        for (VolumeAction action : VolumeAction.values()) {
            MenuItem item = new MenuItem(action.label() + (action == VolumeAction.DETACH ? "" : "..."));
            item.setId("volume-action-" + action.name().toLowerCase(Locale.ROOT));
            item.disableProperty().bind(Bindings.createBooleanBinding(() -> !action.allows(
                    selection.selectedItemProperty().get()), selection.selectedItemProperty()));
            item.setOnAction(e -> run(action, selection.selectedItemProperty().get()));
            actions.getItems().add(item);
        }
        actions.disableProperty().bind(selection.selectedItemProperty().isNull());
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        ResourcePage page = new ResourcePage("Volumes", model.list(), table, refresh, actions, create);
        notice = page.addNotice("volumes-notice");

        selection.selectedItemProperty().addListener((obs, old, volume) -> showDetails(volume));
        showDetails(null);
        getChildren().add(details.below(page, title, "volume-details"));
    }

    /** The selected volume's fields, whole. */
    private void showDetails(Volume v) {
        if (v == null) {
            title.setText("Select a volume to see its details.");
            details.show();
            return;
        }
        title.setText(VolumeColumns.describe(v));
        VolumeAttachment a = v.attachment();
        details.show(
                new String[] {"Volume ID", v.id()},
                new String[] {"Name", v.name() == null || v.name().isEmpty() ? "-" : v.name()},
                new String[] {"State", VolumeColumns.stateText(v), "volume-details-state"},
                new String[] {"Size", v.sizeGiB() + " GiB"},
                new String[] {"Allocated on disk", ByteSize.of(v.allocatedBytes()) + " (its file grows as the guest"
                        + " writes)"},
                new String[] {"Created", VolumeColumns.CREATED_EXACTLY.format(v.createdAt())},
                new String[] {"Snapshot", v.snapshotId() == null ? "-" : v.snapshotId()},
                new String[] {"Attached to", a == null ? "-" : a.instanceId() + " as " + a.device()
                        + (v.root() ? ", its root volume" : "")},
                new String[] {"Attachment state", a == null ? "-" : a.state().awsName()},
                new String[] {"Attached since", a == null ? "-" : VolumeColumns.CREATED_EXACTLY.format(
                        a.attachedAt())},
                new String[] {"Delete on termination", a == null ? "-" : a.deleteOnTermination() ? "Yes" : "No"});
    }

    private void run(VolumeAction action, Volume volume) {
        if (volume == null) {
            return;
        }
        notice.setText("");
        switch (action) {
            case ATTACH -> attach(volume);
            case DETACH -> detach(volume);
            case MODIFY -> VolumeDialogs.newSize(window(), volume).ifPresent(size -> model.resize(volume, size,
                    grown -> notice.setText(grown.id() + " now has " + grown.sizeGiB() + " GiB."),
                    failure -> Dialogs.error(window(), "Could not modify " + volume.id(), failure)));
            case SNAPSHOT -> VolumeDialogs.snapshotDescription(window(), volume).ifPresent(text -> model.snapshot(
                    volume, text, snapshot -> notice.setText("Snapshot " + snapshot.id() + " of " + volume.id()
                            + " is being taken: it is listed on the Snapshots page, and its progress in Tasks."),
                    failure -> Dialogs.error(window(), "Could not snapshot " + volume.id(), failure)));
            case RENAME -> VolumeDialogs.name(window(), volume).ifPresent(name -> model.rename(volume, name,
                    renamed -> { }, failure -> Dialogs.error(window(), "Could not rename " + volume.id(), failure)));
            case DELETE -> delete(volume);
        }
    }

    private void create() {
        notice.setText("");
        model.newVolumeChoices(choices -> new CreateVolumeDialog(window(), choices, null, model::create)
                .showAndWait().ifPresent(created -> {
                    selection.select(created.id());
                    if (created.snapshotId() != null) {
                        notice.setText(created.id() + " is being made from " + created.snapshotId()
                                + "; its progress shows here and in Tasks.");
                    }
                }), failure -> Dialogs.error(window(), "Could not read the region's snapshots", failure));
    }

    private void attach(Volume volume) {
        model.attachableInstances(found -> {
            if (found.isEmpty()) {
                Dialogs.error(window(), "No instance to attach to", "This region has no running or stopped"
                        + " instance to attach " + volume.id() + " to.");
                return;
            }
            List<AttachVolumeDialog.Option> options = found.stream().map(i -> new AttachVolumeDialog.Option(i.id(),
                    describe(i))).toList();
            new AttachVolumeDialog(window(), "Attach " + VolumeColumns.describe(volume)
                    + " to an instance", "Instance", options).showAndWait()
                    .ifPresent(choice -> model.attach(volume, choice.id(), choice.device(), attached -> { },
                            failure -> Dialogs.error(window(), "Could not attach " + volume.id(), failure)));
        }, failure -> Dialogs.error(window(), "Could not list the instances", failure));
    }

    static String describe(Instance i) {
        return i.id() + (i.name() == null || i.name().isEmpty() ? "" : " (" + i.name() + ")") + ", "
                + i.state().awsName();
    }

    private void detach(Volume volume) {
        if (VolumeDialogs.confirmDetach(window(), volume)) {
            model.detach(volume, detached -> { }, failure -> Dialogs.error(window(), "Could not detach "
                    + volume.id(), failure));
        }
    }

    private void delete(Volume volume) {
        if (Dialogs.confirm(window(), "Delete volume", "Delete " + VolumeColumns.describe(volume) + "?",
                "Its disk file (" + ByteSize.of(volume.allocatedBytes()) + " on this machine) and everything on it"
                        + " are deleted. Snapshots taken of it are kept. This cannot be undone.", "Delete")) {
            model.delete(volume, () -> { }, failure -> Dialogs.error(window(), "Could not delete " + volume.id(),
                    failure));
        }
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
