package dev.nube.engine.compute.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.images.ImageImport.BootChoice;
import dev.nube.engine.compute.images.ImageImport.BootFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks on a file to import: qemu-img's verdict on real files it made (raw, qcow2, an overlay, vmdk, encrypted,
 * empty, too big), boot facts read from partition tables written here byte by byte, the boot mode chosen from them,
 * and the defaults guessed from file names.
 */
class ImageImportTest {
    private static final String LINUX_GUID = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

    @TempDir
    Path dir;

    // ---- partition tables, written byte by byte ----

    /** 34 sectors of zeros: no partition table. */
    private static byte[] blank() {
        return new byte[ImageImport.HEAD_SECTORS * 512];
    }

    /** An MBR: {@code code} bytes of boot code (0: none), the 0x55AA signature, partition 1 of {@code type}. */
    private static byte[] mbr(int codeBytes, int type) {
        byte[] head = blank();
        for (int i = 0; i < codeBytes; i++) {
            head[i] = (byte) (0xeb + i);
        }
        head[446 + 4] = (byte) type;
        head[446 + 8] = 0x00;
        head[446 + 9] = 0x08; // starts at sector 2048
        head[446 + 12] = 0x00;
        head[446 + 13] = 0x00;
        head[446 + 14] = 0x01; // 65536 sectors
        head[510] = 0x55;
        head[511] = (byte) 0xaa;
        return head;
    }

    /**
     * A GPT: a protective MBR (with {@code codeBytes} of boot code), the header in LBA 1 and 128 entries of 128 bytes
     * from LBA {@code entriesLba}, the first ones of the {@code types} given.
     */
    private static byte[] gpt(int codeBytes, long entriesLba, String... types) {
        byte[] head = mbr(codeBytes, 0xee);
        System.arraycopy("EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, head, 512, 8);
        putLe(head, 512 + 72, entriesLba, 8);
        putLe(head, 512 + 80, 128, 4);
        putLe(head, 512 + 84, 128, 4);
        for (int i = 0; i < types.length; i++) {
            int at = (int) (entriesLba * 512 + i * 128);
            if (at + 16 <= head.length) {
                putGuid(head, at, types[i]);
            }
        }
        return head;
    }

    private static void putLe(byte[] b, int at, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    private static void putGuid(byte[] b, int at, String guid) {
        String[] f = guid.split("-");
        putLe(b, at, Long.parseLong(f[0], 16), 4);
        putLe(b, at + 4, Long.parseLong(f[1], 16), 2);
        putLe(b, at + 6, Long.parseLong(f[2], 16), 2);
        String rest = f[3] + f[4];
        for (int i = 0; i < 8; i++) {
            b[at + 8 + i] = (byte) Integer.parseInt(rest.substring(2 * i, 2 * i + 2), 16);
        }
    }

    @Test
    void guidsReadMixedEndianAsGptStoresThem() {
        byte[] b = new byte[16];
        putGuid(b, 0, ImageImport.ESP_GUID);
        assertEquals((byte) 0x28, b[0], "the first field is little-endian: C12A7328 starts with 28");
        assertEquals(ImageImport.ESP_GUID, ImageImport.guid(b, 0));
    }

    @Test
    void aHybridGptBootsByBiosWhenAutomatic() {
        BootFacts facts = ImageImport.bootFacts(gpt(440, 2, ImageImport.BIOS_BOOT_GUID, ImageImport.ESP_GUID,
                LINUX_GUID));
        assertEquals(new BootFacts("gpt", true, true, true), facts);
        assertEquals("BIOS and UEFI", facts.describe());
        assertEquals(Image.BOOT_BIOS, ImageImport.bootMode(facts, BootChoice.AUTOMATIC, null));
        assertEquals(Image.BOOT_UEFI, ImageImport.bootMode(facts, BootChoice.UEFI, null));
        assertEquals(Image.BOOT_BIOS, ImageImport.bootMode(facts, BootChoice.AUTOMATIC, "OVMF missing"),
                "BIOS needs no OVMF");
    }

    @Test
    void aGptWithOnlyAnEspBootsByUefiAndNeedsOvmf() {
        BootFacts facts = ImageImport.bootFacts(gpt(0, 2, ImageImport.ESP_GUID, LINUX_GUID));
        assertEquals(new BootFacts("gpt", false, true, false), facts);
        assertEquals("UEFI only", facts.describe());
        assertEquals(Image.BOOT_UEFI, ImageImport.bootMode(facts, BootChoice.AUTOMATIC, null));
        EngineException bios = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(facts, BootChoice.BIOS, null));
        assertTrue(bios.getMessage().contains("no BIOS boot code"), bios.getMessage());
        EngineException noOvmf = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(facts, BootChoice.AUTOMATIC, ImageImport.ovmfMissingText(
                        List.of(ImageImport.OVMF_CODE))));
        assertTrue(noOvmf.getMessage().contains("install the Debian package ovmf"), noOvmf.getMessage());
    }

