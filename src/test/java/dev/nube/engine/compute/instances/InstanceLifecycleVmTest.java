package dev.nube.engine.compute.instances;

import static dev.nube.engine.compute.instances.VmTestSupport.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.store.EngineEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The whole life of one real instance, as the issue describes it. */
class InstanceLifecycleVmTest extends VmTestBase {
    @Test
    void launchLogInStopStartRebootTerminate() throws Exception {
        List<EngineEvent> events = new CopyOnWriteArrayList<>();
        AutoCloseable subscription = vm.engine.events().subscribe(events::add);
        Instance launched = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.name())
                .withName("web")).get(0);
        assertEquals(InstanceState.PENDING, launched.state());
        assertEquals("web", launched.name());
        String id = launched.id();
        vm.awaitRunning(id);
        Path folder = home.resolve("regions/local-1/instances/" + id);
        assertTrue(Files.exists(folder.resolve("qemu.pid")) && Files.exists(folder.resolve("console.log")));

        String uname = vm.ssh(id, "uname -a");
        assertTrue(uname.startsWith("Linux "), uname);
        assertTrue(uname.contains(vm.image.kernelRelease()), uname);
        assertEquals(id, vm.ssh(id, VmTestSupport.imds("/latest/meta-data/instance-id")).strip());
        assertEquals("t3.nano", vm.ssh(id, VmTestSupport.imds("/latest/meta-data/instance-type"))
                .strip());
        // What the console shows as the instance's metadata is what the guest reads.
        java.util.SortedMap<String, String> metadata = vm.instances().metadata(REGION, id);
        for (String path : List.of("/latest/meta-data/hostname", "/latest/meta-data/public-keys/0/openssh-key",
                "/latest/meta-data/")) {
            assertEquals(metadata.get(path).strip(), vm.ssh(id, VmTestSupport.imds(path))
                    .strip(), path);
        }
        vm.ssh(id, "echo 'kept across stop' > /root/note.txt && sync");

        // The stock ssh client logs in with the command Nube offers.
        ConnectInfo connect = vm.instances().connectInfo(REGION, id);
        assertTrue(connect.sshCommand().contains("-p " + connect.port()), connect.sshCommand());
        String viaSsh = EngineTestSupport.run(List.of("ssh", "-i", connect.privateKeyFile().toString(), "-p",
                Integer.toString(connect.port()), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", connect.user() + "@" + connect.host(),
                "hostname"));
        // The guest names itself by its private DNS name, as EC2's do.
        String hostname = metadata.get("/latest/meta-data/hostname").strip();
        assertTrue(hostname.startsWith("ip-172-31-") && hostname.endsWith(".local-1.compute.internal"), hostname);
        assertTrue(viaSsh.contains(hostname), viaSsh);
        assertTrue(connect.host().startsWith("127.100."), "SSH goes through the public address: " + connect.host());
        // The offered command itself, as typed into a shell: it trusts the host key in the console's known_hosts.
        String offered = connect.sshCommand().replaceFirst("^ssh ", "ssh -o BatchMode=yes -o LogLevel=ERROR ");
        assertTrue(EngineTestSupport.run(List.of("sh", "-c", offered + " hostname")).contains(hostname), offered);
        assertTrue(java.nio.file.Files.readString(dev.nube.engine.Engine.knownHostsFile(home)).contains("ssh-"),
                "the host key is remembered in the file the SSH terminal reads");

        // A paused virtual machine is shown as such (QMP says so), and the note goes when it runs again.
        RunningInstance live = ((Instances) vm.instances()).table.live(REGION, id);
        live.qmpCommand("stop");
        assertTrue(awaitProblem(id, "paused"), () -> vm.instances().get(REGION, id).problems().toString());
        live.qmpCommand("cont");
        assertTrue(awaitProblem(id, null), () -> vm.instances().get(REGION, id).problems().toString());

        Instance stopped = vm.instances().stop(REGION, id);
        assertEquals(InstanceState.STOPPED, stopped.state());
        assertEquals(Instances.USER_INITIATED, stopped.stateReason());
        assertEquals(0, stopped.sshPort());
        assertTrue(vm.instances().consoleOutput(REGION, id, 64 * 1024).contains("Power down"),
                "the guest powered off cleanly");
        EngineException again = assertThrows(EngineException.class, () -> vm.instances().stop(REGION, id));
        assertEquals("IncorrectInstanceState", again.code());
        assertTrue(again.getMessage().contains(id) && again.getMessage().contains("stopped"), again.getMessage());

        assertEquals(InstanceState.PENDING, vm.instances().start(REGION, id).state());
        vm.awaitRunning(id);
        assertEquals("kept across stop", vm.ssh(id, "cat /root/note.txt").strip());

        Instance rebooted = vm.instances().reboot(REGION, id);
        assertEquals(InstanceState.RUNNING, rebooted.state());
        assertEquals("kept across stop", vm.ssh(id, "cat /root/note.txt").strip());

        Instance terminated = vm.instances().terminate(REGION, id);
        assertEquals(InstanceState.TERMINATED, terminated.state());
        try (var left = Files.list(folder)) {
            assertEquals(List.of("resource.json"), left.map(p -> p.getFileName().toString()).toList(),
                    "only the document stays, as EC2 lists terminated instances for a while");
        }
        EngineException twice = assertThrows(EngineException.class, () -> vm.instances().terminate(REGION, id));
        assertEquals("IncorrectInstanceState", twice.code());
        assertTrue(twice.getMessage().contains("terminated"), twice.getMessage());
        subscription.close();

        List<InstanceState> seen = events.stream().filter(e -> e instanceof InstanceStateChanged c
                && c.instanceId().equals(id)).map(e -> ((InstanceStateChanged) e).current()).toList();
        assertEquals(List.of(InstanceState.PENDING, InstanceState.RUNNING, InstanceState.STOPPING,
                InstanceState.STOPPED, InstanceState.PENDING, InstanceState.RUNNING, InstanceState.SHUTTING_DOWN,
                InstanceState.TERMINATED), seen);
    }

    @Test
    void consoleOutputAndSerialSocketWhileRunning() throws Exception {
        Instance instance = vm.launch();
        String console = vm.instances().consoleOutput(REGION, instance.id(), 64 * 1024);
        assertTrue(console.contains("Linux version"), console);
        assertTrue(console.contains("nube: instance " + instance.id()), console);
        Path socket = vm.instances().serialConsoleSocket(REGION, instance.id());
        assertTrue(Files.exists(socket), socket.toString());
        try (java.nio.channels.SocketChannel serial = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(socket))) {
            serial.write(java.nio.ByteBuffer.wrap("\necho serial-$((6 * 7))\n".getBytes(StandardCharsets.UTF_8)));
            StringBuilder seen = new StringBuilder();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + 60_000_000_000L;
            serial.configureBlocking(false);
            while (!seen.toString().contains("serial-42") && System.nanoTime() < deadline) {
                buffer.clear();
                if (serial.read(buffer) > 0) {
                    seen.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
                } else {
                    Thread.sleep(50);
                }
            }
            assertTrue(seen.toString().contains("serial-42"), "the shell on the serial console answered: " + seen);
        }
        assertNotNull(vm.instances().summary(REGION).instancesByState().get(InstanceState.RUNNING));
        assertTrue(vm.instances().hostUsage().instanceMemoryMiB() >= 512);
        vm.instances().terminate(REGION, instance.id());
        assertFalse(Files.exists(socket));
    }

    /** Waits until the instance shows a problem containing {@code word}, or none when {@code word} is null. */
    private static boolean awaitProblem(String id, String word) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> problems = vm.instances().get(REGION, id).problems();
            if (word == null ? problems.isEmpty() : problems.stream().anyMatch(p -> p.contains(word))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
