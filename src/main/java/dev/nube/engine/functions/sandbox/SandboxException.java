package dev.nube.engine.functions.sandbox;

import dev.nube.engine.EngineException;

/** The sandbox could not be set up (a cgroup could not be made, bubblewrap is missing or refused to start). */
public final class SandboxException extends EngineException {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message, Throwable cause) {
        super("ServiceException", message, cause);
    }

    public SandboxException(String message) {
        super("ServiceException", message);
    }
}
