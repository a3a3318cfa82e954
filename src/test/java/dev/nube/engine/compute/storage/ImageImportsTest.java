package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.compute.images.ImageImport.BootChoice;
import dev.nube.engine.compute.images.ImageState;
import dev.nube.engine.store.Json;
import dev.nube.engine.tasks.Task;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Importing image files through the engine, without a guest: a disk with a partition table written here becomes an
 * image whose qcow2 holds the same bytes; refused files and a conversion that fails leave no image and no folder.
 */
class ImageImportsTest {
    private static final String REGION = "local-1";

    @TempDir
    Path home;
    @TempDir
    Path files;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(home);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private Path imagesFolder() {
        return home.resolve("regions").resolve(REGION).resolve("images");
    }

    /** The image folders of the region, leftovers of unfinished ones included. */
    private List<String> imageFolders() throws Exception {
        if (!Files.isDirectory(imagesFolder())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(imagesFolder())) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * A raw disk of {@code size} whose first sectors hold a protective MBR with boot code and a GPT with a BIOS boot
     * partition and an EFI system partition, as Debian's cloud images have; {@code tail} bytes of 0x5a at 600 MiB
     * when the disk is that big, so that the disk holds data past its first L2 table once in qcow2.
     */
    private Path hybridDisk(String name, String size) throws Exception {
        Path file = files.resolve(name);
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "raw", file.toString(), size));
        byte[] head = new byte[ImageImport.HEAD_SECTORS * 512];
        for (int i = 0; i < 440; i++) {
            head[i] = (byte) (i * 7 + 1);
        }
        head[446 + 4] = (byte) 0xee;
        head[510] = 0x55;
        head[511] = (byte) 0xaa;
        System.arraycopy("EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, head, 512, 8);
        head[512 + 72] = 2; // entries from LBA 2
        head[512 + 80] = (byte) 128; // 128 entries
        head[512 + 84] = (byte) 128; // of 128 bytes
        byte[] biosBoot = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46,
                0x49};
        byte[] esp = {0x28, 0x73, 0x2a, (byte) 0xc1, 0x1f, (byte) 0xf8, (byte) 0xd2, 0x11, (byte) 0xba, 0x4b, 0x00,
                (byte) 0xa0, (byte) 0xc9, 0x3e, (byte) 0xc9, 0x3b};
        System.arraycopy(biosBoot, 0, head, 1024, 16);
        System.arraycopy(esp, 0, head, 1024 + 128, 16);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(head);
            if (raf.length() > 700L << 20) {
                raf.seek(600L << 20);
                raf.write(new byte[] {0x5a, 0x5a, 0x5a, 0x5a});
            }
        }
        return file;
    }

    private Task taskOf(String imageId) {
        return engine.tasks().list().stream().filter(t -> imageId.equals(t.resourceId())).findFirst().orElseThrow();
    }

    private Task awaitEnd(String imageId) throws Exception {
        EngineTestSupport.waitUntil("the import of " + imageId + " ended", 120,
                () -> taskOf(imageId).status() != Task.Status.RUNNING);
        return taskOf(imageId);
    }

    @Test
    void aRawDiskBecomesAnImageThatBootsFromItsDiskWithTheSameBytesInQcow2() throws Exception {
        Path raw = hybridDisk("debian-12-genericcloud-amd64.raw", "1100M");
        Image pending = engine.imageBackups().importImage(REGION, new ImageImport.Request(raw, " ", "My Debian",
                null, BootChoice.AUTOMATIC));
        assertEquals(ImageState.PENDING, pending.state(), "listed at once, pending until converted");
        assertEquals("debian-12-genericcloud-amd64", pending.name(), "the file's name without its extension");
        Task task = awaitEnd(pending.id());
        assertEquals(Task.Status.SUCCEEDED, task.status(), task::message);
        assertTrue(task.message().contains("first launch"), task.message());

        Image image = engine.images().get(REGION, pending.id());
        assertTrue(image.available());
        assertEquals("My Debian", image.description());
        assertEquals("debian", image.sshUser(), "guessed from the file's name");
        assertEquals(Image.BOOT_BIOS, image.bootMode(), "BIOS is preferred where both exist");
        assertTrue(image.bootsFromDisk());
        assertEquals(2, image.rootDeviceGiB(), "1100 MiB rounded up");
        assertEquals("x86_64", image.architecture());
        assertEquals("Imported from debian-12-genericcloud-amd64.raw", image.source());
        assertNull(image.imdsSupport(), "an unknown guest: tokens are not required of it");
        assertNull(image.kernelRelease());
        assertNull(image.kernelArgs());
        assertTrue(image.manifest().isEmpty());

        Path folder = imagesFolder().resolve(image.id());
        try (Stream<Path> entries = Files.list(folder)) {
            assertEquals(List.of("disk.qcow2", "resource.json"), entries.map(p -> p.getFileName().toString())
                    .sorted().toList(), "no kernel: it boots from its disk");
        }
        Path disk = folder.resolve("disk.qcow2");
        var info = Json.mapper().readTree(EngineTestSupport.run(List.of("qemu-img", "info", "--output=json",
                disk.toString())));
        assertEquals("qcow2", info.path("format").asText());
        assertEquals(1100L << 20, info.path("virtual-size").asLong());
        assertFalse(info.has("backing-filename"));
        assertTrue(Files.size(disk) < 20L << 20, "the converted disk stays sparse: " + Files.size(disk));
        String same = EngineTestSupport.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                raw.toString(), disk.toString()));
        assertTrue(same.contains("Images are identical"), same);
        assertTrue(image.sizeBytes() >= Files.size(disk) && image.sizeBytes() < Files.size(disk) + 4096,
                "its size is its disk's: " + image.sizeBytes());
    }

    @Test
    void aQcow2FileKeepsTheNameUserAndBootModeAskedFor() throws Exception {
        Path raw = hybridDisk("disk.raw", "16M");
        Path qcow2 = files.resolve("server.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                qcow2.toString()));
        Image pending = engine.imageBackups().importImage(REGION, new ImageImport.Request(qcow2, "Web server",
                "", "admin", BootChoice.UEFI));
        assertEquals(Task.Status.SUCCEEDED, awaitEnd(pending.id()).status());
        Image image = engine.images().get(REGION, pending.id());
        assertEquals("Web server", image.name());
        assertEquals("admin", image.sshUser());
        assertEquals(Image.BOOT_UEFI, image.bootMode());
        assertEquals(1, image.rootDeviceGiB());

        EngineException duplicate = assertThrows(EngineException.class, () -> engine.imageBackups().importImage(
                REGION, new ImageImport.Request(qcow2, "Web server", "", null, null)));
        assertEquals("InvalidAMIName.Duplicate", duplicate.code());
        EngineException user = assertThrows(EngineException.class, () -> engine.imageBackups().importImage(
                REGION, new ImageImport.Request(qcow2, "Another", "", "Root User", null)));
        assertTrue(user.getMessage().contains("Linux user name"), user.getMessage());
        assertEquals(1, engine.images().list(REGION).items().size(), "refusals register nothing");
    }

    @Test
    void refusedFilesLeaveNoImageAndNoFolder() throws Exception {
        Path vmdk = files.resolve("appliance.vmdk");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "vmdk", vmdk.toString(), "16M"));
        EngineException format = assertThrows(EngineException.class, () -> engine.imageBackups().importImage(
                REGION, new ImageImport.Request(vmdk, null, null, null, null)));
        assertTrue(format.getMessage().contains("vmdk"), format.getMessage());

        Path bare = files.resolve("rootfs.raw");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "raw", bare.toString(), "16M"));
        EngineException boot = assertThrows(EngineException.class, () -> engine.imageBackups().importImage(
                REGION, new ImageImport.Request(bare, null, null, null, null)));
        assertTrue(boot.getMessage().contains("no way to boot"), boot.getMessage());

        assertTrue(engine.images().list(REGION).items().isEmpty());
        assertEquals(List.of(), imageFolders());
    }

    @Test
    void aConversionThatFailsLeavesNoImageAndNoFolder() throws Exception {
        // A qcow2 whose first clusters read well (the checks pass) and whose second L1 entry, past them, points at
        // an unaligned L2 table: qemu-img convert fails on it.
        Path raw = hybridDisk("broken.raw", "1G");
        Path qcow2 = files.resolve("broken.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                qcow2.toString()));
        try (RandomAccessFile f = new RandomAccessFile(qcow2.toFile(), "rw")) {
            f.seek(40);
            long l1 = f.readLong();
            f.seek(l1 + 8);
            long entry = f.readLong();
            assertTrue(entry != 0, "the data at 600 MiB has an L2 table");
            f.seek(l1 + 8);
            f.writeLong(entry | 0x200);
        }
        assertNull(engine.imageBackups().previewImport(qcow2).problem(), "the checks pass");

        Image pending = engine.imageBackups().importImage(REGION, new ImageImport.Request(qcow2, null, null, null,
                null));
        Task task = awaitEnd(pending.id());
        assertEquals(Task.Status.FAILED, task.status());
        assertTrue(task.message().contains("The import of broken.qcow2 failed"), task.message());
        assertThrows(EngineException.class, () -> engine.images().get(REGION, pending.id()));
        assertEquals(List.of(), imageFolders(), "no folder left, half-converted disk included");
    }

    @Test
    void aCancelledImportLeavesNoImageAndNoFolder() throws Exception {
        Path raw = hybridDisk("big.raw", "512M");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            byte[] data = new byte[1 << 20];
            new java.util.Random(1).nextBytes(data);
            for (long at = 1 << 20; at < 512L << 20; at += data.length) {
                f.seek(at);
                f.write(data); // data to convert: the conversion takes a while
            }
        }
        Image pending = engine.imageBackups().importImage(REGION, new ImageImport.Request(raw, null, null, null,
                null));
        assertTrue(engine.tasks().cancel(taskOf(pending.id()).id()));
        Task task = awaitEnd(pending.id());
        assertEquals(Task.Status.CANCELLED, task.status(), task::message);
        assertThrows(EngineException.class, () -> engine.images().get(REGION, pending.id()));
        assertEquals(List.of(), imageFolders(), "no folder left");
    }

    @Test
    void thePreviewGivesTheDefaultsAndWhatTheChecksSay() throws Exception {
        Path raw = hybridDisk("jammy-server-cloudimg-amd64.img", "64M");
        ImageImport.Preview preview = engine.imageBackups().previewImport(raw);
        assertEquals(new ImageImport.Defaults("jammy-server-cloudimg-amd64", "ubuntu"), preview.defaults());
        assertEquals("raw", preview.disk().format());
        assertEquals("BIOS and UEFI", preview.boot().describe());
        assertNull(preview.problem());
        assertTrue(engine.images().list(REGION).items().isEmpty(), "a preview registers nothing");
    }
}
