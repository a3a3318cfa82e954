package dev.nube.javaruntime;

/**
 * Why the handler could not be loaded, as Lambda's Java runtime reports it: {@code errorType} (the class name of what
 * was thrown, e.g. {@code java.lang.ClassNotFoundException}), the message ("Class not found: example.Missing"), and
 * the thrown cause whose frames make the stack trace (none for a handler without a suitable method).
 */
final class InitError extends Exception {
    private static final long serialVersionUID = 1L;
    private final String errorType;

    InitError(String errorType, String message, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
    }

    String errorType() {
        return errorType;
    }
}
