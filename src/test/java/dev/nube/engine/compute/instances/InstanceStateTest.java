package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.compute.instances.InstanceState.Facts;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The instance state model as tables: every state x request pair that {@link InstanceState#allows} decides (the
 * engine's guard and the console's buttons both ask it), and {@link InstanceState#derive} over every intent x
 * operation x facts combination, without QEMU.
 */
class InstanceStateTest {
    private static final InstanceState P = InstanceState.PENDING;
    private static final InstanceState R = InstanceState.RUNNING;
    private static final InstanceState SD = InstanceState.SHUTTING_DOWN;
    private static final InstanceState T = InstanceState.TERMINATED;
    private static final InstanceState SG = InstanceState.STOPPING;
    private static final InstanceState S = InstanceState.STOPPED;

    /** Row: state; columns in {@link InstanceRequest} order: START, STOP, REBOOT, TERMINATE. */
    private static final Map<InstanceState, boolean[]> ALLOWED = new EnumMap<>(Map.of(
            P, new boolean[] {false, true, false, true},
            R, new boolean[] {false, true, true, true},
            SG, new boolean[] {false, false, false, true},
            S, new boolean[] {true, false, false, true},
            SD, new boolean[] {false, false, false, false},
            T, new boolean[] {false, false, false, false}));

    @Test
    void everyStateAndRequestPair() {
        assertEquals(InstanceState.values().length, ALLOWED.size());
        int checked = 0;
        for (InstanceState state : InstanceState.values()) {
            boolean[] row = ALLOWED.get(state);
            assertEquals(InstanceRequest.values().length, row.length);
            for (InstanceRequest request : InstanceRequest.values()) {
                assertEquals(row[request.ordinal()], state.allows(request), state + " x " + request);
                if (!row[request.ordinal()]) {
                    EngineException e = assertThrows(EngineException.class,
                            () -> Instances.guard("i-0123456789abcdef0", state, request));
                    assertEquals("IncorrectInstanceState", e.code());
                }
                checked++;
            }
        }
        assertEquals(24, checked);
    }

    /**
     * The state for one combination, written as the rules read in words, independently of the code's order: what
     * the user asked for and the operation first, the facts after.
     */
    private static InstanceState expected(Intent intent, Operation operation, Facts f) {
        boolean alive = f.attached() || f.processAlive();
        if (intent == Intent.TERMINATED && operation == Operation.NONE) {
            return T;
        }
        if (intent == Intent.TERMINATED || operation == Operation.TERMINATING) {
            return SD;
        }
        if (!alive) {
            boolean starting = operation == Operation.LAUNCHING || operation == Operation.STARTING;
            return starting && intent == Intent.RUNNING ? P : S;
        }
        if (operation == Operation.STOPPING) {
            return SG;
        }
        if (f.halted()) {
            return f.sshReady() ? SG : P;
        }
        if (operation == Operation.REBOOTING) {
            return R;
        }
        return f.attached() && f.sshReady() ? R : P;
    }

    @Test
    void deriveOverEveryCombination() {
        int checked = 0;
        boolean[] both = {false, true};
        for (Intent intent : Intent.values()) {
            for (Operation operation : Operation.values()) {
                for (boolean attached : both) {
                    for (boolean alive : both) {
                        for (boolean ssh : both) {
                            for (boolean halted : both) {
                                Facts facts = new Facts(attached, alive, ssh, halted);
                                assertEquals(expected(intent, operation, facts),
                                        InstanceState.derive(intent, operation, facts),
                                        intent + " x " + operation + " x " + facts);
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(3 * 6 * 16, checked);
    }

    @Test
    void theCasesUsersMeet() {
        Facts none = new Facts(false, false, false, false);
        Facts booting = new Facts(true, true, false, false);
        Facts up = new Facts(true, true, true, false);
        Facts unattached = new Facts(false, true, false, false);
        assertEquals(P, InstanceState.derive(Intent.RUNNING, Operation.LAUNCHING, none), "launch, QEMU not yet up");
        assertEquals(P, InstanceState.derive(Intent.RUNNING, Operation.NONE, booting), "booting");
        assertEquals(R, InstanceState.derive(Intent.RUNNING, Operation.NONE, up), "SSH answers");
        assertEquals(S, InstanceState.derive(Intent.RUNNING, Operation.NONE, none), "QEMU died: stopped");
        assertEquals(P, InstanceState.derive(Intent.RUNNING, Operation.NONE, unattached),
                "alive but not attached: never shown running without its banner");
        assertEquals(R, InstanceState.derive(Intent.RUNNING, Operation.REBOOTING, booting), "rebooting");
        assertEquals(SG, InstanceState.derive(Intent.STOPPED, Operation.STOPPING, up));
        assertEquals(S, InstanceState.derive(Intent.STOPPED, Operation.STOPPING, none), "the stop is done");
        assertEquals(SG, InstanceState.derive(Intent.RUNNING, Operation.NONE, new Facts(true, true, true, true)),
                "a crashed machine is never running");
        assertEquals(SD, InstanceState.derive(Intent.TERMINATED, Operation.TERMINATING, up));
        assertEquals(T, InstanceState.derive(Intent.TERMINATED, Operation.NONE, up));
    }

    @Test
    void illegalRequestsNameTheInstanceAndItsState() {
        EngineException e = assertThrows(EngineException.class,
                () -> Instances.guard("i-0123456789abcdef0", InstanceState.TERMINATED, InstanceRequest.TERMINATE));
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
