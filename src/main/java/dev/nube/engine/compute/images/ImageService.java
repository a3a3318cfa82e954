package dev.nube.engine.compute.images;

import dev.nube.engine.store.Listing;

/**
 * Machine images per region (EC2 DescribeImages, DeregisterImage). Thread-safe.
 */
public interface ImageService {
    /** The name of the image Nube builds itself from Debian packages. */
    String TINY_IMAGE_NAME = "Nube Linux (tiny)";

    Listing<Image> list(String region);

    /** By id; throws {@code InvalidAMIID.NotFound}. */
    Image get(String region, String id);

    /**
     * The "Nube Linux (tiny)" image of {@code region}, built on first use: blocks until it is ready, publishing
     * {@link ImageBuildProgress} meanwhile. Concurrent callers share one build; a finished build is cached outside the
     * region so another region or data folder gets it in seconds. A failed build registers nothing and throws
     * {@code ImageBuildFailed} with the reason. Interrupting the calling thread cancels the build.
     */
    Image ensureTinyImage(String region);

    /**
     * Removes an image and its files. Refused with {@code InvalidAMIID.InUse} while an instance that is not
     * terminated uses it (its root disk is an overlay on the image's disk).
     */
    void deregister(String region, String id);
}
