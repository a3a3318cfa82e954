package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.storage.VolumeAction;
import dev.nube.ui.storage.VolumeList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ObservableList;
import javafx.collections.transformation.SortedList;

/**
 * The selected instance's Storage tab: its volumes (the root volume first, then by device), kept current from the
 * region's live volume list, and attach, detach and snapshot as commands. FX thread only; engine calls run on the
 * task executor.
 */
public final class InstanceStorageViewModel {
    /** Root first, then by device name. */
    private static final Comparator<Volume> BY_DEVICE = Comparator.comparing((Volume v) -> !v.root())
            .thenComparing(v -> v.attachment().device());

    private final VolumeService volumes;
    private final SnapshotService snapshots;
    private final ConsoleContext context;
    private final VolumeList list;
    private final SortedList<Volume> attached;
    private final ReadOnlyObjectWrapper<Instance> instance = new ReadOnlyObjectWrapper<>();

    public InstanceStorageViewModel(VolumeService volumes, SnapshotService snapshots, ConsoleContext context) {
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.context = context;
        this.list = new VolumeList(volumes, context);
        this.attached = new SortedList<>(list.list().filtered(), BY_DEVICE);
        list.list().extraFilterProperty().set(v -> false);
    }

    /** Shows the volumes of {@code shown} (null: none). */
    public void show(Instance shown) {
        Instance before = instance.get();
        instance.set(shown);
        String id = shown == null ? null : shown.id();
        if (before == null || shown == null || !before.id().equals(id)) { // a new state of it filters the same
            list.list().extraFilterProperty().set(v -> v.attachment() != null
                    && v.attachment().instanceId().equals(id));
        }
    }

    /** The shown instance's volumes. */
    public ObservableList<Volume> volumes() {
        return attached;
    }

    /** How far the making of volume {@code id} has come, while it is being made from a snapshot. */
    public OptionalDouble progressOf(String id) {
        return list.progressOf(id);
    }

    public ReadOnlyObjectProperty<Instance> instanceProperty() {
        return instance.getReadOnlyProperty();
    }

    /** The region's volumes that can be attached now (available data volumes). */
    public List<Volume> attachable() {
        return list.list().items().stream().filter(VolumeAction.ATTACH::allows).toList();
    }

    /** Attaches {@code volumeId} to the shown instance as {@code device} (empty: the first free one). */
    public void attach(String volumeId, String device, Consumer<Volume> onDone, Consumer<Throwable> onFailure) {
        Instance shown = instance.get();
        if (shown == null) {
            return;
        }
        String region = list.list().region();
        String chosen = device == null || device.isBlank() ? null : device.strip();
        context.tasks().submit(() -> volumes.attach(region, volumeId, shown.id(), chosen), onDone, onFailure);
    }

    public void detach(Volume volume, Consumer<Volume> onDone, Consumer<Throwable> onFailure) {
        String region = list.list().region();
        context.tasks().submit(() -> volumes.detach(region, volume.id()), onDone, onFailure);
    }

    /** Starts a snapshot of {@code volume}; returns it pending. */
    public void snapshot(Volume volume, String description, Consumer<Snapshot> onStarted,
                         Consumer<Throwable> onFailure) {
        String region = list.list().region();
        context.tasks().submit(() -> snapshots.create(region, volume.id(), description), onStarted, onFailure);
    }
}
