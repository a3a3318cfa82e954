package dev.nube.engine.functions.sandbox;

/**
 * The life of an execution environment (after localstack's and the runtime emulator's). Only
 * {@link EnvironmentLifecycle#next} moves between states; terminal states are {@link #FAILED} and {@link #STOPPED}.
 */
public enum EnvironmentState {
    /** Created, no process yet. */
    INACTIVE,
    /** The sandboxed runtime is starting; its init ends with its first GET /next. */
    STARTING,
    /** Idle in the warm pool, its runtime waiting in GET /next. */
    READY,
    /** Running one invocation. */
    INVOKING,
    /** Its invocation (or init) passed the deadline: the whole environment is being killed. */
    TIMING_OUT,
    /** Being stopped on purpose (idle too long, code or configuration changed, engine closing). */
    STOPPING,
    /** Its runtime failed: init error, crash, OOM kill or exit. Never reused. */
    FAILED,
    /** Gone after a stop or a timeout. */
    STOPPED;

    public boolean terminal() {
        return this == FAILED || this == STOPPED;
    }
}
