package dev.nube.engine.store;

import java.nio.file.Path;

/**
 * A stored document that could not be read. It stays on disk untouched (the engine never deletes it) and is shown
 * on the resource it belongs to, so the person can repair or remove it.
 */
public record StoreProblem(ResourceKind kind, String id, Path path, String message) {
    public String describe() {
        return kind.folder() + "/" + id + ": " + message + " (" + path + ")";
    }
}
