package dev.nube.ui.storage;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The volumes page: the region's volumes (root volumes included) and the volume actions as commands. Engine calls
 * run in the background; results and failures come back through the callbacks, on the FX thread. FX thread only.
 */
public final class VolumesViewModel {
    private final VolumeService volumes;
    private final SnapshotService snapshots;
    private final InstanceService instances;
    private final ConsoleContext context;
    private final VolumeList list;

    public VolumesViewModel(VolumeService volumes, SnapshotService snapshots, InstanceService instances,
                            ConsoleContext context) {
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.instances = instances;
        this.context = context;
        this.list = new VolumeList(volumes, context);
    }

    public ResourceListModel<Volume> list() {
        return list.list();
    }

    /** How far the making of volume {@code id} has come, while it is being made from a snapshot. */
    public OptionalDouble progressOf(String id) {
        return list.progressOf(id);
    }

    /** Reads what a new volume can be made of in the region: its completed snapshots, and the free space. */
    void newVolumeChoices(Consumer<NewVolumeChoices> onRead, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> NewVolumeChoices.read(volumes, snapshots, region), onRead, onFailure);
    }

    /** Creates a volume in {@code region} (the one the dialog was opened for), empty or from {@code snapshotId}. */
    public void create(String region, int sizeGiB, String snapshotId, String name, Consumer<Volume> onCreated,
                       Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> volumes.create(region, sizeGiB, snapshotId, name), onCreated, onFailure);
    }

    /** The region's instances a volume can be attached to: running and stopped ones. */
    public void attachableInstances(Consumer<List<Instance>> onRead, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> instances.list(region).items().stream()
                .filter(i -> i.state() == InstanceState.RUNNING || i.state() == InstanceState.STOPPED)
                .toList(), onRead, onFailure);
    }

    /** Attaches {@code volume} to {@code instanceId} as {@code device} (empty: the first free one). */
    public void attach(Volume volume, String instanceId, String device, Consumer<Volume> onDone,
                       Consumer<Throwable> onFailure) {
        String region = list().region();
        String chosen = device == null || device.isBlank() ? null : device.strip();
        context.tasks().submit(() -> volumes.attach(region, volume.id(), instanceId, chosen), onDone, onFailure);
    }

    public void detach(Volume volume, Consumer<Volume> onDone, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> volumes.detach(region, volume.id()), onDone, onFailure);
    }

    public void resize(Volume volume, int newSizeGiB, Consumer<Volume> onDone, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> volumes.resize(region, volume.id(), newSizeGiB), onDone, onFailure);
    }

    public void rename(Volume volume, String name, Consumer<Volume> onDone, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> volumes.rename(region, volume.id(), name), onDone, onFailure);
    }

    /** Starts a snapshot of {@code volume}; returns it pending (its task makes it). */
    public void snapshot(Volume volume, String description, Consumer<Snapshot> onStarted,
                         Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> snapshots.create(region, volume.id(), description), onStarted, onFailure);
    }

    public void delete(Volume volume, Runnable onDone, Consumer<Throwable> onFailure) {
        String region = list().region();
        context.tasks().submit(() -> {
            volumes.delete(region, volume.id());
            return null;
        }, ignored -> onDone.run(), onFailure);
    }
}
