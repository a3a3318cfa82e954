package dev.nube.engine.compute.instances;

import static dev.nube.engine.compute.instances.VmTestSupport.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What happens around a running instance: QEMU killed, the engine restarted, user data, neighbours. */
class InstanceRecoveryVmTest extends VmTestBase {
    @Test
    void killedQemuShowsStoppedWithTheReason() throws Exception {
        Instance instance = vm.launch();
        EngineTestSupport.run(List.of("kill", "-9", Long.toString(instance.pid())));
        assertTrue(vm.instances().awaitState(REGION, instance.id(), InstanceState.STOPPED, 60_000));
        Instance stopped = vm.instances().get(REGION, instance.id());
        assertTrue(stopped.stateReason().contains("ended unexpectedly"), stopped.stateReason());
        assertTrue(stopped.stateReason().contains(Long.toString(instance.pid())), stopped.stateReason());
        // It starts again from the same disk.
        vm.instances().start(REGION, instance.id());
        vm.awaitRunning(instance.id());
        vm.instances().terminate(REGION, instance.id());
    }

    @Test
    void aQemuThatEndsWhileItIsBeingAttachedIsSeenEnding() throws Exception {
        Instances instances = (Instances) vm.instances();
        instances.table.beforeRunning = live -> {
            ProcessHandle process = ProcessHandle.of(live.pid()).orElseThrow();
            process.destroyForcibly();
            process.onExit().join();
            try {
                // Let an exit watcher that is already running (as it was before the fix) handle the exit first.
                live.awaitExit(java.time.Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        String id = null;
        try {
            id = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())).get(0).id();
            String launched = id;
            // The QEMU starts in the background: the hook stays until the instance has been seen ending.
            assertTrue(vm.instances().awaitState(REGION, id, InstanceState.STOPPED, 60_000),
                    () -> "not pending forever: " + vm.instances().get(REGION, launched).state());
        } finally {
            instances.table.beforeRunning = live -> { };
        }
        Instance stopped = vm.instances().get(REGION, id);
        assertTrue(stopped.stateReason().contains("ended unexpectedly"), stopped.stateReason());
        vm.instances().terminate(REGION, id);
    }

    @Test
    void restartingTheEngineReattachesARunningInstance() throws Exception {
        Instance instance = vm.launch();
        vm.ssh(instance.id(), "echo before > /root/marker");
        String publicIp = vm.instances().connectInfo(REGION, instance.id()).host();
        vm.engine.close();
        assertTrue(ProcessHandle.of(instance.pid()).map(ProcessHandle::isAlive).orElse(false),
                "QEMU outlives the engine that started it");
        try (Engine reopened = Engine.open(home)) {
            InstanceService instances = reopened.instances();
            assertTrue(instances.awaitState(REGION, instance.id(), InstanceState.RUNNING, VmTestSupport.BOOT_MS));
            Instance again = instances.get(REGION, instance.id());
            assertEquals(instance.pid(), again.pid(), "the same QEMU, re-attached");
            assertEquals(instance.sshPort(), again.sshPort());
            ConnectInfo connect = instances.connectInfo(REGION, instance.id());
            assertEquals(publicIp, connect.host(), "the running instance keeps its public address");
            String out = EngineTestSupport.run(List.of("ssh", "-i", connect.privateKeyFile().toString(), "-p",
                    Integer.toString(connect.port()), "-o", "StrictHostKeyChecking=no", "-o",
                    "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                    "root@" + connect.host(),
                    "cat /root/marker; " + VmTestSupport.imds("/latest/meta-data/instance-id")));
            assertEquals("before\n" + instance.id(), out.strip(), "the metadata service is back too");
            instances.terminate(REGION, instance.id());
        } finally {
            vm = new VmTestSupport(home);
        }
    }

    @Test
    void aStopTheConsoleQuitInTheMiddleOfEndsWithAPowerOffNotAKill() throws Exception {
        Instance instance = vm.launch();
        String id = instance.id();
        vm.engine.close();
        // As if the console closed a second after Stop: the document says stopping, the guest still runs.
        ResourceCollection<InstanceRecord> documents = new ResourceCollection<>(ResourceKind.INSTANCE,
                home.resolve("regions/local-1"), InstanceRecord.class);
        documents.put(id, documents.find(id).orElseThrow().with(InstanceRecord.Intent.STOPPED,
                InstanceRecord.Operation.STOPPING, Instances.USER_INITIATED));
        try (Engine reopened = Engine.open(home)) {
            assertTrue(reopened.instances().awaitState(REGION, id, InstanceState.STOPPED, VmTestSupport.BOOT_MS),
                    () -> "still " + reopened.instances().get(REGION, id).state());
            // Stopped shows as soon as QEMU is on its way out; the stop is done when the document says so.
            Instances engineInstances = (Instances) reopened.instances();
            EngineTestSupport.waitUntil("the stop's operation is cleared from the document",
                    VmTestSupport.BOOT_MS / 1000, () -> engineInstances.table.record(REGION, id).operation()
                    == InstanceRecord.Operation.NONE);
            assertEquals(InstanceRecord.Operation.NONE, engineInstances.table.record(REGION, id).operation());
            String console = reopened.instances().consoleOutput(REGION, id, 16_000);
            assertTrue(console.contains("reboot: Power down"), "the guest shut down cleanly:\n" + console);
            String log = java.nio.file.Files.readString(home.resolve("regions/local-1/instances").resolve(id)
                    .resolve("instance.log"));
            assertTrue(log.contains("pressed the power button"), log);
            assertFalse(log.contains("killing"), log);
            reopened.instances().terminate(REGION, id);
        } finally {
            vm = new VmTestSupport(home);
        }
    }

    @Test
    void anInstanceOutlivesTheConsoleJvmThatLaunchedIt() throws Exception {
        vm.engine.close(); // the data folder is the other JVM's now
        Process console = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LaunchingConsole.class.getName(), home.toString())
                .redirectErrorStream(true).start();
        String id;
        long pid;
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                    console.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("launched "));
            assertTrue(line != null, "the launching JVM printed no instance");
            id = line.split(" ")[1];
            pid = Long.parseLong(line.split(" ")[2]);
        } finally {
            console.destroyForcibly(); // SIGKILL: no shutdown hook, nothing closed
            console.waitFor();
        }
        vm = new VmTestSupport(home); // first, so that whatever fails below, the instance is cleaned up
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU survived the kill");
        String[] qemu = stat(Long.toString(pid));
        String[] self = stat("self");
        assertNotEquals(self[3], qemu[3], "QEMU runs in a session of its own (setsid), not the console's");
        assertNotEquals(self[2], qemu[2], "and in a process group of its own");
        vm.awaitRunning(id);
        assertEquals(pid, vm.instances().get(REGION, id).pid());
        assertEquals(id, vm.ssh(id, VmTestSupport.imds("/latest/meta-data/instance-id")).strip());
        vm.instances().terminate(REGION, id);
    }

    /** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [2] pgrp, [3] session. */
    private static String[] stat(String pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(Path.of("/proc", pid, "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    @Test
    void userDataScriptRunsOnceAndTheRootVolumeGrows() throws Exception {
        byte[] script = "#!/bin/sh\necho ran >> /root/user-data-runs\n".getBytes(StandardCharsets.UTF_8);
        Instance instance = vm.launch(RunRequest.of(vm.image.id(), "t3.micro", vm.keyPair.id())
                .withUserData(script).withRootVolumeGiB(3));
        String id = instance.id();
        assertTrue(instance.hasUserData());
        assertEquals("ran", waitForFile(id, "/root/user-data-runs").strip());
        vm.instances().stop(REGION, id);
        vm.instances().start(REGION, id);
        vm.awaitRunning(id);
        assertEquals("ran", waitForFile(id, "/root/user-data-runs").strip(), "user data runs once per instance");
        assertEquals(new String(script, StandardCharsets.UTF_8),
                vm.ssh(id, VmTestSupport.imds("/latest/user-data")));
        String blocks = vm.ssh(id, "sleep 2; df -k / | tail -1").trim().split("\\s+")[1];
        assertTrue(Long.parseLong(blocks) > 2_500_000, "the root file system grew to the 3 GiB volume: " + blocks);
        vm.instances().terminate(REGION, id);
    }

    private String waitForFile(String id, String path) throws Exception {
        for (int i = 0; i < 60; i++) {
            String out = vm.ssh(id, "cat " + path + " 2>/dev/null");
            if (!out.isBlank()) {
                return out;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(path + " is still missing or empty on " + id + " after 60 tries a second apart");
    }

    @Test
    void twoInstancesRunAtOnceAndSeeOnlyTheirOwnMetadata() throws Exception {
        java.util.Set<Integer> listeningBefore = listeningTcpPortsOfThisProcess();
        List<Instance> two = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())
                .withCount(2).withName("pair"));
        assertEquals(2, two.size());
        assertEquals(List.of(InstanceState.PENDING, InstanceState.PENDING), two.stream().map(Instance::state).toList(),
                "RunInstances answers at once, every instance pending");
        String a = two.get(0).id();
        String b = two.get(1).id();
        vm.awaitRunning(a);
        vm.awaitRunning(b);
        assertEquals(a, vm.ssh(a, VmTestSupport.imds("/latest/meta-data/instance-id")).strip());
        assertEquals(b, vm.ssh(b, VmTestSupport.imds("/latest/meta-data/instance-id")).strip());
        assertNotEquals(vm.instances().get(REGION, a).sshPort(), vm.instances().get(REGION, b).sshPort());
        // The metadata services listen on unix sockets in each instance's private folder, on no TCP port that another
        // local user (or anything, while the console is closed) could reach or take over. The only new port is the one
        // the default group publishes on the instances' public addresses: SSH.
        java.util.Set<Integer> added = new java.util.HashSet<>(listeningTcpPortsOfThisProcess());
        added.removeAll(listeningBefore);
        assertEquals(java.util.Set.of(dev.nube.engine.compute.network.addresses.PortMapping.ofThisProcess()
                .hostPort(22)), added, "the engine listens on no other new TCP port");
        for (String id : List.of(a, b)) {
            InstanceFiles files = ((Instances) vm.instances()).table.files(REGION, id);
            assertTrue(java.nio.file.Files.exists(files.metadataSocket()), files.metadataSocket().toString());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(files.metadataSocket().getParent())));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(files.folder())));
        }
        assertEquals("404", vm.ssh(a, VmTestSupport.imds("-S -O /dev/null", "/latest/meta-data/nothing-here") + " 2>&1"
                + " | grep -o 404 | head -1").strip());
        // Operations on different instances run at once.
        java.util.concurrent.CompletableFuture<Instance> stopA = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> vm.instances().stop(REGION, a));
        java.util.concurrent.CompletableFuture<Instance> stopB = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> vm.instances().stop(REGION, b));
        assertEquals(InstanceState.STOPPED, stopA.get().state());
        assertEquals(InstanceState.STOPPED, stopB.get().state());
        vm.instances().terminate(REGION, a);
        vm.instances().terminate(REGION, b);
    }

    /** The TCP ports this JVM listens on, from /proc: its socket inodes matched against the kernel's tables. */
    private static java.util.Set<Integer> listeningTcpPortsOfThisProcess() throws java.io.IOException {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds.toList()) {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            }
        }
        java.util.Set<Integer> ports = new java.util.TreeSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    @Test
    void instancesTerminatedWhileTheirLaunchWaitsNeverStart() throws Exception {
        int count = InstanceLaunches.LAUNCHES_AT_ONCE + 2; // some wait for a launch slot
        List<Instance> batch = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())
                .withCount(count));
        assertEquals(count, batch.size());
        // The last waits for a launch slot: stopped before its launch began, it gets its disk, never its QEMU.
        Instance queued = batch.get(count - 1);
        assertEquals(InstanceState.STOPPED, vm.instances().stop(REGION, queued.id()).state());
        assertTrue(java.nio.file.Files.isRegularFile(((Instances) vm.instances()).table.files(REGION, queued.id())
                .rootDisk()), "a stopped instance has its root volume, so it can be started");
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(count);
        try {
            List<java.util.concurrent.Future<Instance>> done = new java.util.ArrayList<>();
            for (Instance instance : batch) {
                done.add(callers.submit(() -> vm.instances().terminate(REGION, instance.id())));
            }
            for (java.util.concurrent.Future<Instance> each : done) {
                assertEquals(InstanceState.TERMINATED, each.get(120, java.util.concurrent.TimeUnit.SECONDS).state());
            }
        } finally {
            callers.shutdownNow();
        }
        for (Instance instance : batch) {
            Instance after = vm.instances().get(REGION, instance.id());
            assertEquals(InstanceState.TERMINATED, after.state());
            assertEquals(Instances.USER_INITIATED, after.stateReason());
            assertTrue(((Instances) vm.instances()).table.findProcess(REGION, instance.id()).isEmpty(),
                    "no QEMU left for " + instance.id());
        }
    }
}
