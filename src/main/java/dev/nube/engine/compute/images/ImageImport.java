package dev.nube.engine.compute.images;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks on a cloud image file that is to become an image of a region (a Debian genericcloud or Ubuntu cloud
 * image, say), and the facts read from it. {@code qemu-img info} tells its format (qcow2 or raw only), virtual size
 * (more than 0, at most 1 TiB), and that it has no backing file, external data file or encryption; its first
 * {@link #HEAD_SECTORS} sectors, read through {@code qemu-img dd} with that format given explicitly, tell how it boots:
 * BIOS boot code in its MBR (protective or not), and an EFI system partition in its GPT (or an MBR partition of type
 * 0xEF). Stateless.
 *
 * <p>These are facts about the disk's first sectors: whether the boot loader found there starts the guest's system is
 * only known when an instance of the image first boots.
 */
public final class ImageImport {
    /** The largest virtual size accepted: 1 TiB. */
    public static final long MAX_VIRTUAL_SIZE = 1L << 40;
    /** The sectors read to find the partition table: the MBR, the GPT header and 128 entries of 128 bytes. */
    public static final int HEAD_SECTORS = 34;
    /** OVMF's firmware code (Debian package ovmf), read-only, shared by every UEFI guest. */
    public static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    /** OVMF's empty variable store (Secure Boot off), copied once for each UEFI instance. */
    public static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");

    static final String ESP_GUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    static final String BIOS_BOOT_GUID = "21686148-6449-6E6F-744E-656564454649";
    private static final Duration QUICK = Duration.ofMinutes(1);

    /** How the user asks an image to boot: as its disk allows (BIOS first), or one way only. */
    public enum BootChoice {
        AUTOMATIC, BIOS, UEFI
    }

    /**
     * An import: the file (qcow2 or raw), the image's name and description, the user its key pair goes to (the
     * image's default user, whom cloud-init in the guest makes), and how it boots. A null boot is automatic.
     */
    public record Request(Path file, String name, String description, String sshUser, BootChoice boot) {
        public Request {
            boot = boot == null ? BootChoice.AUTOMATIC : boot;
        }
    }

    /** What {@code qemu-img info} says of a file that passed its checks: format, virtual size, bytes on disk. */
    public record DiskInfo(String format, long virtualSize, long actualSize) {
        /** The virtual size in GiB, rounded up: the image's root device size. */
        public int virtualGiB() {
            return (int) ((virtualSize + (1L << 30) - 1) >> 30);
        }
    }

    /**
     * What the disk's first sectors tell: its partition table ({@code "gpt"}, {@code "mbr"} or {@code "none"}),
     * whether its MBR holds boot code (non-zero bytes before the partition table, with the 0x55AA signature), an EFI
     * system partition, and a BIOS boot partition (a GPT's place for GRUB's core, used only with that boot code).
     */
    public record BootFacts(String table, boolean biosBootCode, boolean efiSystemPartition,
                            boolean biosBootPartition) {
        /** Whether the BIOS can start it: SeaBIOS runs the MBR's boot code, which loads the rest. */
        public boolean biosBootable() {
            return biosBootCode;
        }

        /** The ways it boots in words, for the user: "BIOS and UEFI", "UEFI only", ... */
        public String describe() {
            if (biosBootable() && efiSystemPartition) {
                return "BIOS and UEFI";
            }
            if (biosBootable()) {
                return "BIOS only";
            }
            if (efiSystemPartition) {
                return "UEFI only";
            }
            return "no way to boot";
        }
    }

    /** Defaults for an import, read from the file's name. */
    public record Defaults(String name, String sshUser) {
    }

    /** Everything the checks found: what qemu-img said, the boot facts, and the boot mode chosen ("bios", "uefi"). */
    public record Checked(DiskInfo disk, BootFacts boot, String bootMode) {
    }

    /** What the import dialog shows of a chosen file before the import: the defaults, and the checks' verdict. */
    public record Preview(Defaults defaults, DiskInfo disk, BootFacts boot, String problem) {
    }

    private ImageImport() {
    }

    /**
     * The defaults for a file named {@code fileName}: the name is the file's name without its last extension
     * (characters an image name cannot hold become '-'; one shorter than 3 characters is prefixed with "Imported ").
     * The default user is the one the distribution's cloud images make, guessed from the name, case ignored:
     * "debian" for names with "debian", "ubuntu" for "ubuntu" or "cloudimg" (Ubuntu's files are named
     * CODENAME-server-cloudimg-ARCH.img), "fedora" for "fedora", "ec2-user" for "amzn" or "amazon" (Amazon Linux),
     * else "root".
     */
    public static Defaults defaultsFor(String fileName) {
        String base = fileName;
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        String name = base.replaceAll("[^A-Za-z0-9 ()\\[\\]./\\-'@_]", "-").strip();
        if (name.length() < 3) {
            name = ("Imported " + name).strip();
        }
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        String lower = fileName.toLowerCase(Locale.ROOT);
        String user;
        if (lower.contains("debian")) {
            user = "debian";
        } else if (lower.contains("ubuntu") || lower.contains("cloudimg")) {
            user = "ubuntu";
        } else if (lower.contains("fedora")) {
            user = "fedora";
        } else if (lower.contains("amzn") || lower.contains("amazon")) {
            user = "ec2-user";
        } else {
            user = "root";
        }
        return new Defaults(name, user);
    }

    /**
     * Runs every check on {@code file} and chooses its boot mode for {@code choice}; {@code scratch} is a folder for
     * the disk's first sectors. Throws {@code InvalidParameterValue} with the reason for a file that cannot be an
     * image, or a boot mode it does not have or this machine cannot run.
     */
    public static Checked check(Path file, BootChoice choice, Path scratch) throws IOException, InterruptedException {
        DiskInfo disk = inspect(file);
        BootFacts boot = readBootFacts(file, disk.format(), scratch);
        return new Checked(disk, boot, bootMode(boot, choice, ovmfMissing()));
    }

    /** The defaults for {@code file} and what the checks say of it, for the import dialog; never throws a refusal. */
    public static Preview preview(Path file, Path scratch) throws InterruptedException {
        Defaults defaults = defaultsFor(file.getFileName().toString());
        DiskInfo disk = null;
        BootFacts boot = null;
        try {
            disk = inspect(file);
            boot = readBootFacts(file, disk.format(), scratch);
            bootMode(boot, BootChoice.AUTOMATIC, ovmfMissing());
            return new Preview(defaults, disk, boot, null);
        } catch (EngineException e) {
            return new Preview(defaults, disk, boot, e.getMessage());
        } catch (IOException e) {
            return new Preview(defaults, disk, boot, e.getMessage());
        }
    }

    /** {@code qemu-img info} on {@code file}, checked: see {@link #checkInfo}. */
    public static DiskInfo inspect(Path file) throws IOException, InterruptedException {
        if (!Files.isRegularFile(file)) {
            throw EngineException.invalid("There is no file " + file + " to import.");
        }
        if (!Files.isReadable(file)) {
            throw EngineException.invalid("The file " + file + " cannot be read: check its permissions.");
        }
        Commands.Result result = Commands.run(List.of("qemu-img", "info", "--output=json", "-U", file.toString()),
                null, QUICK);
        if (result.exit() != 0) {
            throw EngineException.invalid("qemu-img cannot read " + file.getFileName() + ": " + result.lastLine());
        }
        return checkInfo(result.output(), file.getFileName().toString());
    }

    /**
     * The checks on {@code qemu-img info}'s JSON for {@code fileName}: format qcow2 or raw, no backing file, no
     * external data file, not encrypted, not marked corrupt, virtual size above 0 and at most 1 TiB.
     */
    static DiskInfo checkInfo(String json, String fileName) throws IOException {
        JsonNode info = Json.mapper().readTree(json);
        String format = info.path("format").asText("");
        if (!format.equals("qcow2") && !format.equals("raw")) {
            throw EngineException.invalid(fileName + " is a " + (format.isEmpty() ? "disk of unknown format" : format
                    + " disk") + "; Nube imports qcow2 and raw images only. Convert it first, e.g. with qemu-img"
                    + " convert -O qcow2.");
        }
        if (info.hasNonNull("backing-filename")) {
            throw EngineException.invalid(fileName + " is an overlay on the backing file '"
                    + info.path("backing-filename").asText() + "'; import a standalone image (qemu-img convert -O"
                    + " qcow2 makes one).");
        }
        JsonNode specific = info.path("format-specific").path("data");
        if (specific.hasNonNull("data-file")) {
            throw EngineException.invalid(fileName + " keeps its data in the external file '"
                    + specific.path("data-file").asText() + "'; import a standalone image.");
        }
        if (info.path("encrypted").asBoolean(false) || specific.has("encrypt")) {
            throw EngineException.invalid(fileName + " is encrypted; Nube imports unencrypted images only.");
        }
        if (specific.path("corrupt").asBoolean(false)) {
            throw EngineException.invalid(fileName + " is marked corrupt; check it with qemu-img check.");
        }
        long size = info.path("virtual-size").asLong(0);
        if (size <= 0) {
            throw EngineException.invalid(fileName + " has a virtual size of 0 bytes: it holds no disk.");
        }
        if (size > MAX_VIRTUAL_SIZE) {
            throw EngineException.invalid(fileName + " has a virtual size of " + (size >> 30) + " GiB; Nube imports"
                    + " images of at most 1024 GiB.");
        }
        return new DiskInfo(format, size, info.path("actual-size").asLong(0));
    }

    /** Reads the first {@link #HEAD_SECTORS} sectors of {@code file} as {@code format}, and what they tell. */
    public static BootFacts readBootFacts(Path file, String format, Path scratch)
            throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        // A folder of this user's only (a temporary folder is made owner-only): qemu-img makes the file in it.
        Path folder = Files.createTempDirectory(scratch, "nube-import-");
        Path head = folder.resolve("head.raw");
        try {
            Commands.Result result = Commands.run(List.of("qemu-img", "dd", "-U", "-f", format, "-O", "raw",
                    "bs=512", "count=" + HEAD_SECTORS, "if=" + file, "of=" + head), null, QUICK);
            if (result.exit() != 0) {
                throw new IOException("qemu-img cannot read the first sectors of " + file.getFileName() + ": "
                        + result.lastLine());
            }
            return bootFacts(Files.readAllBytes(head));
        } finally {
            Files.deleteIfExists(head);
            Files.deleteIfExists(folder);
        }
    }

    /** What a disk's first sectors ({@code head}, from sector 0, as many as were read) tell of how it boots. */
    public static BootFacts bootFacts(byte[] head) {
        boolean signature = head.length >= 512 && (head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xaa;
        boolean code = false;
        if (signature) {
            for (int i = 0; i < 440; i++) {
                if (head[i] != 0) {
                    code = true;
                    break;
                }
            }
        }
        boolean gpt = head.length >= 1024 && new String(head, 512, 8, java.nio.charset.StandardCharsets.US_ASCII)
                .equals("EFI PART");
        if (gpt) {
            long entriesLba = le(head, 512 + 72, 8);
            long count = le(head, 512 + 80, 4);
            long size = le(head, 512 + 84, 4);
            boolean esp = false;
            boolean biosBoot = false;
            // Only a table within the sectors read, with sane sizes: a crafted header cannot make it read elsewhere.
            if (size >= 128 && size <= 4096 && entriesLba >= 2 && entriesLba < HEAD_SECTORS) {
                for (long i = 0; i < Math.min(count, 4096); i++) {
                    long at = entriesLba * 512 + i * size;
                    if (at < 0 || at + 16 > head.length) {
                        break; // entries past the sectors read are not looked at
                    }
                    String type = guid(head, (int) at);
                    esp |= type.equals(ESP_GUID);
                    biosBoot |= type.equals(BIOS_BOOT_GUID);
                }
            }
            return new BootFacts("gpt", code, esp, biosBoot);
        }
        if (!signature) {
            return new BootFacts("none", false, false, false);
        }
        boolean esp = false;
        for (int i = 0; i < 4; i++) {
            esp |= (head[446 + i * 16 + 4] & 0xff) == 0xef;
        }
        return new BootFacts("mbr", code, esp, false);
    }

    /**
     * The boot mode for {@code choice}: automatic takes BIOS where the disk has it (SeaBIOS starts faster than OVMF),
     * else UEFI. Refused: a disk with no way to boot, a mode the disk lacks, and UEFI while OVMF is missing
     * ({@code ovmfMissing}, null when it is installed).
     */
    public static String bootMode(BootFacts facts, BootChoice choice, String ovmfMissing) {
        if (!facts.biosBootable() && !facts.efiSystemPartition()) {
            throw EngineException.invalid("The disk has no way to boot: " + (facts.table().equals("none")
                    ? "it has no partition table (a bare file system cannot boot)" : "its " + facts.table().toUpperCase(
                    Locale.ROOT) + " has no BIOS boot code and no EFI system partition") + ". Nube boots imported"
                    + " images from their own disk, by BIOS or UEFI.");
        }
        String mode = switch (choice) {
            case AUTOMATIC -> facts.biosBootable() ? Image.BOOT_BIOS : Image.BOOT_UEFI;
            case BIOS -> {
                if (!facts.biosBootable()) {
                    throw EngineException.invalid("The disk has no BIOS boot code in its first sector"
                            + (facts.biosBootPartition() ? " (its BIOS boot partition alone cannot start it)" : "")
                            + "; choose UEFI or Automatic.");
                }
                yield Image.BOOT_BIOS;
            }
            case UEFI -> {
                if (!facts.efiSystemPartition()) {
                    throw EngineException.invalid("The disk has no EFI system partition; choose BIOS or Automatic.");
                }
                yield Image.BOOT_UEFI;
            }
        };
        if (mode.equals(Image.BOOT_UEFI) && ovmfMissing != null) {
            throw EngineException.invalid("The disk boots by UEFI only, and " + ovmfMissing + ".");
        }
        return mode;
    }

    /** Why UEFI guests cannot start here (OVMF's files are missing), or null when they can. */
    public static String ovmfMissing() {
        List<String> missing = new ArrayList<>();
        for (Path f : List.of(OVMF_CODE, OVMF_VARS)) {
            if (!Files.isReadable(f)) {
                missing.add(f.toString());
            }
        }
        return ovmfMissingText(missing.stream().map(Path::of).toList());
    }

    /** The words for OVMF's files {@code missing}; null when none is. */
    static String ovmfMissingText(List<Path> missing) {
        return missing.isEmpty() ? null : "the UEFI firmware (" + String.join(", ", missing.stream()
                .map(Path::toString).toList()) + ") is missing: install the Debian package ovmf";
    }

    private static long le(byte[] b, int at, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    /** A GPT GUID as text: the first three fields are little-endian, the rest as stored. */
    static String guid(byte[] b, int at) {
        return String.format("%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le(b, at, 4), le(b, at + 4, 2),
                le(b, at + 6, 2), b[at + 8] & 0xff, b[at + 9] & 0xff, b[at + 10] & 0xff, b[at + 11] & 0xff,
                b[at + 12] & 0xff, b[at + 13] & 0xff, b[at + 14] & 0xff, b[at + 15] & 0xff);
    }
}
