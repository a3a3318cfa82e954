package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.TaskChanged;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The snapshots page: the region's snapshots (a pending one's progress follows its task's events), and making a
 * volume from one, copying one to a region and deleting one as commands. Engine calls run in the background. FX
 * thread only.
 */
public final class SnapshotsViewModel {
    private final SnapshotService snapshots;
    private final VolumeService volumes;
    private final RegionService regions;
    private final ConsoleContext context;
    private final ResourceListModel<Snapshot> list;

    public SnapshotsViewModel(SnapshotService snapshots, VolumeService volumes, RegionService regions,
                              ConsoleContext context) {
        this.snapshots = snapshots;
        this.volumes = volumes;
        this.regions = regions;
        this.context = context;
        // The engine lists snapshots oldest first.
        this.list = new ResourceListModel<>(context, ResourceKind.SNAPSHOT, new ResourceListModel.Source<>(
                snapshots::list, ResourceListModel.absentOn("InvalidSnapshot.NotFound", snapshots::get),
                Snapshot::id, Comparator.comparing(Snapshot::startTime).thenComparing(Snapshot::id)),
                s -> String.join(" ", s.id(), s.volumeId(), s.description() == null ? "" : s.description(),
                        s.stateName(), s.copiedFrom() == null ? "" : s.copiedFrom(),
                        s.imageId() == null ? "" : s.imageId()));
        // A pending snapshot's progress is its task's: each step of the task reads that snapshot's row again.
        context.events().on(TaskChanged.class, event -> {
            Task task = event.task();
            if (!event.removed() && task.region().equals(list.region())
                    && list.items().stream().anyMatch(s -> s.id().equals(task.resourceId()))) {
                list.reload(task.resourceId());
            }
        });
    }

    public ResourceListModel<Snapshot> list() {
        return list;
    }

    /** Reads what a new volume can be made of in the region (for the dialog opened from a snapshot). */
    void newVolumeChoices(Consumer<NewVolumeChoices> onRead, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> NewVolumeChoices.read(volumes, snapshots, region), onRead, onFailure);
    }

    /** Creates a volume in {@code region}, empty or from {@code snapshotId}. */
    public void createVolume(String region, int sizeGiB, String snapshotId, String name, Consumer<Volume> onCreated,
                             Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> volumes.create(region, sizeGiB, snapshotId, name), onCreated, onFailure);
    }

    /** Every region, the selected one included (a copy into the same region is allowed). */
    public void regions(Consumer<List<Region>> onRead, Consumer<Throwable> onFailure) {
        context.tasks().submit(regions::list, onRead, onFailure);
    }

    /** Starts copying {@code snapshot} to {@code destination}; returns the new snapshot there, pending. */
    public void copy(Snapshot snapshot, String destination, String description, Consumer<Snapshot> onStarted,
                     Consumer<Throwable> onFailure) {
        String region = list.region();
        String text = description == null || description.isBlank() ? null : description.strip();
        context.tasks().submit(() -> snapshots.copy(region, snapshot.id(), destination, text), onStarted,
                onFailure);
    }

    public void delete(Snapshot snapshot, Runnable onDone, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            snapshots.delete(region, snapshot.id());
            return null;
        }, ignored -> onDone.run(), onFailure);
    }
}
