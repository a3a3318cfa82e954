package dev.nube.engine.compute.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM probes against stand-ins for the ways a host's KVM behaves, and that no probe outlives its owner. */
class KvmProbesTest {
    @TempDir
    Path dir;

    private final Path kernel = Path.of("/nonexistent/vmlinux");

    @Test
    void aKernelThatStartsUpUnderKvmPasses() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.BOOTS);
        try (KvmProbes probes = new KvmProbes(qemu.host(), dir)) {
            assertNull(probes.kernelProblem(kernel));
        }
    }

    @Test
    void anEmulationFailureIsReportedInQemusWordsAndTheProbeIsEnded() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.EMULATION_FAILURE);
        try (KvmProbes probes = new KvmProbes(qemu.host(), dir)) {
            assertEquals("emulation failure", probes.kernelProblem(kernel));
            assertTrue(qemu.lastProbe().isEmpty(), "the stopped QEMU was ended");
        }
    }

    @Test
    void aSilentKernelFailsAtTheSilenceDeadline() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.SILENT);
        try (KvmProbes probes = new KvmProbes(qemu.host(), dir)) {
            assertEquals("the kernel printed nothing within " + KvmProbes.SILENCE_DEADLINE.toSeconds() + " s",
                    probes.kernelProblem(kernel));
            assertTrue(qemu.lastProbe().isEmpty(), "the silent QEMU was ended");
        }
    }

    @Test
    void closingEndsARunningProbeAndItsVerdictIsNotTaken() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.SILENT);
        KvmProbes probes = new KvmProbes(qemu.host(), dir);
        CompletableFuture<Throwable> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return new AssertionError("a verdict: " + probes.kernelProblem(kernel));
            } catch (InterruptedException e) {
                return e;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (qemu.lastProbe().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the probe QEMU did not start");
            Thread.sleep(20);
        }
        ProcessHandle running = qemu.lastProbe().orElseThrow();
        probes.close();
        assertTrue(running.onExit().get(10, TimeUnit.SECONDS) != null && !running.isAlive(),
                "the probe QEMU is gone once close returns");
        assertTrue(probe.get(10, TimeUnit.SECONDS) instanceof InterruptedException, "the cut probe gives no verdict");
        assertThrows(InterruptedException.class, () -> probes.kernelProblem(kernel), "no probe after close");
    }

    @Test
    void theFirmwareProbeSaysWhatIsMissingOrPasses() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.BOOTS);
        Path absent = dir.resolve("no-kvm");
        try (KvmProbes missing = new KvmProbes(new QemuHost(qemu.binary.toString(), absent), dir);
             KvmProbes present = new KvmProbes(qemu.host(), dir)) {
            assertEquals("no " + absent + " on this machine", missing.firmwareProblem());
            assertNull(present.firmwareProblem());
            assertTrue(Files.exists(dir.resolve("kvm-probe.bin")));
        }
    }
}
