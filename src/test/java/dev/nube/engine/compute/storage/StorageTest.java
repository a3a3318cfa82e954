package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.tasks.Task;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes and snapshots without a guest: real qcow2 files made and read by qemu-img, real checksums, tasks that
 * run, fail and are cancelled, and what a crash leaves settled at the next start.
 */
class StorageTest {
    private static final String REGION = "local-1";
    private static final String OTHER = "eu-local-1";

    @TempDir
    Path home;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(home);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private VolumeService volumes() {
        return engine.volumes();
    }

    private SnapshotService snapshots() {
        return engine.snapshots();
    }

    private Path volumeFolder(String id) {
        return home.resolve("regions").resolve(REGION).resolve("volumes").resolve(id);
    }

    private Snapshot awaitCompleted(String region, String id) throws Exception {
        EngineTestSupport.waitUntil(id + " completed or gone", 120, () -> {
            try {
                return snapshots().get(region, id).state() != SnapshotState.PENDING;
            } catch (EngineException e) {
                return true;
            }
        });
        return snapshots().get(region, id);
    }

    /** Writes 64 KiB of the byte 0x61 at offset 1 MiB of a volume's disk, through QEMU's block layer. */
    private static void writeInto(Path disk) throws Exception {
        EngineTestSupport.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x61 1M 64k", disk.toString()));
    }

    /** Whether those 64 KiB read back as written (qemu-io fails the pattern check otherwise). */
    private static boolean holdsData(Path disk) throws Exception {
        String out = EngineTestSupport.run(List.of("qemu-io", "-f", "qcow2", "-c", "read -P 0x61 1M 64k",
                disk.toString()));
        return !out.contains("Pattern verification failed") && out.contains("read 65536/65536 bytes");
    }

    @Test
    void anEmptyVolumeIsMadeGrownRenamedAndDeleted() throws Exception {
        Volume v = volumes().create(REGION, 2, null, "data");
        assertEquals(VolumeState.AVAILABLE, v.state());
        assertEquals(2, v.sizeGiB());
        assertEquals(2L << 30, DiskFiles.virtualSize(volumeFolder(v.id()).resolve(Volumes.DISK)));
        assertTrue(v.allocatedBytes() < 1 << 20, "a new volume takes almost nothing: " + v.allocatedBytes());

        EngineException shrink = assertThrows(EngineException.class, () -> volumes().resize(REGION, v.id(), 1));
        assertEquals("InvalidParameterValue", shrink.code());
        assertTrue(shrink.getMessage().contains("only grows"), shrink.getMessage());
        assertEquals(5, volumes().resize(REGION, v.id(), 5).sizeGiB());
        assertEquals(5L << 30, DiskFiles.virtualSize(volumeFolder(v.id()).resolve(Volumes.DISK)));
        assertEquals("logs", volumes().rename(REGION, v.id(), "logs").name());

        volumes().delete(REGION, v.id());
        assertFalse(Files.exists(volumeFolder(v.id())), "the volume's folder goes with it");
        assertEquals("InvalidVolume.NotFound", assertThrows(EngineException.class,
                () -> volumes().get(REGION, v.id())).code());
    }

    @Test
    void badRequestsAreRefusedWithTheReasonAndChangeNothing() {
        long free = volumes().freeBytes(REGION);
        int tooLarge = (int) Math.min(VolumeService.MAX_SIZE_GIB, (free >> 30) + 2);
        if ((long) tooLarge << 30 > free) {
            EngineException full = assertThrows(EngineException.class,
                    () -> volumes().create(REGION, tooLarge, null, ""));
            assertEquals("InsufficientVolumeCapacity", full.code());
            assertTrue(full.getMessage().contains(tooLarge + ".0 GiB") && full.getMessage().contains("free"),
                    full.getMessage());
        }
        assertEquals("InvalidParameterValue", assertThrows(EngineException.class,
                () -> volumes().create(REGION, 0, null, "")).code());
        assertEquals("InvalidParameterValue", assertThrows(EngineException.class,
                () -> volumes().create(REGION, VolumeService.MAX_SIZE_GIB + 1, null, "")).code());
        assertEquals("InvalidVolumeID.Malformed", assertThrows(EngineException.class,
                () -> volumes().get(REGION, "vol-nothex")).code());
        assertEquals("InvalidSnapshot.NotFound", assertThrows(EngineException.class,
                () -> volumes().create(REGION, 1, "snap-0123456789abcdef0", "")).code());
        assertEquals("InvalidVolume.NotFound", assertThrows(EngineException.class,
                () -> snapshots().create(REGION, "vol-0123456789abcdef0", "")).code());
        Volume v = volumes().create(REGION, 1, null, "");
        assertEquals("InvalidInstanceID.NotFound", assertThrows(EngineException.class,
                () -> volumes().attach(REGION, v.id(), "i-0123456789abcdef0", null)).code());
        assertEquals("IncorrectState", assertThrows(EngineException.class,
                () -> volumes().detach(REGION, v.id())).code());
        assertEquals(VolumeState.AVAILABLE, volumes().get(REGION, v.id()).state());
        assertEquals(1, volumes().list(REGION).items().size(), "the refused requests made nothing");
    }

