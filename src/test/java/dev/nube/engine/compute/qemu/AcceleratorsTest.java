package dev.nube.engine.compute.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which accelerator guests get, per setting and per remembered verdict, against a stand-in QEMU. */
class AcceleratorsTest {
    @TempDir
    Path dir;

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final Accelerators.GuestKernelFile kernel = new Accelerators.GuestKernelFile(Path.of("/k/vmlinux"),
            "6.1.0-57-amd64");

    private Accelerators open(FakeQemu qemu) {
        return new Accelerators(qemu.host(), dir.resolve("run"), dir.resolve("cache/kvm-verdicts.json"),
                dir.resolve("home/config/compute.json"), reports::add);
    }

    @Test
    void aKernelThatKvmStopsGoesToTcgAndTheVerdictIsRemembered() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.EMULATION_FAILURE);
        try (Accelerators accelerators = open(qemu)) {
            Accelerator chosen = accelerators.forGuest(kernel);
            assertFalse(chosen.isKvm());
            assertEquals("TCG (KVM failed to run the guest kernel: emulation failure)", chosen.description());
            assertEquals(chosen.description(), accelerators.describe(), "the status bar says the same");
            assertEquals(chosen.description(), reports.get(reports.size() - 1));
        }
        try (Accelerators again = open(qemu)) {
            assertFalse(again.forGuest(kernel).isKvm());
            assertEquals(1, qemu.kernelProbes(), "the verdict is kept: no second probe of the same kernel");
            assertFalse(again.forGuest(new Accelerators.GuestKernelFile(kernel.file(), "6.1.0-58-amd64")).isKvm());
            assertEquals(2, qemu.kernelProbes(), "another kernel is checked again");
        }
    }

    @Test
    void aKernelThatRunsGetsKvmAndAFailureLaterSendsTheNextGuestsToTcg() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.BOOTS);
        try (Accelerators accelerators = open(qemu)) {
            assertTrue(accelerators.forGuest(kernel).isKvm());
            assertEquals("KVM (hardware virtualisation)", accelerators.describe());
            accelerators.kvmFailed(kernel, "the guest printed nothing on its serial console within 10 s");
            Accelerator next = accelerators.forGuest(kernel);
            assertFalse(next.isKvm());
            assertTrue(accelerators.describe().startsWith("TCG (KVM failed to run the guest kernel: the guest"),
                    accelerators.describe());
            assertEquals(1, qemu.kernelProbes());
        }
    }

    @Test
    void aDiskBootedGuestIsNeverProbedAndGetsKvmOnlyWhereAGuestKernelRanUnderIt() throws Exception {
        Accelerators.GuestKernelFile image = new Accelerators.GuestKernelFile(Path.of("/i/disk.qcow2"),
                Accelerators.DISK_BOOTED + "ami-0123456789abcdef0");
        Accelerators.GuestKernelFile other = new Accelerators.GuestKernelFile(Path.of("/j/disk.qcow2"),
                Accelerators.DISK_BOOTED + "ami-0123456789abcdef1");
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.BOOTS);
        try (Accelerators accelerators = open(qemu)) {
            Accelerator first = accelerators.forDiskBootedGuest(image);
            assertFalse(first.isKvm(), "KVM never seen running a real kernel here: TCG");
            assertTrue(first.description().contains("not yet run a guest kernel"), first.description());
            assertEquals(0, qemu.kernelProbes(), "its kernel is inside its disk: no probe");
            assertTrue(accelerators.forGuest(kernel).isKvm(), "a kernel of Nube's ran under KVM");
            assertTrue(accelerators.forDiskBootedGuest(image).isKvm(), "then the imported guest gets KVM too");
            accelerators.kvmFailed(image, "the virtual machine stopped on an internal error");
            Accelerator next = accelerators.forDiskBootedGuest(image);
            assertFalse(next.isKvm());
            assertTrue(next.description().contains("internal error"), next.description());
            assertTrue(accelerators.forDiskBootedGuest(other).isKvm(),
                    "another image: one image's failure says nothing of it");
            assertEquals("KVM (hardware virtualisation)", accelerators.describe(),
                    "nor of the guest kernels the status bar speaks of");
        }
        try (Accelerators reopened = open(qemu)) {
            assertFalse(reopened.forDiskBootedGuest(image).isKvm(), "the verdict is kept");
            reopened.setMode(AcceleratorMode.KVM);
            assertTrue(reopened.forDiskBootedGuest(image).isKvm(), "KVM as asked");
            reopened.setMode(AcceleratorMode.TCG);
            assertEquals("TCG (chosen in settings)", reopened.forDiskBootedGuest(image).description());
            assertEquals(1, qemu.kernelProbes());
        }
    }

    @Test
    void aDiskBootedGuestGoesToTcgWhereKvmFailsTheGuestKernels() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.EMULATION_FAILURE);
        try (Accelerators accelerators = open(qemu)) {
            assertFalse(accelerators.forGuest(kernel).isKvm());
            assertFalse(accelerators.forDiskBootedGuest(new Accelerators.GuestKernelFile(Path.of("/i/disk.qcow2"),
                    Accelerators.DISK_BOOTED + "ami-0123456789abcdef0")).isKvm());
        }
    }

    @Test
    void theSettingIsKeptAndFollowed() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.EMULATION_FAILURE);
        try (Accelerators accelerators = open(qemu)) {
            assertEquals(AcceleratorMode.AUTO, accelerators.mode());
            accelerators.setMode(AcceleratorMode.TCG);
            assertEquals("TCG (chosen in settings)", accelerators.forGuest(kernel).description());
        }
        try (Accelerators reopened = open(qemu)) {
            assertEquals(AcceleratorMode.TCG, reopened.mode());
            reopened.setMode(AcceleratorMode.KVM);
            assertTrue(reopened.forGuest(kernel).isKvm(), "KVM as asked, without a fallback");
            assertEquals(0, qemu.kernelProbes(), "neither setting probes the kernel");
        }
    }

    @Test
    void kvmChosenWhereThereIsNoneIsRefusedWithTheReason() throws Exception {
        FakeQemu qemu = new FakeQemu(dir, FakeQemu.Kernel.BOOTS);
        Path absent = dir.resolve("no-kvm");
        try (Accelerators accelerators = new Accelerators(new QemuHost(qemu.binary.toString(), absent),
                dir.resolve("run"), dir.resolve("v.json"), dir.resolve("c.json"), reports::add)) {
            assertEquals("TCG (no " + absent + " on this machine)", accelerators.forGuest(kernel).description());
            accelerators.setMode(AcceleratorMode.KVM);
            IOException refused = assertThrows(IOException.class, () -> accelerators.forGuest(kernel));
            assertEquals("the accelerator is set to KVM, but KVM cannot be used here: no " + absent
                    + " on this machine", refused.getMessage());
        }
    }
}
