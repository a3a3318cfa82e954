package dev.nube.engine.compute.images;

import java.util.Locale;

/** EC2's image states that Nube has: an image being made is {@code PENDING} and cannot be launched yet. */
public enum ImageState {
    PENDING, AVAILABLE;

    public String awsName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