    @Test
    void dataSurvivesSnapshotCopyToAnotherRegionAndANewVolume() throws Exception {
        engine.regions().create(OTHER, null);
        Volume v = volumes().create(REGION, 2, null, "source");
        writeInto(volumeFolder(v.id()).resolve(Volumes.DISK));

        Snapshot pending = snapshots().create(REGION, v.id(), "before the upgrade");
        assertEquals(SnapshotState.PENDING, pending.state());
        Snapshot snap = awaitCompleted(REGION, pending.id());
        assertEquals(SnapshotState.COMPLETED, snap.state());
        assertEquals(2, snap.volumeSizeGiB());
        assertEquals(64, snap.checksum().length());
        Path file = home.resolve("regions").resolve(REGION).resolve("snapshots").resolve(snap.id())
                .resolve(Snapshots.FILE);
        assertEquals(snap.checksum(), DiskFiles.checksum(file, f -> { }));
        String info = EngineTestSupport.run(List.of("qemu-img", "info", file.toString()));
        assertFalse(info.contains("backing file"), "a snapshot stands alone:\n" + info);
        assertTrue(info.contains("zstd"), info);

        Snapshot copy = awaitCompleted(OTHER, snapshots().copy(REGION, snap.id(), OTHER, "").id());
        assertEquals(SnapshotState.COMPLETED, copy.state());
        assertEquals(snap.checksum(), copy.checksum());
        assertEquals(REGION + "/" + snap.id(), copy.copiedFrom());
        assertTrue(copy.description().contains("Copied " + snap.id()), copy.description());

        Volume restored = volumes().create(OTHER, 3, copy.id(), "restored");
        assertEquals(VolumeState.CREATING, restored.state());
        EngineTestSupport.waitUntil("the volume is made", 120,
                () -> volumes().get(OTHER, restored.id()).state() == VolumeState.AVAILABLE);
        Path disk = home.resolve("regions").resolve(OTHER).resolve("volumes").resolve(restored.id())
                .resolve(Volumes.DISK);
        assertEquals(3L << 30, DiskFiles.virtualSize(disk), "grown to the size asked for");
        assertTrue(holdsData(disk), "the data came along");
        assertEquals(copy.id(), volumes().get(OTHER, restored.id()).snapshotId());

        EngineException tooSmall = assertThrows(EngineException.class,
                () -> volumes().create(REGION, 1, snap.id(), ""));
        assertEquals("InvalidParameterValue", tooSmall.code());
        assertTrue(tooSmall.getMessage().contains("at least 2 GiB"), tooSmall.getMessage());

        snapshots().delete(REGION, snap.id());
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void aDamagedSnapshotIsRefusedAtUseWithTheReasonAndLeavesNothing() throws Exception {
        engine.regions().create(OTHER, null);
        Volume v = volumes().create(REGION, 1, null, "");
        writeInto(volumeFolder(v.id()).resolve(Volumes.DISK));
        Snapshot snap = awaitCompleted(REGION, snapshots().create(REGION, v.id(), "").id());
        Path file = home.resolve("regions").resolve(REGION).resolve("snapshots").resolve(snap.id())
                .resolve(Snapshots.FILE);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xff); // one flipped byte: same size, other sum
        }
        Volume doomed = volumes().create(REGION, 0, snap.id(), "");
        EngineTestSupport.waitUntil("the volume's task ends", 60, () -> engine.tasks().list().stream()
                .anyMatch(t -> doomed.id().equals(t.resourceId()) && t.status().finished()));
        assertTrue(volumes().list(REGION).items().stream().noneMatch(x -> x.id().equals(doomed.id())));
        Task task = engine.tasks().list().stream().filter(t -> doomed.id().equals(t.resourceId())).findFirst()
                .orElseThrow();
        assertEquals(Task.Status.FAILED, task.status());
        assertTrue(task.message().contains("checksum") && task.message().contains(snap.checksum()), task.message());
        assertFalse(Files.exists(volumeFolder(doomed.id())), "no half volume");

