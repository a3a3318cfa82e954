package dev.nube.engine.functions;

import java.time.Instant;

/**
 * A file or folder of a function's code. {@code path} is relative to the code's root, with '/' between names
 * (e.g. "lib/util.py"); a folder's size is 0.
 */
public record CodeEntry(String path, boolean directory, long size, Instant lastModified) {
}
