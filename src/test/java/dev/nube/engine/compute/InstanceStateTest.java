package dev.nube.engine.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every state x event pair of the instance lifecycle, as a table (like the Lambda runtime emulator's states_test). */
class InstanceStateTest {
    private static final InstanceState P = InstanceState.PENDING;
    private static final InstanceState R = InstanceState.RUNNING;
    private static final InstanceState SD = InstanceState.SHUTTING_DOWN;
    private static final InstanceState T = InstanceState.TERMINATED;
    private static final InstanceState SG = InstanceState.STOPPING;
    private static final InstanceState S = InstanceState.STOPPED;

    /** Row: state; columns in {@link InstanceEvent} order: START, STOP, REBOOT, TERMINATE, SSH_READY, EXITED, DONE. */
    private static final Map<InstanceState, InstanceState[]> TABLE = new EnumMap<>(Map.of(
            P, new InstanceState[] {null, SG, null, SD, R, S, null},
            R, new InstanceState[] {null, SG, R, SD, R, S, null},
            SG, new InstanceState[] {null, null, null, SD, SG, S, null},
            S, new InstanceState[] {P, null, null, SD, null, S, null},
            SD, new InstanceState[] {null, null, null, null, SD, SD, T},
            T, new InstanceState[] {null, null, null, null, null, null, null}));

    @Test
    void everyStateAndEventPair() {
        assertEquals(InstanceState.values().length, TABLE.size());
        int checked = 0;
        for (InstanceState state : InstanceState.values()) {
            InstanceState[] row = TABLE.get(state);
            assertEquals(InstanceEvent.values().length, row.length);
            for (InstanceEvent event : InstanceEvent.values()) {
                InstanceState expected = row[event.ordinal()];
                if (expected == null) {
                    InstanceState.IllegalTransition e = assertThrows(InstanceState.IllegalTransition.class,
                            () -> state.on(event), state + " x " + event);
                    assertEquals(state, e.state());
                    assertTrue(e.getMessage().contains(state.awsName()), e.getMessage());
                } else {
                    assertEquals(expected, state.on(event), state + " x " + event);
                }
                checked++;
            }
        }
        assertEquals(42, checked);
    }

    @Test
    void illegalRequestsNameTheInstanceAndItsState() {
        EngineException e = assertThrows(EngineException.class,
                () -> Instances.guard("i-0123456789abcdef0", InstanceState.TERMINATED, InstanceEvent.TERMINATE));
        assertEquals("IncorrectInstanceState", e.code());
        assertEquals("Instance i-0123456789abcdef0 is terminated; it cannot be terminated.", e.getMessage());
    }

    @Test
    void namesAndCodesAreEc2s() {
        assertEquals("shutting-down", InstanceState.SHUTTING_DOWN.awsName());
        assertEquals(16, InstanceState.RUNNING.code());
        assertEquals(80, InstanceState.STOPPED.code());
    }
}