        String copyId = snapshots().copy(REGION, snap.id(), OTHER, "").id();
        EngineTestSupport.waitUntil("the copy's task ends", 60, () -> engine.tasks().list().stream()
                .anyMatch(t -> copyId.equals(t.resourceId()) && t.status().finished()));
        assertTrue(snapshots().list(OTHER).items().isEmpty());
        assertEquals(Task.Status.FAILED, engine.tasks().list().stream()
                .filter(t -> copyId.equals(t.resourceId())).findFirst().orElseThrow().status());
        assertFalse(Files.exists(home.resolve("regions").resolve(OTHER).resolve("snapshots").resolve(copyId)));

        Files.writeString(file, "short");
        EngineException truncated = assertThrows(EngineException.class,
                () -> volumes().create(REGION, 0, snap.id(), ""));
        assertEquals("InvalidSnapshot.Damaged", truncated.code());
    }

    @Test
    void aCancelledCopyLeavesNothingRegistered() throws Exception {
        engine.regions().create(OTHER, null);
        Volume v = volumes().create(REGION, 2, null, "");
        // Enough incompressible data that the copy is still under way when it is cancelled.
        Path raw = Files.createTempFile(home, "random", ".raw");
        EngineTestSupport.run(List.of("dd", "if=/dev/urandom", "of=" + raw, "bs=1M", "count=512", "status=none"));
        Path disk = volumeFolder(v.id()).resolve(Volumes.DISK);
        Files.delete(disk);
        EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                disk.toString()));
        EngineTestSupport.run(List.of("qemu-img", "resize", "-f", "qcow2", disk.toString(), "2G"));
        Files.delete(raw);
        Snapshot snap = awaitCompleted(REGION, snapshots().create(REGION, v.id(), "").id());

        Snapshot copy = snapshots().copy(REGION, snap.id(), OTHER, "");
        String task = snapshots().taskOf(OTHER, copy.id());
        assertNotNull(task);
        assertTrue(engine.tasks().cancel(task));
        Task ended = ((dev.nube.engine.tasks.Tasks) engine.tasks()).await(task, 60_000);
        assertEquals(Task.Status.CANCELLED, ended.status(), ended.toString());
        assertTrue(snapshots().list(OTHER).items().isEmpty(), "nothing half-registered");
        try (Stream<Path> left = Files.list(home.resolve("regions").resolve(OTHER).resolve("snapshots"))) {
            assertEquals(List.of(), left.toList(), "no files left");
        }
    }

    @Test
    void whatACrashLeftIsSettledAtTheNextStart() throws Exception {
        Volume v = volumes().create(REGION, 1, null, "");
        Snapshot done = awaitCompleted(REGION, snapshots().create(REGION, v.id(), "").id());
        engine.close();

        Path snapshotsDir = home.resolve("regions").resolve(REGION).resolve("snapshots");
        Path volumesDir = home.resolve("regions").resolve(REGION).resolve("volumes");
        // A snapshot cut off while pending, with its partial file.
        String pendingId = "snap-0123456789abcdef0";
        Files.createDirectories(snapshotsDir.resolve(pendingId));
        DocumentStore.write(snapshotsDir.resolve(pendingId).resolve("resource.json"), new Snapshot(pendingId, v.id(), 1,
                "", SnapshotState.PENDING, 0, Instant.now(), 0, null, null, null));
        Files.writeString(snapshotsDir.resolve(pendingId).resolve(Snapshots.PARTIAL), "half");
        // A volume cut off while being made from a snapshot.
        String creatingId = "vol-0123456789abcdef0";
        Files.createDirectories(volumesDir.resolve(creatingId));
        DocumentStore.write(volumesDir.resolve(creatingId).resolve("resource.json"), new Volumes.VolumeRecord(
                creatingId, "", 1, Instant.now(), done.id(), null, true));
        // A delete cut off after the document went, and a creation before it was written.
        Files.createDirectories(volumesDir.resolve("vol-0123456789abcdef1"));
        Files.writeString(volumesDir.resolve("vol-0123456789abcdef1").resolve(Volumes.DISK), "orphan");

        engine = EngineTestSupport.openWithoutKvm(home);
        assertEquals(List.of(v.id()), volumes().list(REGION).items().stream().map(Volume::id).toList());
        assertEquals(List.of(done.id()), snapshots().list(REGION).items().stream().map(Snapshot::id).toList());
        assertFalse(Files.exists(snapshotsDir.resolve(pendingId)));
        assertFalse(Files.exists(volumesDir.resolve(creatingId)));
        assertFalse(Files.exists(volumesDir.resolve("vol-0123456789abcdef1")));
        assertTrue(volumes().list(REGION).problems().isEmpty());
        assertNotEquals(null, snapshots().get(REGION, done.id()).checksum());
    }

    @Test
    void aRootVolumeIdNeverNamesAStoredVolume() {
        assertEquals("vol-0123456789abcdef0", Volumes.rootVolumeId("i-0123456789abcdef0"));
    }
}
