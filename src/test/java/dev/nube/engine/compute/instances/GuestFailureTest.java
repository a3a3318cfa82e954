package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a virtual machine counts as unable to go on, over every QMP status and the silence of a KVM boot. */
class GuestFailureTest {
    private static final Duration EARLY = Duration.ofSeconds(2);
    private static final Duration LATE = RunningInstance.KVM_SILENCE_DEADLINE.plusSeconds(1);

    @Test
    void everyQmpStatusAtEveryMoment() {
        for (String status : new String[] {"running", "paused", "prelaunch", "inmigrate", "shutdown", "internal-error",
            "guest-panicked", "io-error", "watchdog", "suspended", null}) {
            for (boolean before : new boolean[] {false, true}) {
                for (Duration since : new Duration[] {EARLY, LATE}) {
                    String failure = RunningInstance.failure(status, before, false, 100, since);
                    String expected = switch (String.valueOf(status)) {
                        case "internal-error" ->
                                "the virtual machine stopped on an internal error (QEMU status internal-error)";
                        case "guest-panicked" -> "the guest kernel panicked (QEMU status guest-panicked)";
                        case "shutdown" -> before
                                ? "the guest shut down but QEMU did not exit (QEMU status shutdown)" : null;
                        default -> null; // paused and the rest are shown as problems, not ended
                    };
                    assertEquals(expected, failure, status + ", shut down before " + before + ", after " + since);
                }
            }
        }
    }

    @Test
    void aKvmBootThatPrintsNothingFailsOnlyAfterTheDeadlineAndOnlyWhenWatched() {
        assertNull(RunningInstance.failure("running", false, true, 0, EARLY));
        assertEquals("the guest printed nothing on its serial console within "
                        + RunningInstance.KVM_SILENCE_DEADLINE.toSeconds() + " s",
                RunningInstance.failure("running", false, true, 0, LATE));
        assertEquals(RunningInstance.failure("running", false, true, 0, LATE),
                RunningInstance.failure("prelaunch", false, true, 0, LATE), "a machine that never started");
        assertNull(RunningInstance.failure("running", false, true, 1, LATE), "the guest printed something");
        assertNull(RunningInstance.failure("running", false, false, 0, LATE), "not watched: TCG or re-attached");
    }
}
