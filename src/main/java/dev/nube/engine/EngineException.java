package dev.nube.engine;

/**
 * A request the engine refuses, with a code in AWS's style (for example {@code InvalidKeyPair.Duplicate})
 * and a message written for the person who made the request. Nothing was changed when one is thrown.
 */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public EngineException(String code, String message) {
        super(message);
        this.code = code;
    }

    public EngineException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** AWS-style error code, e.g. {@code InvalidParameterValue}. */
    public String code() {
        return code;
    }

    public static EngineException invalid(String message) {
        return new EngineException("InvalidParameterValue", message);
    }

    public static EngineException notFound(String code, String message) {
        return new EngineException(code, message);
    }
}
