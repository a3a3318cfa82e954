package dev.nube.engine.compute.images;

import dev.nube.engine.store.Listing;

/**
 * Machine images per region (EC2 DescribeImages, DeregisterImage). Thread-safe.
 */
public interface ImageService {
    /** The name of the small image Nube builds itself from Debian packages. */
    String TINY_IMAGE_NAME = "Nube Linux (tiny)";
    /** The name of the Debian system Nube builds from Debian's archive. */
    String DEBIAN_IMAGE_NAME = "Debian 12 (bookworm)";
    /** The images Nube builds itself, by name, as the launch wizard's Quick Start offers them. */
    java.util.List<String> BUILT_IMAGES = java.util.List.of(TINY_IMAGE_NAME, DEBIAN_IMAGE_NAME);

    Listing<Image> list(String region);

    /** By id; throws {@code InvalidAMIID.NotFound}. */
    Image get(String region, String id);

    /**
     * The "Nube Linux (tiny)" image of {@code region}, built on first use: blocks until it is ready, publishing
     * {@link ImageBuildProgress} meanwhile. Concurrent callers share one build; a finished build is cached outside the
     * region so another region or data folder gets it in seconds. A failed build registers nothing and throws
     * {@code ImageBuildFailed} with the reason. Interrupting the calling thread cancels the build.
     */
    default Image ensureTinyImage(String region) {
        return ensureImage(region, TINY_IMAGE_NAME);
    }

    /**
     * As {@link #ensureTinyImage}, for any of the {@link #BUILT_IMAGES}; an unknown name is refused with
     * {@code InvalidParameterValue}.
     */
    Image ensureImage(String region, String name);

    /**
     * The last time from QEMU's start to SSH measured for an instance of image {@code id} on this machine; empty when
     * none was.
     */
    java.util.Optional<Images.BootTime> bootTime(String region, String id);

    /** Why this machine cannot build the built-in image {@code name}, in a sentence a user can act on, or null. */
    String whyCannotBuild(String name);

    /**
     * Removes an image and its files. Refused with {@code InvalidAMIID.InUse} while an instance that is not
     * terminated uses it (its root disk is an overlay on the image's disk).
     */
    void deregister(String region, String id);
}
