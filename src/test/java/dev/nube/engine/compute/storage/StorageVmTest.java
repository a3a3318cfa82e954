package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.instances.VmTestSupport;
import java.nio.file.Path;
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
 * Volumes with real guests, two of them shared by the tests in order: a disk hot-plugged into a running guest,
 * formatted and mounted there; a snapshot taken while the guest has it mounted, made into a volume and read in the
 * other guest; a type change and a volume attached while stopped, both seen at the next boot; a root volume grown
 * live; what termination does to attached volumes.
 */
@Tag("vm")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorageVmTest {
    private static final String REGION = VmTestSupport.REGION;
    private static final String TEXT = "written in the first guest";

    @TempDir
    static Path temp;
    static VmTestSupport vm;
    static String first;
    static String second;
    static String volume;
    static String restored;

    @BeforeAll
    static void launchTwo() throws Exception {
        vm = new VmTestSupport(temp.resolve("data"));
        List<Instance> two = vm.instances().run(REGION, new RunRequest(vm.image.id(), "t3.nano", vm.keyPair.id(),
                List.of(), 2, "storage", null, 0, null));
        first = two.get(0).id();
        second = two.get(1).id();
        vm.awaitRunning(first);
        vm.awaitRunning(second);
    }

    @AfterAll
    static void close() {
        vm.close();
    }

    private static VolumeService volumes() {
        return vm.engine.volumes();
    }

    /** The guest's name for the disk whose serial is the volume's (virtio disks are named in the order found). */
    private static String diskOf(String instance, String volumeId) throws Exception {
        String serial = volumeId.replace("-", "");
        String name = vm.ssh(instance, "for d in /sys/block/vd*; do [ \"$(cat $d/serial 2>/dev/null)\" = " + serial
                + " ] && basename $d; done").strip();
        assertFalse(name.isEmpty(), volumeId + " is not a disk of " + instance + ": "
                + vm.ssh(instance, "cat /proc/partitions"));
        return name;
    }

    @Test
    @Order(1)
    void aVolumeHotPluggedIntoARunningGuestIsFormattedAndMountedThere() throws Exception {
        volume = volumes().create(REGION, 1, null, "data").id();
        Volume attached = volumes().attach(REGION, volume, first, null);
        assertEquals(VolumeState.IN_USE, attached.state());
        assertEquals("/dev/sdf", attached.attachment().device());
        assertEquals(VolumeAttachment.State.ATTACHED, attached.attachment().state());
        EngineTestSupport.waitUntil("the guest sees the new disk", 60,
                () -> vm.ssh(first, "cat /sys/block/vd*/serial 2>/dev/null").contains(volume.replace("-", "")));
        String disk = diskOf(first, volume);
        assertTrue(vm.ssh(first, "cat /proc/partitions").contains(disk));
        String out = vm.ssh(first, "mke2fs -q /dev/" + disk + " >/dev/null && mkdir -p /mnt/data && mount /dev/" + disk
                + " /mnt/data && echo '" + TEXT + "' > /mnt/data/note && sync && cat /mnt/data/note");
        assertEquals(TEXT, out.strip());
        assertEquals("VolumeInUse", assertThrows(EngineException.class, () -> volumes().delete(REGION, volume))
                .code());
    }

    @Test
    @Order(2)
    void aSnapshotOfAMountedVolumeCarriesItsDataToTheOtherGuest() throws Exception {
        Snapshot snap = vm.engine.snapshots().create(REGION, volume, "while mounted");
        EngineTestSupport.waitUntil("the snapshot completes", 300,
                () -> vm.engine.snapshots().get(REGION, snap.id()).state() == SnapshotState.COMPLETED);
        // The first guest goes on writing: not in the snapshot, which was taken before.
        vm.ssh(first, "echo later > /mnt/data/later && sync");

        restored = volumes().create(REGION, 0, snap.id(), "restored").id();
        EngineTestSupport.waitUntil("the volume is made", 120,
                () -> volumes().get(REGION, restored).state() == VolumeState.AVAILABLE);
        volumes().attach(REGION, restored, second, "/dev/sdg");
        EngineTestSupport.waitUntil("the second guest sees it", 60,
                () -> vm.ssh(second, "cat /sys/block/vd*/serial 2>/dev/null").contains(restored.replace("-", "")));
        String disk = diskOf(second, restored);
        String out = vm.ssh(second, "mkdir -p /mnt/r && mount /dev/" + disk + " /mnt/r && cat /mnt/r/note; ls /mnt/r");
        assertTrue(out.contains(TEXT), out);
        assertFalse(out.contains("later"), "written after the snapshot began: " + out);

        // The first guest lets go, and the disk leaves it.
        vm.ssh(first, "umount /mnt/data");
        Volume detached = volumes().detach(REGION, volume);
        assertEquals(VolumeState.AVAILABLE, detached.state());
        assertFalse(vm.ssh(first, "cat /sys/block/vd*/serial 2>/dev/null").contains(volume.replace("-", "")),
                "unplugged from the guest");
    }

    @Test
    @Order(3)
    void aNewTypeAndAVolumeAttachedWhileStoppedAreWhatTheGuestSeesAtItsNextBoot() throws Exception {
        EngineException running = assertThrows(EngineException.class,
                () -> vm.instances().setInstanceType(REGION, second, "t3.medium"));
        assertEquals("IncorrectInstanceState", running.code());
        assertTrue(running.getMessage().contains("stopped"), running.getMessage());

        vm.instances().stop(REGION, second);
        Instance resized = vm.instances().setInstanceType(REGION, second, "t3.medium");
        assertEquals(2, resized.vcpus());
        assertEquals(4096, resized.memoryMiB());
        Volume attachedWhileStopped = volumes().attach(REGION, volume, second, null);
        assertEquals(VolumeAttachment.State.ATTACHED, attachedWhileStopped.attachment().state());
        vm.instances().start(REGION, second);
        vm.awaitRunning(second);

        assertEquals("2", vm.ssh(second, "nproc").strip());
        long memKiB = Long.parseLong(vm.ssh(second, "awk '/MemTotal/ {print $2}' /proc/meminfo").strip());
        assertTrue(memKiB > 3_500_000 && memKiB <= 4096 * 1024, "MemTotal " + memKiB + " kB");
        String both = vm.ssh(second, "cat /sys/block/vd*/serial");
        assertTrue(both.contains(volume.replace("-", "")) && both.contains(restored.replace("-", "")),
                "both volumes come back at boot: " + both);
        String out = vm.ssh(second, "mkdir -p /mnt/d && mount /dev/" + diskOf(second, volume) + " /mnt/d && cat"
                + " /mnt/d/note /mnt/d/later");
        assertTrue(out.contains(TEXT) && out.contains("later"), out);
    }

    @Test
    @Order(4)
    void aRootVolumeGrowsWhileItsGuestRuns() throws Exception {
        String root = Volumes.rootVolumeId(first);
        Volume before = volumes().get(REGION, root);
        assertTrue(before.root());
        assertEquals("OperationNotPermitted", assertThrows(EngineException.class,
                () -> volumes().detach(REGION, root)).code());
        Volume grown = volumes().resize(REGION, root, before.sizeGiB() + 1);
        assertEquals(before.sizeGiB() + 1, grown.sizeGiB());
        assertEquals(before.sizeGiB() + 1, vm.instances().get(REGION, first).rootVolumeGiB());
        long sectors = Long.parseLong(vm.ssh(first, "cat /sys/block/vda/size").strip());
        assertEquals((long) (before.sizeGiB() + 1) << 30, sectors * 512, "the guest sees the new size at once");
    }

    @Test
    @Order(5)
    void anImageOfAnInstanceCopiedToAnotherRegionLaunchesThereWithTheData() throws Exception {
        String other = "eu-local-1";
        vm.engine.regions().create(other, null);
        vm.engine.keyPairs().importPublicKey(other, "test-key", vm.engine.keyPairs().get(REGION, vm.keyPair.id())
                .publicKey());
        vm.ssh(first, "echo '" + TEXT + "' > /root/marker && sync");
        dev.nube.engine.compute.images.Image pending = vm.engine.imageBackups().createImage(REGION, first,
                "backup of first", "", false);
        assertEquals(dev.nube.engine.compute.images.ImageState.PENDING, pending.state());
        assertEquals("InvalidAMIID.Unavailable", assertThrows(EngineException.class, () -> vm.instances().run(REGION,
                dev.nube.engine.compute.instances.RunRequest.of(pending.id(), "t3.nano", null))).code());
        EngineTestSupport.waitUntil("the image is available", 300,
                () -> vm.engine.images().get(REGION, pending.id()).available());
        vm.awaitRunning(first); // shut down for the snapshot, started again
        String snapshotId = vm.engine.images().get(REGION, pending.id()).snapshotId();
        assertEquals("InvalidSnapshot.InUse", assertThrows(EngineException.class,
                () -> vm.engine.snapshots().delete(REGION, snapshotId)).code());

        dev.nube.engine.compute.images.Image copy = vm.engine.imageBackups().copyImage(REGION, pending.id(), other,
                null, null);
        EngineTestSupport.waitUntil("the copy is available", 300,
                () -> vm.engine.images().get(other, copy.id()).available());
        Instance there = vm.instances().run(other, new RunRequest(copy.id(), "t3.nano", "test-key", List.of(), 1,
                "from the copy", null, 0, null)).get(0);
        vm.awaitRunning(other, there.id());
        assertEquals(TEXT, vm.ssh(other, there.id(), "cat /root/marker").strip());
        vm.instances().terminate(other, there.id());

        // Replicas: one more region, where the image is copied first, and the image's own region.
        String third = "ap-local-1";
        vm.engine.regions().create(third, null);
        List<dev.nube.engine.tasks.Task> replicas = vm.engine.imageBackups().launchReplicas(REGION, pending.id(),
                List.of(third, REGION), "t3.nano", "test-key");
        assertEquals(2, replicas.size());
        for (dev.nube.engine.tasks.Task task : replicas) {
            EngineTestSupport.waitUntil(task.title() + " ends", 300, () -> vm.engine.tasks().list().stream()
                    .filter(t -> t.id().equals(task.id())).findFirst().orElseThrow().status().finished());
            dev.nube.engine.tasks.Task ended = vm.engine.tasks().list().stream()
                    .filter(t -> t.id().equals(task.id())).findFirst().orElseThrow();
            assertEquals(dev.nube.engine.tasks.Task.Status.SUCCEEDED, ended.status(), ended.message());
        }
        Instance replica = vm.instances().list(third).items().get(0);
        assertEquals("Replica of backup of first", replica.name());
        assertEquals(null, replica.keyName(), "the third region has no key pair called test-key");
        assertTrue(vm.engine.tasks().list().stream().anyMatch(t -> t.message() != null
                && t.message().contains(replica.id()) && t.message().contains("without a key pair")));
        vm.instances().terminate(third, replica.id());
        for (Instance i : vm.instances().list(REGION).items()) {
            if (i.name().equals("Replica of backup of first")) {
                vm.instances().terminate(REGION, i.id());
            }
        }
        vm.engine.images().deregister(other, copy.id());
        String left = vm.engine.images().list(other).items().isEmpty() ? "" : "an image is left";
        assertEquals("", left);
        assertEquals(SnapshotState.COMPLETED, vm.engine.snapshots().list(other).items().get(0).state(),
                "deregistering leaves the snapshot, as on EC2");
    }

    @Test
    @Order(6)
    void terminatingAnInstanceDeletesItsRootVolumeAndLeavesTheOthers() throws Exception {
        vm.instances().terminate(REGION, second);
        assertEquals(InstanceState.TERMINATED, vm.instances().get(REGION, second).state());
        assertEquals(VolumeState.AVAILABLE, volumes().get(REGION, volume).state());
        assertEquals(VolumeState.AVAILABLE, volumes().get(REGION, restored).state());
        assertEquals("InvalidVolume.NotFound", assertThrows(EngineException.class,
                () -> volumes().get(REGION, Volumes.rootVolumeId(second))).code());
        volumes().delete(REGION, volume);
        volumes().delete(REGION, restored);
    }
}
