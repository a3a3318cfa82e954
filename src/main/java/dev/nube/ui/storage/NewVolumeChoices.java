package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.SnapshotState;
import dev.nube.engine.compute.storage.VolumeService;
import java.util.List;

/**
 * What the "Create volume" dialog offers in a region: its completed snapshots (a volume can be made from those only)
 * and the free space on the disk that holds its volumes.
 */
record NewVolumeChoices(String region, List<Snapshot> snapshots, long freeBytes) {
    NewVolumeChoices {
        snapshots = List.copyOf(snapshots);
    }

    /** Reads them; blocks on the engine, so call it in the background. */
    static NewVolumeChoices read(VolumeService volumes, SnapshotService snapshots, String region) {
        List<Snapshot> completed = snapshots.list(region).items().stream()
                .filter(s -> s.state() == SnapshotState.COMPLETED).toList();
        return new NewVolumeChoices(region, completed, volumes.freeBytes(region));
    }
}
