package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;

/**
 * What a person can do to an image, and which images each action fits ({@link #allows}): an image still being made
 * (pending) is neither copied, launched elsewhere nor deregistered; its task in Tasks can be cancelled instead. The
 * engine checks again and says why when it refuses.
 */
public enum ImageAction {
    COPY, LAUNCH_REPLICAS, DEREGISTER;

    /** Whether {@code image} (null: nothing selected) can be asked this. */
    public boolean allows(Image image) {
        return image != null && image.available();
    }
}
