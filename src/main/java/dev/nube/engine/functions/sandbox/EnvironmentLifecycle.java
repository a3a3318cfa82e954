package dev.nube.engine.functions.sandbox;

import static dev.nube.engine.functions.sandbox.EnvironmentEvent.COMPLETE;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.DEADLINE;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.EXITED;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.INIT_ERROR;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.INVOKE;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.RUNTIME_READY;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.START;
import static dev.nube.engine.functions.sandbox.EnvironmentEvent.STOP;
import static dev.nube.engine.functions.sandbox.EnvironmentState.FAILED;
import static dev.nube.engine.functions.sandbox.EnvironmentState.INACTIVE;
import static dev.nube.engine.functions.sandbox.EnvironmentState.INVOKING;
import static dev.nube.engine.functions.sandbox.EnvironmentState.READY;
import static dev.nube.engine.functions.sandbox.EnvironmentState.STARTING;
import static dev.nube.engine.functions.sandbox.EnvironmentState.STOPPED;
import static dev.nube.engine.functions.sandbox.EnvironmentState.STOPPING;
import static dev.nube.engine.functions.sandbox.EnvironmentState.TIMING_OUT;

import java.util.EnumMap;
import java.util.Map;

/**
 * The guarded transitions of an execution environment. Every pair not in the table is illegal and throws
 * {@link IllegalTransitionException}. STOP is idempotent once an environment is on its way out, and EXITED after a
 * failure keeps it FAILED (a runtime that reported an init error then exits). Stateless; the environment holds its
 * state and calls {@link #next} under its own lock.
 */
public final class EnvironmentLifecycle {
    private static final Map<EnvironmentState, Map<EnvironmentEvent, EnvironmentState>> TABLE =
            new EnumMap<>(EnvironmentState.class);

    static {
        allow(INACTIVE, START, STARTING);
        allow(INACTIVE, STOP, STOPPED);

        allow(STARTING, RUNTIME_READY, READY);
        allow(STARTING, INIT_ERROR, FAILED);
        allow(STARTING, DEADLINE, TIMING_OUT);
        allow(STARTING, STOP, STOPPING);
        allow(STARTING, EXITED, FAILED);

        allow(READY, INVOKE, INVOKING);
        allow(READY, STOP, STOPPING);
        allow(READY, EXITED, FAILED);

        allow(INVOKING, COMPLETE, READY);
        allow(INVOKING, DEADLINE, TIMING_OUT);
        allow(INVOKING, STOP, STOPPING);
        allow(INVOKING, EXITED, FAILED);

        allow(TIMING_OUT, STOP, TIMING_OUT);
        allow(TIMING_OUT, EXITED, STOPPED);

        allow(STOPPING, STOP, STOPPING);
        allow(STOPPING, EXITED, STOPPED);

        allow(FAILED, STOP, FAILED);
        allow(FAILED, EXITED, FAILED);

        allow(STOPPED, STOP, STOPPED);
    }

    private EnvironmentLifecycle() {
    }

    private static void allow(EnvironmentState from, EnvironmentEvent event, EnvironmentState to) {
        TABLE.computeIfAbsent(from, s -> new EnumMap<>(EnvironmentEvent.class)).put(event, to);
    }

    /** True when {@code event} is allowed in {@code state}. */
    public static boolean allowed(EnvironmentState state, EnvironmentEvent event) {
        return TABLE.getOrDefault(state, Map.of()).containsKey(event);
    }

    /** The state after {@code event} in {@code state}; throws when the pair is not allowed. */
    public static EnvironmentState next(String environmentId, EnvironmentState state, EnvironmentEvent event) {
        EnvironmentState to = TABLE.getOrDefault(state, Map.of()).get(event);
        if (to == null) {
            throw new IllegalTransitionException(environmentId, state, event);
        }
        return to;
    }
}
