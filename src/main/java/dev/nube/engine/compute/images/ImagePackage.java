package dev.nube.engine.compute.images;

/** One Debian package that went into an image, as its manifest lists it. */
public record ImagePackage(String name, String version, String sha256) {
}
