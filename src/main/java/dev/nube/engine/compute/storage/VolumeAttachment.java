package dev.nube.engine.compute.storage;

import java.time.Instant;
import java.util.Locale;

/**
 * Where a volume is attached: the instance, the device name EC2 uses ({@code /dev/xvda} for a root volume,
 * {@code /dev/sdf} to {@code /dev/sdp} for others; in the guest it is a virtio disk whose serial is the volume id
 * without its dash, {@code /dev/disk/by-id/virtio-vol...}), since when, and whether terminating the instance
 * deletes the volume (root volumes yes, others no, as on EC2).
 */
public record VolumeAttachment(String instanceId, String device, Instant attachedAt, boolean deleteOnTermination,
                               State state) {

    public enum State {
        ATTACHING, ATTACHED, DETACHING;

        public String awsName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
