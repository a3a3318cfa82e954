package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.engine.compute.qemu.Accelerators;
import dev.nube.engine.compute.qemu.QemuHost;
import dev.nube.engine.compute.qemu.QemuMachine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose KVM runs the probes but not the real guest, on any machine: the engine's QEMU is a wrapper that runs
 * everything under TCG, except that a guest asked to run under KVM never starts (QEMU's {@code -S}: its serial
 * console stays empty, as a KVM that hangs guests leaves it), and its KVM device is a file it may open. The instance
 * must reach running under TCG by itself, with the verdict saved so the next launch does not try KVM.
 */
@Tag("vm")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvmFallbackVmTest {
    @TempDir
    static Path temp;
    static VmTestSupport vm;
    static Path calls;

    @BeforeAll
    static void openEngineOnABrokenKvm() throws IOException {
        calls = temp.resolve("calls");
        Path wrapper = temp.resolve("qemu-with-broken-kvm");
        Files.writeString(wrapper, """
                #!/bin/bash
                echo "$*" >> '%s'
                args=() kvm=0
                for a in "$@"; do
                  case "$a" in *accel=kvm*) kvm=1; args+=("${a/accel=kvm/accel=tcg}") ;; *) args+=("$a") ;; esac
                done
                if [ $kvm = 1 ] && [[ " $* " == *" -daemonize "* ]]; then args+=(-S); fi
                exec %s "${args[@]}"
                """.formatted(calls, QemuMachine.BINARY));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Path kvm = Files.writeString(temp.resolve("kvm"), "");
        // The shared image builds (slow to make), but verdicts of this wrapper stay in the test's own cache.
        Path shared = Engine.defaultCache(System.getenv());
        Path cache = Files.createDirectories(temp.resolve("cache"));
        for (String kept : List.of("images", "debs")) {
            Files.createSymbolicLink(cache.resolve(kept), Files.createDirectories(shared.resolve(kept)));
        }
        vm = new VmTestSupport(Engine.open(temp.resolve("home"), cache, new QemuHost(wrapper.toString(), kvm)));
    }

    @AfterAll
    static void close() {
        vm.close();
    }

    private static long kvmLaunches() throws IOException {
        return Files.readAllLines(calls, StandardCharsets.UTF_8).stream()
                .filter(c -> c.contains("accel=kvm") && c.contains("-daemonize")).count();
    }

    private static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void aGuestThatKvmCannotRunIsRelaunchedUnderTcgAndTheVerdictIsKept() throws Exception {
        Instance launched = vm.instances().run(VmTestSupport.REGION, RunRequest.of(vm.image.id(), "t3.nano",
                vm.keyPair.id())).get(0);
        vm.awaitRunning(launched.id());
        assertEquals(1, kvmLaunches(), "the first launch tried KVM, which the probes passed, once");
        Instance running = vm.instances().get(VmTestSupport.REGION, launched.id());
        assertEquals("KVM failed to run the guest kernel (the guest printed nothing on its serial console within 10"
                + " s); restarted under TCG", running.stateReason());
        assertTrue(cmdline(running.pid()).contains("accel=tcg"), "the same instance now runs under TCG");
        assertEquals("ok\n", vm.ssh(running.id(), "echo ok"), "with its own disk and key");
        String log = Files.readString(vm.engine.home().resolve("regions/" + VmTestSupport.REGION + "/instances/"
                + running.id() + "/instance.log"));
        assertTrue(log.contains("restarted under TCG; ending QEMU pid"), log);
        assertTrue(vm.engine.hostStatus().accelerator().startsWith("TCG (KVM failed to run the guest kernel: the"
                + " guest printed nothing"), vm.engine.hostStatus().accelerator());
        Accelerators.Verdict verdict = ((Instances) vm.instances()).accelerators.verdict(
                new Accelerators.GuestKernelFile(vm.engine.home().resolve("regions/" + VmTestSupport.REGION
                        + "/images/" + vm.image.id()).resolve(TinyImageBuilder.KERNEL), vm.image.kernelRelease()))
                .orElseThrow();
        assertFalse(verdict.works());

        Instance next = vm.launch();
        assertEquals(1, kvmLaunches(), "the next launch goes straight to TCG");
        assertTrue(cmdline(next.pid()).contains("accel=tcg"));
        assertEquals(null, next.stateReason());
    }

    @Test
    @Order(2)
    void withKvmChosenInSettingsTheFailureShowsOnTheInstanceInstead() throws Exception {
        vm.instances().setAcceleratorMode(AcceleratorMode.KVM);
        try {
            Instance launched = vm.instances().run(VmTestSupport.REGION, RunRequest.of(vm.image.id(), "t3.nano",
                    vm.keyPair.id())).get(0);
            assertTrue(vm.instances().awaitState(VmTestSupport.REGION, launched.id(), InstanceState.STOPPED,
                    VmTestSupport.BOOT_MS), "the instance that KVM cannot run ends stopped");
            assertEquals("Server.InternalError: KVM failed to run the guest (the guest printed nothing on its serial"
                            + " console within 10 s); the accelerator is set to KVM in settings, so it was not"
                            + " restarted under TCG",
                    vm.instances().get(VmTestSupport.REGION, launched.id()).stateReason());
        } finally {
            vm.instances().setAcceleratorMode(AcceleratorMode.AUTO);
        }
    }
}
