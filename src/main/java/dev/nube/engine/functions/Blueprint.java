package dev.nube.engine.functions;

/**
 * A starting point for a function's code, per runtime (Lambda's "Use a blueprint"): {@code id} is what
 * {@link CreateFunctionRequest#blueprint()} takes, {@code title} and {@code description} say what it does.
 */
public record Blueprint(String id, String runtime, String title, String description) {
    /** The blueprint every runtime has: logs a line and returns the event. */
    public static final String HELLO_WORLD = "hello-world";
}
