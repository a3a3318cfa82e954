package dev.nube.engine.store;

import dev.nube.engine.EngineException;
import java.nio.file.Path;

/** A document exists but cannot be read: torn, hand-edited into invalid JSON, from a newer schema, or unreadable. */
public final class UnreadableDocumentException extends EngineException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public UnreadableDocumentException(Path path, String reason, Throwable cause) {
        super("InvalidDocument", "Cannot read " + path + ": " + reason, cause);
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The reason alone, without the path. */
    public String reason() {
        String message = getMessage();
        return message.substring(message.indexOf(": ") + 2);
    }
}
