package dev.nube.engine.compute.storage;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.tasks.Task;
import java.util.List;

/**
 * Images made from instances and copied between regions (EC2 CreateImage, CopyImage), and replicas of an image
 * launched in several regions at once. Each runs as a task; the image is listed {@code pending} until its disk is
 * whole, and removed, with the snapshot made for it, when the task fails or is cancelled. Refusals throw
 * {@code EngineException} with EC2's codes and change nothing. Thread-safe.
 */
public interface ImageBackupService {
    /**
     * An image of the instance's root volume: its disk is a new snapshot of that volume (kept as the image's snapshot),
     * with the kernel of the instance's image. A running instance is shut down cleanly first and started again once
     * the snapshot is taken, so its file systems are consistent, unless {@code noReboot} (then the disk is copied as
     * it is while the guest runs, as EC2's NoReboot does). {@code name} (3 to 128 characters) is unique in the region.
     */
    Image createImage(String region, String instanceId, String name, String description, boolean noReboot);

    /** Copies an available image, with its snapshot, to another region; returns the new image there, pending. */
    Image copyImage(String sourceRegion, String imageId, String destinationRegion, String name, String description);

    /**
     * Launches one instance of {@code instanceType} from the image in each of {@code regions}, copying the image to
     * those that do not have a copy of it yet (an available image there copied from it is used again): one task per region, which names the instance it launched. An instance gets the
     * key pair named {@code keyName} where the region has one of that name (else none: the task says so) and the
     * region's default security group.
     */
    List<Task> launchReplicas(String region, String imageId, List<String> regions, String instanceType,
                              String keyName);
}
