package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every state x event pair, against a table written out here independently of the implementation's. */
class EnvironmentLifecycleTest {
    /** Rows: states in declaration order; columns: events in declaration order; "-" means illegal. */
    private static final String[][] EXPECTED = {
        //            START       RUNTIME_READY INIT_ERROR INVOKE    COMPLETE DEADLINE     STOP        EXITED
        /* INACTIVE */ {"STARTING", "-",        "-",       "-",      "-",     "-",         "STOPPED",  "-"},
        /* STARTING */ {"-",        "READY",    "FAILED",  "-",      "-",     "TIMING_OUT", "STOPPING", "FAILED"},
        /* READY    */ {"-",        "-",        "-",       "INVOKING", "-",   "-",         "STOPPING", "FAILED"},
        /* INVOKING */ {"-",        "-",        "-",       "-",      "READY", "TIMING_OUT", "STOPPING", "FAILED"},
        /* TIMING_OUT */ {"-",      "-",        "-",       "-",      "-",     "-",         "TIMING_OUT", "STOPPED"},
        /* STOPPING */ {"-",        "-",        "-",       "-",      "-",     "-",         "STOPPING", "STOPPED"},
        /* FAILED   */ {"-",        "-",        "-",       "-",      "-",     "-",         "FAILED",   "FAILED"},
        /* STOPPED  */ {"-",        "-",        "-",       "-",      "-",     "-",         "STOPPED",  "-"},
    };

    @Test
    void everyStateAndEventPair() {
        assertEquals(EnvironmentState.values().length, EXPECTED.length);
        int checked = 0;
        for (EnvironmentState state : EnvironmentState.values()) {
            for (EnvironmentEvent event : EnvironmentEvent.values()) {
                String expected = EXPECTED[state.ordinal()][event.ordinal()];
                if (expected.equals("-")) {
                    IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
                            () -> EnvironmentLifecycle.next("env-1", state, event), state + " x " + event);
                    assertTrue(e.getMessage().contains("env-1") && e.getMessage().contains(state.name()),
                            e.getMessage());
                } else {
                    assertEquals(EnvironmentState.valueOf(expected), EnvironmentLifecycle.next("env-1", state, event),
                            state + " x " + event);
                }
                checked++;
            }
        }
        assertEquals(64, checked);
    }

    @Test
    void terminalStatesOnlyAcceptStopAndLateExits() {
        for (EnvironmentState state : EnvironmentState.values()) {
            if (state.terminal()) {
                assertEquals(state, EnvironmentLifecycle.next("env-1", state, EnvironmentEvent.STOP));
            }
        }
    }
}
