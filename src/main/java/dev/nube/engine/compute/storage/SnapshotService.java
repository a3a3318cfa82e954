package dev.nube.engine.compute.storage;

import dev.nube.engine.store.Listing;

/**
 * Snapshots per region (EC2 CreateSnapshot, DescribeSnapshots, DeleteSnapshot, CopySnapshot). Making and copying
 * run as tasks ({@link dev.nube.engine.tasks.TaskService}): the call returns the snapshot {@code pending} at once.
 * A snapshot whose task fails or is cancelled is removed with its files (the task says why), as is one the engine
 * was cut off from by a crash. Refusals throw {@code EngineException} with EC2's codes
 * ({@code InvalidSnapshot.NotFound}, {@code InvalidSnapshot.InUse}, {@code IncorrectState},
 * {@code InvalidParameterValue}, {@code InvalidVolume.NotFound}) and change nothing. Thread-safe.
 */
public interface SnapshotService {
    Listing<Snapshot> list(String region);

    /** By id; throws {@code InvalidSnapshot.NotFound}. */
    Snapshot get(String region, String id);

    /**
     * Snapshots a volume as it is now. A volume in use by a running instance is copied by QEMU's own backup job
     * (point-in-time: what the guest writes afterwards is not in it); the instance cannot be stopped or started
     * until the snapshot is taken (those requests wait).
     */
    Snapshot create(String region, String volumeId, String description);

    /** Deletes a completed snapshot; refused with {@code InvalidSnapshot.InUse} while an image uses it. */
    void delete(String region, String snapshotId);

    /**
     * Copies a completed snapshot to {@code destinationRegion} (the same region too): returns the new snapshot
     * {@code pending} there; the copy is checked against the source's checksum at the destination before it
     * completes.
     */
    Snapshot copy(String sourceRegion, String snapshotId, String destinationRegion, String description);

    /** The id of the task that makes or copies a pending snapshot, or null. */
    String taskOf(String region, String snapshotId);
}
