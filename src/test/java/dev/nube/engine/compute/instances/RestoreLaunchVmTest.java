package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Launches by restoring a booted template, with real guests: the first launch of a shape boots and has its template
 * built in the background; later launches restore it and become instances of their own (hostname, key, user data,
 * metadata, MAC and private address, host key, random numbers, clock, volume size); twenty restores (ten pairs
 * launched together) all reach SSH; a template that cannot be loaded falls back to a boot, and a new template is built; the setting off
 * boots. The tests share the class's engine and run in order (the first builds the template the others use).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreLaunchVmTest extends VmTestBase {
    private static final String RESTORED = "QEMU started by restoring launch template";
    private static final long TEMPLATE_MS = 300_000;

    @BeforeAll
    static void restoreLaunchesOn() {
        vm.instances().setRestoreLaunches(true);
    }

    @Test
    @Order(1)
    void restoredInstancesAreEachThemselves() throws Exception {
        Instance first = vm.launch();
        assertFalse(log(first.id()).contains(RESTORED), "the first launch of a shape boots");
        Path template = awaitTemplate(List.of());
        assertTrue(Files.isRegularFile(template.resolve(LaunchTemplates.STATE)));
        vm.instances().terminate(VmTestSupport.REGION, first.id());

        byte[] userData = ("#!/bin/sh\nhead -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /root/first-random\n"
                + "hostname >> /root/user-data-ran\n").getBytes(StandardCharsets.UTF_8);
        RunRequest request = RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id()).withUserData(userData)
                .withRootVolumeGiB(2);
        Instance a = vm.launch(request);
        Instance b = vm.launch(request);
        long hostNow = System.currentTimeMillis() / 1000;
        for (Instance each : List.of(a, b)) {
            String id = each.id();
            assertTrue(log(id).contains(RESTORED), () -> id + " was not restored: " + log(id));
            assertEquals(privateName(each), vm.ssh(id, "hostname").strip());
            assertEquals(id, vm.ssh(id, VmTestSupport.imds("/latest/meta-data/instance-id")).strip());
            assertEquals(privateName(each), awaitFile(id, "/root/user-data-ran"),
                    "user data ran in the restored guest");
            assertEquals(InstanceTable.macAddressOf(id), vm.ssh(id, "cat /sys/class/net/eth1/address").strip());
            assertTrue(awaitOutput(id, "ip -4 addr show eth1").contains(" " + each.privateIp() + "/"),
                    "eth1 has the instance's own private address " + each.privateIp());
            assertEquals(Long.toString(2L << 30 >> 9), vm.ssh(id, "cat /sys/block/vda/size").strip(),
                    "the root disk is the volume's size");
            long guestNow = Long.parseLong(vm.ssh(id, "date +%s").strip());
            assertTrue(Math.abs(guestNow - hostNow) < 120, "the guest's clock is set to now: " + guestNow + " vs "
                    + hostNow);
            assertTrue(vm.ssh(id, "dmesg").contains("crng reseeded due to virtual machine fork"),
                    "the kernel reseeded its random number generator on the new VM generation id");
        }
        String keyA = vm.ssh(a.id(), "dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key | grep ^ssh");
        String keyB = vm.ssh(b.id(), "dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key | grep ^ssh");
        assertTrue(keyA.startsWith("ssh-ed25519 "), keyA);
        assertNotEquals(keyA, keyB, "each restored instance has its own SSH host key");
        String fingerprintA = vm.ssh(a.id(), "dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key"
                + " | sed -n 's/^Fingerprint: //p'").strip();
        assertTrue(log(a.id()).contains("an SSH host key made by the engine, " + fingerprintA),
                () -> "the host key in use is the one the engine made and logged (" + fingerprintA + "): "
                        + log(a.id()));
        // A reboot boots the restored instance's own disk (its template's kernel command line and all): it stays
        // itself, host key included.
        vm.instances().reboot(VmTestSupport.REGION, a.id());
        vm.awaitRunning(a.id());
        assertEquals(keyA, vm.ssh(a.id(), "dropbearkey -y -f /etc/dropbear/dropbear_ed25519_host_key | grep ^ssh"));
        assertEquals(privateName(a), vm.ssh(a.id(), "hostname").strip());
        assertEquals(privateName(a), vm.ssh(a.id(), "cat /root/user-data-ran").strip(),
                "user data ran once: not again at the reboot, nor twice at the restore");
        String randomA = awaitFile(a.id(), "/root/first-random");
        String randomB = awaitFile(b.id(), "/root/first-random");
        assertEquals(32, randomA.length(), randomA);
        assertNotEquals(randomA, randomB, "the first bytes each reads from /dev/urandom after the restore differ");
        // Each reaches the other's SSH (the default group admits it) on the private network: distinct MACs and
        // addresses on one switch.
        assertTrue(vm.ssh(a.id(), "nc -w 5 " + b.privateIp() + " 22 </dev/null").startsWith("SSH-2.0-"),
                "a reaches b at " + b.privateIp());
        assertTrue(vm.instances().consoleOutput(VmTestSupport.REGION, a.id(), 100_000).contains("Linux version"),
                "the console shows the boot the guest went through (the template's)");
        vm.instances().terminate(VmTestSupport.REGION, a.id());
        vm.instances().terminate(VmTestSupport.REGION, b.id());
    }

    @Test
    @Order(2)
    void twentyRestoresInARowAllReachSsh() throws Exception {
        java.util.concurrent.ExecutorService terminations = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            // Two launches at a time, as a person launching a pair would: ten rounds, twenty restores.
            for (int round = 0; round < 10; round++) {
                List<Instance> pair = vm.instances().run(VmTestSupport.REGION, RunRequest.of(vm.image.id(),
                        "t3.nano", vm.keyPair.id()).withCount(2));
                for (Instance launched : pair) {
                    String id = launched.id();
                    vm.awaitRunning(id);
                    Instance each = vm.instances().get(VmTestSupport.REGION, id);
                    assertTrue(log(id).contains(RESTORED), () -> "restore " + id + " fell back: " + log(id));
                    assertEquals(privateName(each), vm.ssh(id, "hostname").strip());
                    // Its clean power-off overlaps the next launches.
                    terminations.submit(() -> vm.instances().terminate(VmTestSupport.REGION, id));
                }
            }
        } finally {
            terminations.shutdown();
            assertTrue(terminations.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES));
        }
    }

    @Test
    @Order(3)
    void aTemplateThatCannotBeLoadedFallsBackToABootAndIsReplaced() throws Exception {
        List<Path> before = templates();
        Path broken = before.get(0);
        Path state = broken.resolve(LaunchTemplates.STATE);
        state.toFile().setWritable(true, true);
        Files.write(state, "not a saved guest".getBytes(StandardCharsets.UTF_8));
        Instance fallback = vm.launch();
        String log = log(fallback.id());
        assertTrue(log.contains("failed") && log.contains("booting instead"), log);
        assertEquals(privateName(fallback), vm.ssh(fallback.id(), "hostname").strip(),
                "the booted instance is itself");
        assertTrue(Files.exists(broken.resolve(LaunchTemplates.UNUSABLE)), () -> "the template is not used again: "
                + log(fallback.id()));
        vm.instances().terminate(VmTestSupport.REGION, fallback.id());

        // A new template is built in the background; the next launch restores it.
        Path rebuilt = awaitTemplate(before);
        Instance restored = vm.launch();
        assertTrue(log(restored.id()).contains(RESTORED + " " + rebuilt.getFileName()), log(restored.id()));
        vm.instances().terminate(VmTestSupport.REGION, restored.id());
    }

    @Test
    @Order(4)
    void aChangedImageHasNoTemplateUntilOneIsBuiltForIt() throws Exception {
        try (LaunchTemplates templates = new LaunchTemplates(((Instances) vm.engine.instances()).accelerators.host())) {
            changedImage(templates);
        }
    }

    private static void changedImage(LaunchTemplates templates) throws Exception {
        Path folder = home.resolve("regions").resolve(VmTestSupport.REGION).resolve("images").resolve(vm.image.id());
        LaunchTemplates.Document built = dev.nube.engine.store.DocumentStore.read(templates().get(0)
                .resolve(LaunchTemplates.DOCUMENT), LaunchTemplates.Document.class).orElseThrow();
        LaunchTemplates.Shape shape = new LaunchTemplates.Shape(vm.image.id(), folder, vm.image.kernelArgs(),
                built.vcpus(), built.memoryMiB(), built.accelerator().equals("kvm")
                ? dev.nube.engine.compute.qemu.Accelerator.KVM : dev.nube.engine.compute.qemu.Accelerator.tcg("test"));
        assertTrue(templates.ready(shape).isPresent(), "the shape launched has its template");
        String key = templates.key(shape);
        Path disk = folder.resolve("disk.qcow2");
        FileTime modified = Files.getLastModifiedTime(disk);
        Files.setLastModifiedTime(disk, FileTime.fromMillis(modified.toMillis() + 1000));
        try {
            assertNotEquals(key, templates.key(shape));
            assertTrue(templates.ready(shape).isEmpty(), "a changed image disk has no template yet");
            assertTrue(templates.ready(new LaunchTemplates.Shape(vm.image.id(), folder, vm.image.kernelArgs(),
                    shape.vcpus(), shape.memoryMiB() * 2, shape.accelerator())).isEmpty(),
                    "nor has another memory size");
        } finally {
            Files.setLastModifiedTime(disk, modified);
        }
        assertEquals(key, templates.key(shape));
    }

    @Test
    @Order(5)
    void withTheSettingOffLaunchesBoot() throws Exception {
        vm.instances().setRestoreLaunches(false);
        try {
            Instance booted = vm.launch();
            assertFalse(log(booted.id()).contains(RESTORED));
            assertTrue(log(booted.id()).contains("QEMU started, pid"));
            vm.instances().terminate(VmTestSupport.REGION, booted.id());
        } finally {
            vm.instances().setRestoreLaunches(true);
        }
    }

    /** The instance's hostname, as EC2 names it: its private DNS name (each instance its own address). */
    private static String privateName(Instance instance) {
        return "ip-" + instance.privateIp().replace('.', '-') + "." + VmTestSupport.REGION + ".compute.internal";
    }

    private static String log(String id) {
        try {
            return Files.readString(home.resolve("regions").resolve(VmTestSupport.REGION).resolve("instances")
                    .resolve(id).resolve("instance.log"));
        } catch (IOException e) {
            return "no log: " + e;
        }
    }

    private static List<Path> templates() throws IOException {
        Path dir = home.resolve("regions").resolve(VmTestSupport.REGION).resolve("images").resolve(vm.image.id())
                .resolve(LaunchTemplates.FOLDER);
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(LaunchTemplates.DOCUMENT))) {
                        found.add(p);
                    }
                }
            }
        }
        return found;
    }

    /** Waits for a built template not in {@code known}. */
    private static Path awaitTemplate(List<Path> known) throws Exception {
        long deadline = System.currentTimeMillis() + TEMPLATE_MS;
        while (System.currentTimeMillis() < deadline) {
            for (Path p : templates()) {
                if (!known.contains(p)) {
                    return p;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no new template was built within " + TEMPLATE_MS / 1000 + " s");
    }

    /** A file the guest writes in the background (user data), once it is there. */
    private static String awaitFile(String id, String path) throws Exception {
        return awaitOutput(id, "i=0; while [ ! -s " + path + " ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1));"
                + " done; cat " + path).strip();
    }

    /** The output of {@code command}, asked again until it is not empty (a DHCP lease comes a moment later). */
    private static String awaitOutput(String id, String command) throws Exception {
        String out = "";
        for (int i = 0; i < 50 && !out.contains("inet"); i++) {
            out = vm.ssh(id, command);
            if (!command.startsWith("ip ")) {
                return out;
            }
            Thread.sleep(200);
        }
        return out;
    }
}
