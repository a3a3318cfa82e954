package dev.nube.engine.compute.instances;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.HostStatus;
import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engine start with instances whose QEMU is gone: operations cut short are completed or rolled back, never left in
 * between, and a vanished QEMU is shown stopped with the reason. (Re-attaching a live QEMU is in the VM tests.)
 */
class InstanceReconcileTest {
    @TempDir
    Path home;

    private String store(Intent intent, Operation operation, Instant terminatedAt) throws Exception {
        String id = Ids.newId(ResourceKind.INSTANCE);
        Path root = home.resolve("regions/local-1");
        ResourceCollection<InstanceRecord> instances = new ResourceCollection<>(ResourceKind.INSTANCE, root,
                InstanceRecord.class);
        Files.createDirectories(instances.folderOf(id));
        Files.writeString(instances.folderOf(id).resolve("root.qcow2"), "disk");
        Files.writeString(instances.folderOf(id).resolve("qemu.pid"), "999999999");
        instances.put(id, new InstanceRecord(id, "x", "ami-0123456789abcdef0", "t3.nano", 1, 512, null, null,
                List.of(), 1, false, "root", Instant.now(), intent, operation, null, terminatedAt, null, null,
                null, null));
        return id;
    }

    @Test
    void completesOrRollsBackWhatTheConsoleLeftHalfDone() throws Exception {
        Engine.open(home).close(); // creates the region
        String launching = store(Intent.RUNNING, Operation.LAUNCHING, null);
        String terminating = store(Intent.TERMINATED, Operation.TERMINATING, null);
        String stopping = store(Intent.STOPPED, Operation.STOPPING, null);
        String vanished = store(Intent.RUNNING, Operation.NONE, null);
        String stopped = store(Intent.STOPPED, Operation.NONE, null);
        String longGone = store(Intent.TERMINATED, Operation.NONE, Instant.now().minus(Duration.ofHours(2)));
        try (Engine engine = Engine.open(home)) {
            InstanceService instances = engine.instances();
            Instance a = instances.get("local-1", launching);
            assertEquals(InstanceState.TERMINATED, a.state());
            assertTrue(a.stateReason().contains("launch"), a.stateReason());
            assertFalse(Files.exists(folder(launching).resolve("root.qcow2")), "the rolled-back launch left no disk");

            assertEquals(InstanceState.TERMINATED, instances.get("local-1", terminating).state());
            assertFalse(Files.exists(folder(terminating).resolve("root.qcow2")), "the termination was completed");

            assertEquals(InstanceState.STOPPED, instances.get("local-1", stopping).state());
            Instance v = instances.get("local-1", vanished);
            assertEquals(InstanceState.STOPPED, v.state());
            assertTrue(v.stateReason().contains("no longer running"), v.stateReason());
            assertTrue(Files.exists(folder(vanished).resolve("root.qcow2")), "a stopped instance keeps its disk");
            assertEquals(InstanceState.STOPPED, instances.get("local-1", stopped).state());
            assertEquals(null, instances.get("local-1", stopped).stateReason());

            assertFalse(Files.exists(folder(longGone)), "terminated instances are listed for an hour, then go");
            assertEquals(5, instances.list("local-1").items().size());
        }
    }

    @Test
    void anInstanceThatCannotBeReconciledGetsAProblemAndTheEngineOpensAllTheSame() throws Exception {
        Engine.open(home).close();
        String longGone = store(Intent.TERMINATED, Operation.NONE, Instant.now().minus(Duration.ofHours(2)));
        String vanished = store(Intent.RUNNING, Operation.NONE, null);
        Path document = folder(longGone).resolve("resource.json");
        // The expired instance's document cannot be deleted (as a read-only or failing disk would refuse).
        boolean immutable = new ProcessBuilder("chattr", "+i", document.toString()).start().waitFor() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(immutable, "chattr +i works here");
        try (Engine engine = Engine.open(home)) {
            InstanceService instances = engine.instances();
            Instance stuck = instances.get("local-1", longGone);
            assertEquals(InstanceState.TERMINATED, stuck.state());
            assertTrue(stuck.problems().stream().anyMatch(p -> p.contains("Could not delete")), stuck.problems()
                    .toString());
            Instance v = instances.get("local-1", vanished);
            assertEquals(InstanceState.STOPPED, v.state(), "the other instances are reconciled");
            assertTrue(v.stateReason().contains("no longer running"), v.stateReason());
        } finally {
            new ProcessBuilder("chattr", "-i", document.toString()).start().waitFor();
        }
    }

    @Test
    void theAcceleratorIsProbedAndReported() throws Exception {
        try (Engine engine = Engine.open(home)) {
            waitUntil("the accelerator is checked", 30,
                    () -> !engine.hostStatus().accelerator().equals(HostStatus.NOT_CHECKED));
            String accelerator = engine.hostStatus().accelerator();
            assertTrue(accelerator.startsWith("KVM") || accelerator.startsWith("TCG ("), accelerator);
        }
    }

    @Test
    void noProbeOutlivesAShortEngineRun() throws Exception {
        for (int i = 0; i < 3; i++) {
            Engine.open(home).close(); // closes while its KVM probe may still run
        }
        List<String> left = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> p.info().arguments().ifPresent(args -> {
            if (String.join(" ", args).contains("nube-kvm-probe")) {
                left.add(p.pid() + ": " + String.join(" ", args));
            }
        }));
        assertEquals(List.of(), left, "KVM probes left running after the engines closed");
    }

    private Path folder(String id) {
        return home.resolve("regions/local-1/instances").resolve(id);
    }
}
