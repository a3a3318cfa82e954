package dev.nube.engine.functions.sandbox;

/** What happens to an execution environment; see {@link EnvironmentLifecycle} for what each does in each state. */
public enum EnvironmentEvent {
    /** The sandbox process was started. */
    START,
    /** The runtime asked for its first invocation: init is over. */
    RUNTIME_READY,
    /** The runtime reported an init error (POST /runtime/init/error). */
    INIT_ERROR,
    /** An invocation was handed to the environment. */
    INVOKE,
    /** The invocation's answer and logs are in: the environment may be reused. */
    COMPLETE,
    /** The invocation's (or init's) deadline passed. */
    DEADLINE,
    /** The engine wants the environment gone. */
    STOP,
    /** The sandbox process exited (the watcher saw it). */
    EXITED
}
