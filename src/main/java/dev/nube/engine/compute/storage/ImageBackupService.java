package dev.nube.engine.compute.storage;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.tasks.Task;
import java.nio.file.Path;
import java.util.List;

/**
 * Images made from instances, copied between regions (EC2 CreateImage, CopyImage) and imported from cloud image
 * files, and replicas of an image launched in several regions at once. Each runs as a task; the image is listed
 * {@code pending} until its disk is whole, and removed, with the snapshot made for it, when the task fails or is
 * cancelled. Refusals throw {@code EngineException} with EC2's codes and change nothing. Thread-safe.
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
     * What importing {@code file} would give: the defaults read from its name (image name, default user), and what
     * the checks of {@link #importImage} say of it (its format, size and ways to boot, or why it is refused). Reads
     * the file's header and first sectors only.
     */
    ImageImport.Preview previewImport(Path file);

    /**
     * Imports a cloud image file (qcow2 or raw; a Debian genericcloud or Ubuntu cloud image, say) as an image of
     * {@code region} that boots from its own disk: checked as {@link ImageImport} says, then registered pending and
     * converted to qcow2 in the image's folder by a task (cancellable; a failure or cancel removes the image and its
     * folder). A blank name or default user takes {@link ImageImport#defaultsFor}'s; the root device size is the
     * virtual size rounded up to GiB. Refusals throw {@code InvalidParameterValue} (or
     * {@code InvalidAMIName.Duplicate}) and register nothing. Whether the guest really boots, and reads the metadata
     * service, shows at its first launch.
     */
    Image importImage(String region, ImageImport.Request request);

    /**
     * Launches one instance of {@code instanceType} from the image in each of {@code regions}, copying the image to
     * those that do not have a copy of it yet (an available image there copied from it is used again): one task per region, which names the instance it launched. An instance gets the
     * key pair named {@code keyName} where the region has one of that name (else none: the task says so) and the
     * region's default security group.
     */
    List<Task> launchReplicas(String region, String imageId, List<String> regions, String instanceType,
                              String keyName);
}
