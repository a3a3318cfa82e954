package dev.nube.engine.compute.storage;

import java.time.Instant;

/**
 * A block volume (EBS volume): a qcow2 file that grows as the guest writes, of {@code sizeGiB} as the guest sees it.
 * An instance's root volume is one too ({@code root}: it lives and dies with its instance and is never detached).
 * {@code allocatedBytes} is what its file takes on the host now; {@code snapshotId} the snapshot it was made from.
 * {@code stateReason} says why it is {@code ERROR} (or what is under way), else null.
 */
public record Volume(String id, String name, int sizeGiB, VolumeState state, Instant createdAt, String snapshotId,
                     VolumeAttachment attachment, boolean root, long allocatedBytes, String stateReason) {

    /** The id under which the root volume of instance {@code instanceId} is listed: {@code vol-} + its digits. */
    public static String rootVolumeIdOf(String instanceId) {
        return "vol-" + instanceId.substring(instanceId.indexOf('-') + 1);
    }

    /** The name EC2's API shows for the state ({@code in-use}, ...). */
    public String stateName() {
        return state.awsName();
    }
}
