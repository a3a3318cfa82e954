package dev.nube.engine.functions.sandbox;

/** An event that the environment's state does not allow; names the environment and its state. */
public final class IllegalTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String environmentId, EnvironmentState state, EnvironmentEvent event) {
        super("Execution environment " + environmentId + " is " + state + ": " + event + " is not allowed");
    }
}