    @Test
    void aBiosBootPartitionWithoutBootCodeCannotBootByBios() {
        BootFacts facts = ImageImport.bootFacts(gpt(0, 2, ImageImport.BIOS_BOOT_GUID, LINUX_GUID));
        assertEquals(new BootFacts("gpt", false, false, true), facts);
        EngineException e = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(facts, BootChoice.AUTOMATIC, null));
        assertTrue(e.getMessage().contains("no way to boot"), e.getMessage());
    }

    @Test
    void entriesBeyondTheSectorsReadAreNotLookedAt() {
        BootFacts facts = ImageImport.bootFacts(gpt(0, 40, ImageImport.ESP_GUID));
        assertFalse(facts.efiSystemPartition());
    }

    @Test
    void anMbrDiskBootsByBiosFromItsBootCodeOrByUefiFromAnEspPartition() {
        BootFacts withCode = ImageImport.bootFacts(mbr(440, 0x83));
        assertEquals(new BootFacts("mbr", true, false, false), withCode);
        assertEquals(Image.BOOT_BIOS, ImageImport.bootMode(withCode, BootChoice.AUTOMATIC, null));
        EngineException uefi = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(withCode, BootChoice.UEFI, null));
        assertTrue(uefi.getMessage().contains("no EFI system partition"), uefi.getMessage());

        BootFacts esp = ImageImport.bootFacts(mbr(0, 0xef));
        assertEquals(new BootFacts("mbr", false, true, false), esp);
        assertEquals(Image.BOOT_UEFI, ImageImport.bootMode(esp, BootChoice.AUTOMATIC, null));

        BootFacts nothing = ImageImport.bootFacts(mbr(0, 0x83));
        EngineException none = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(nothing, BootChoice.AUTOMATIC, null));
        assertTrue(none.getMessage().contains("MBR has no BIOS boot code and no EFI system partition"),
                none.getMessage());
    }

    @Test
    void aBareFileSystemHasNoWayToBoot() {
        BootFacts facts = ImageImport.bootFacts(blank());
        assertEquals(new BootFacts("none", false, false, false), facts);
        EngineException e = assertThrows(EngineException.class,
                () -> ImageImport.bootMode(facts, BootChoice.AUTOMATIC, null));
        assertTrue(e.getMessage().contains("no partition table"), e.getMessage());
        assertEquals(new BootFacts("none", false, false, false), ImageImport.bootFacts(new byte[100]),
                "a disk shorter than a sector");
    }

    // ---- qemu-img's verdicts on real files ----

    private Path file(String name, byte[] head, String format, String size) throws Exception {
        Path raw = dir.resolve(name + ".head");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "raw", raw.toString(), size));
        try (var channel = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(head), 0);
        }
        Path file = dir.resolve(name);
        if (format.equals("raw")) {
            Files.move(raw, file);
        } else {
            EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", format, raw.toString(),
                    file.toString()));
            Files.delete(raw);
        }
        return file;
    }

    @Test
    void rawAndQcow2FilesPassWithTheirSizeAndBootFacts() throws Exception {
        byte[] hybrid = gpt(440, 2, ImageImport.BIOS_BOOT_GUID, ImageImport.ESP_GUID, LINUX_GUID);
        for (String format : List.of("raw", "qcow2")) {
            Path file = file("disk." + format, hybrid, format, "3M");
            ImageImport.Checked checked = ImageImport.check(file, BootChoice.AUTOMATIC, dir.resolve("scratch"));
            assertEquals(format, checked.disk().format());
            assertEquals(3L << 20, checked.disk().virtualSize());
            assertEquals(1, checked.disk().virtualGiB(), "rounded up");
            assertEquals(new BootFacts("gpt", true, true, true), checked.boot(), format);
            assertEquals(Image.BOOT_BIOS, checked.bootMode());
            try (var left = Files.list(dir.resolve("scratch"))) {
                assertEquals(0, left.count(), "the first sectors read are not left behind");
            }
        }
    }

    @Test
    void otherFormatsOverlaysEncryptionAndOddSizesAreRefused() throws Exception {
        Path vmdk = dir.resolve("disk.vmdk");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "vmdk", vmdk.toString(), "16M"));
        assertRefused(vmdk, "disk.vmdk is a vmdk disk; Nube imports qcow2 and raw images only");

        Path base = dir.resolve("base.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "16M"));
        Path overlay = dir.resolve("overlay.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F",
                "qcow2", overlay.toString()));
        assertRefused(overlay, "backing file");

        Path encrypted = dir.resolve("secret.qcow2");
        // LUKS times its key derivation on the CPU first, which qemu-img can fail to measure on a busy machine
        // ("Unable to get accurate CPU usage"): made again until it succeeds, a few times at most.
        for (int attempt = 1; ; attempt++) {
            Process create = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "--object",
                    "secret,id=s0,data=password", "-o", "encrypt.format=luks,encrypt.key-secret=s0",
                    encrypted.toString(), "16M").redirectErrorStream(true).start();
            String said = new String(create.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (create.waitFor() == 0) {
                break;
            }
            assertTrue(attempt < 5 && said.contains("accurate CPU usage"), "qemu-img create (luks): " + said);
        }
        assertRefused(encrypted, "is encrypted");

        Path empty = dir.resolve("empty.raw");
        Files.createFile(empty);
        assertRefused(empty, "virtual size of 0 bytes");

        Path huge = dir.resolve("huge.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", huge.toString(), "1025G"));
        assertRefused(huge, "1025 GiB");
        Path tib = dir.resolve("tib.qcow2");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", tib.toString(), "1T"));
        assertEquals(1L << 40, ImageImport.inspect(tib).virtualSize(), "1 TiB itself is allowed");

        assertRefused(dir.resolve("absent.qcow2"), "There is no file");
    }

    private void assertRefused(Path file, String why) {
        EngineException e = assertThrows(EngineException.class, () -> ImageImport.check(file, BootChoice.AUTOMATIC,
                dir.resolve("scratch")), file.toString());
        assertEquals("InvalidParameterValue", e.code());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void aFileWithoutBootCodeIsRefusedAfterItsFormatPassed() throws Exception {
        Path bare = file("rootfs.qcow2", blank(), "qcow2", "8M");
        assertRefused(bare, "no way to boot");
        ImageImport.Preview preview = ImageImport.preview(bare, dir.resolve("scratch"));
        assertEquals("rootfs", preview.defaults().name());
        assertEquals("qcow2", preview.disk().format());
        assertTrue(preview.problem().contains("no way to boot"), preview.problem());
    }

    // ---- defaults from the file's name ----

    @Test
    void defaultsAreReadFromTheFileName() {
        assertEquals(new ImageImport.Defaults("debian-12-genericcloud-amd64", "debian"),
                ImageImport.defaultsFor("debian-12-genericcloud-amd64.qcow2"));
        assertEquals(new ImageImport.Defaults("jammy-server-cloudimg-amd64", "ubuntu"),
                ImageImport.defaultsFor("jammy-server-cloudimg-amd64.img"));
        assertEquals(new ImageImport.Defaults("ubuntu-24.04-minimal-amd64", "ubuntu"),
                ImageImport.defaultsFor("ubuntu-24.04-minimal-amd64.raw"));
        assertEquals(new ImageImport.Defaults("Fedora-Cloud-Base-Generic-41-1.4.x86_64", "fedora"),
                ImageImport.defaultsFor("Fedora-Cloud-Base-Generic-41-1.4.x86_64.qcow2"));
        assertEquals("ec2-user", ImageImport.defaultsFor("amzn2-kvm-2.0.20240709.1-x86_64.xfs.gpt.qcow2").sshUser());
        assertEquals("ec2-user", ImageImport.defaultsFor("Amazon-Linux.raw").sshUser());
        assertEquals(new ImageImport.Defaults("my disk (v2)-", "root"), ImageImport.defaultsFor("my disk (v2)!.raw"));
        assertEquals(new ImageImport.Defaults("Imported a", "root"), ImageImport.defaultsFor("a.img"));
        assertEquals(new ImageImport.Defaults("noextension", "root"), ImageImport.defaultsFor("noextension"));
    }
}
