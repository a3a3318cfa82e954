package dev.nube.engine;

/**
 * A request the engine refuses or could not finish, with a code in AWS's style (for example
 * {@code InvalidKeyPair.Duplicate}) and a message written for the person who made the request. What holds when one is
 * thrown: a request refused while it is checked (a bad value, something not found or a duplicate, an operation the
 * resource's state does not allow, no capacity) changed nothing. An operation that fails part-way (codes such as
 * {@code InstanceLaunchFailed}, {@code InstanceStartFailed}, {@code StorageError}) undid what it could and leaves the
 * resource in a state that says so: a failed launch leaves a terminated instance with the reason, a failed start a
 * stopped one, and a delete cut short a folder without its document, listed as a problem.
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
