package dev.nube.engine.compute;

import static dev.nube.engine.compute.VmTestSupport.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens around a running instance: QEMU killed, the engine restarted, user data, neighbours. */
@Tag("vm")
class InstanceRecoveryVmTest {
    @TempDir
    static Path home;
    static VmTestSupport vm;

    @BeforeAll
    static void open() {
        vm = new VmTestSupport(home);
    }

    @AfterAll
    static void close() {
        vm.close();
    }

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
    void restartingTheEngineReattachesARunningInstance() throws Exception {
        Instance instance = vm.launch();
        vm.ssh(instance.id(), "echo before > /root/marker");
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
            String out = EngineTestSupport.run(List.of("ssh", "-i", connect.privateKeyFile().toString(), "-p",
                    Integer.toString(connect.port()), "-o", "StrictHostKeyChecking=no", "-o",
                    "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "root@127.0.0.1",
                    "cat /root/marker; wget -q -O - http://169.254.169.254/latest/meta-data/instance-id"));
            assertEquals("before\n" + instance.id(), out.strip(), "the metadata service is back too");
            instances.terminate(REGION, instance.id());
        } finally {
            vm = new VmTestSupport(home);
        }
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
                vm.ssh(id, "wget -q -O - http://169.254.169.254/latest/user-data"));
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
        return "";
    }

    @Test
    void twoInstancesRunAtOnceAndSeeOnlyTheirOwnMetadata() throws Exception {
        List<Instance> two = vm.instances().run(REGION, RunRequest.of(vm.image.id(), "t3.nano", vm.keyPair.id())
                .withCount(2).withName("pair"));
        assertEquals(2, two.size());
        String a = two.get(0).id();
        String b = two.get(1).id();
        vm.awaitRunning(a);
        vm.awaitRunning(b);
        assertEquals(a, vm.ssh(a, "wget -q -O - http://169.254.169.254/latest/meta-data/instance-id").strip());
        assertEquals(b, vm.ssh(b, "wget -q -O - http://169.254.169.254/latest/meta-data/instance-id").strip());
        assertNotEquals(vm.instances().get(REGION, a).sshPort(), vm.instances().get(REGION, b).sshPort());
        // B's metadata port on the host is out of A's reach: the guest's network is restricted to its own relay.
        int portOfB = ((Instances) vm.instances()).record(REGION, b).metadataPort();
        String tried = vm.ssh(a, "timeout 10 wget -q -O - http://169.254.0.2:" + portOfB
                + "/latest/meta-data/instance-id; timeout 10 wget -q -O - http://10.0.2.2:" + portOfB
                + "/latest/meta-data/instance-id; echo end");
        assertFalse(tried.contains(b), tried);
        assertEquals("404", vm.ssh(a, "wget -S -O /dev/null http://169.254.169.254/latest/meta-data/nothing-here 2>&1"
                + " | grep -o 404 | head -1").strip());
        vm.instances().terminate(REGION, a);
        vm.instances().terminate(REGION, b);
    }
}
