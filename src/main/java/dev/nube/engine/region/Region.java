package dev.nube.engine.region;

import java.nio.file.Path;
import java.time.Instant;

/** A region: an independent set of resources with its own root folder, which may live on another disk. */
public record Region(String name, Path root, Instant createdAt) {
}
