package dev.nube.engine.compute.storage;

import dev.nube.engine.store.Listing;

/**
 * Volumes per region (EC2 CreateVolume, DescribeVolumes, AttachVolume, DetachVolume, DeleteVolume, ModifyVolume).
 * Instances' root volumes are listed too. Refusals throw {@code EngineException} with EC2's codes
 * ({@code InvalidVolume.NotFound}, {@code VolumeInUse}, {@code IncorrectState}, {@code InvalidParameterValue},
 * {@code InsufficientVolumeCapacity}, {@code OperationNotPermitted}, {@code InvalidInstanceID.NotFound},
 * {@code IncorrectInstanceState}) and change nothing. Changes are published as
 * {@code ResourceChanged(VOLUME)}. Calls may block on disks and QEMU: never from a UI thread. Thread-safe.
 */
public interface VolumeService {
    /** The largest volume, in GiB (as EC2's gp3). */
    int MAX_SIZE_GIB = 16384;

    Listing<Volume> list(String region);

    /** By id; throws {@code InvalidVolume.NotFound}. */
    Volume get(String region, String id);

    /**
     * A new volume of {@code sizeGiB} (1 to {@link #MAX_SIZE_GIB}), empty or made from {@code snapshotId} (then at
     * least the snapshot's size; 0 takes the snapshot's size). An empty volume is {@code available} at once; one
     * from a snapshot is {@code creating} while the snapshot is copied in (a task), then {@code available}. Refused
     * when the region's disk has less free space than {@code sizeGiB} (the numbers are in the message), or when the
     * snapshot's checksum does not match.
     */
    Volume create(String region, int sizeGiB, String snapshotId, String name);

    /**
     * Attaches an available volume to an instance as {@code device} ({@code /dev/sdf} to {@code /dev/sdp}; null
     * takes the first free one). A running instance gets it at once (hot-plug: a new disk appears in the guest); a
     * stopped one at its next start.
     */
    Volume attach(String region, String volumeId, String instanceId, String device);

    /**
     * Detaches a volume: from a running instance by a clean unplug that the guest acknowledges (refused, nothing
     * changed, when the guest does not release the disk in time); from a stopped one at once. The root volume
     * cannot be detached ({@code OperationNotPermitted}).
     */
    Volume detach(String region, String volumeId);

    /** Deletes an available volume and its file; refused with {@code VolumeInUse} while it is attached. */
    void delete(String region, String volumeId);

    /**
     * Grows a volume to {@code newSizeGiB} (never shrinks it). An attached volume of a running instance grows live
     * (the guest sees the new size at once; a root file system is grown at the next boot).
     */
    Volume resize(String region, String volumeId, int newSizeGiB);

    /** Renames a volume (its Name tag); an empty name removes it. Root volumes are named after their instance. */
    Volume rename(String region, String volumeId, String name);

    /** Free bytes on the disk that holds the region's volumes. */
    long freeBytes(String region);
}
