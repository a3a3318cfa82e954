package dev.nube.engine.compute.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.ImageImport.BootChoice;
import dev.nube.engine.compute.instances.ConnectInfo;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.tasks.Task;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imported images booted from their own disk, as third-party cloud images are. The disk is made here, without root,
 * from the Debian 12 image Nube builds, laid out as Debian's own cloud images are (a hybrid): a GPT with an EFI system
 * partition holding GRUB for UEFI (grub-mkstandalone), a BIOS boot partition holding GRUB for the BIOS (grub-mkimage,
 * installed by hand as grub-bios-setup would, with boot.img's code in the MBR), and the Debian root file system in
 * partition 2. It is imported twice from the raw file: automatically (BIOS, preferred) and by UEFI (OVMF). In each
 * guest the kernel command line is its own GRUB's ({@code root=/dev/vda2}), not Nube's, and cloud-init finds the
 * metadata service.
 */
@Tag("vm")
class ImportedImageVmTest {
    private static final String REGION = "local-1";
    /** Under TCG, the firmware, GRUB, systemd and cloud-init take minutes; nothing asserts on time. */
    private static final long BOOT_MS = 900_000;
    /** Where GRUB's core image for the BIOS goes: the BIOS boot partition, right after the GPT's entries. */
    private static final int CORE_SECTOR = 34;

    /**
     * Makes the disk: $1 the Debian image's disk.qcow2 (a bare ext4 labelled nube-root), $2 its kernel release, $3
     * the raw file to write; leaves GRUB's core image for the BIOS in core.img, for the test to install. The root file
     * system's fstab names it by label, as /dev/vda is now its disk.
     */
    private static final String MAKE_DISK = """
            set -eu
            SRC=$1; REL=$2; OUT=$3
            qemu-img convert -f qcow2 -O raw "$SRC" root.raw
            printf 'LABEL=nube-root / ext4 rw,discard,errors=remount-ro 0 1\\n' > fstab
            debugfs -w -R "rm /etc/fstab" root.raw
            printf 'write fstab /etc/fstab\\nsif /etc/fstab uid 0\\nsif /etc/fstab gid 0\\n' | debugfs -w -f - root.raw
            cat > grub.cfg <<CFG
            search --no-floppy --label nube-root --set=root
            linux /boot/vmlinuz-$REL root=/dev/vda2 rw console=ttyS0 net.ifnames=0 panic=-1 mitigations=off
            initrd /boot/initrd.img-$REL
            boot
            CFG
            grub-mkstandalone -O x86_64-efi --modules="part_gpt ext2 linux normal search search_label" \\
                -o bootx64.efi "boot/grub/grub.cfg=grub.cfg"
            grub-mkimage -O i386-pc -c grub.cfg -p /boot/grub -o core.img \\
                biosdisk part_gpt ext2 linux search search_label boot
            truncate -s 40M esp.img
            mkfs.vfat -n ESP esp.img
            mmd -i esp.img ::/EFI ::/EFI/BOOT
            mcopy -i esp.img bootx64.efi ::/EFI/BOOT/BOOTX64.EFI
            ROOT=$(stat -c %s root.raw)
            truncate -s $((42 * 1024 * 1024 + ROOT)) "$OUT"
            printf 'label: gpt\\nfirst-lba: 34\\n\
            start=2048, size=81920, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp\\n\
            start=83968, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\\n\
            start=34, size=2014, type=21686148-6449-6E6F-744E-656564454649, name=bios\\n' $((ROOT / 512)) \\
                | sfdisk -q "$OUT"
            dd if=esp.img of="$OUT" bs=1M seek=1 conv=notrunc,sparse status=none
            dd if=root.raw of="$OUT" bs=1M seek=41 conv=notrunc,sparse status=none
            rm -f root.raw esp.img bootx64.efi
            """;

    @TempDir
    static Path temp;
    static Engine engine;
    static Image bios;
    static Image uefi;
    static Instance biosInstance;
    static Instance uefiInstance;

    /**
     * Installs GRUB for the BIOS as grub-bios-setup does: {@code core} in the BIOS boot partition, its first sector
     * (diskboot) told that the rest follows it; boot.img's code in the MBR (its partition table kept), told where the
     * core image starts, its floppy check skipped.
     */
    private static void installBiosGrub(Path disk, Path core) throws Exception {
        byte[] image = Files.readAllBytes(core);
        java.nio.ByteBuffer.wrap(image, 0x1f4, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(CORE_SECTOR + 1);
        byte[] boot = Files.readAllBytes(Path.of("/usr/lib/grub/i386-pc/boot.img"));
        java.nio.ByteBuffer.wrap(boot, 0x5c, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(CORE_SECTOR);
        boot[0x66] = (byte) 0x90;
        boot[0x67] = (byte) 0x90;
        assertTrue(image.length <= 2014 * 512, "core.img fits its partition");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.seek((long) CORE_SECTOR * 512);
            f.write(image);
            f.seek(0);
            f.write(boot, 0, 440);
        }
    }

    private static Image importAs(Path raw, String name, BootChoice boot) throws Exception {
        Image pending = engine.imageBackups().importImage(REGION, new ImageImport.Request(raw, name,
                "Debian 12 with GRUB for the BIOS and UEFI", "admin", boot));
        EngineTestSupport.waitUntil("the import of " + pending.id(), 600, () -> engine.tasks().list().stream()
                .anyMatch(t -> pending.id().equals(t.resourceId()) && t.status() != Task.Status.RUNNING));
        Task task = engine.tasks().list().stream().filter(t -> pending.id().equals(t.resourceId())).findFirst()
                .orElseThrow();
        assertEquals(Task.Status.SUCCEEDED, task.status(), task::message);
        return engine.images().get(REGION, pending.id());
    }

    @BeforeAll
    static void importAndLaunch() throws Exception {
        engine = Engine.open(temp.resolve("home"));
        Image debian = engine.images().ensureImage(REGION, ImageService.DEBIAN_IMAGE_NAME);
        Path work = Files.createDirectories(temp.resolve("work"));
        Path raw = work.resolve("debian-hybrid-test.raw");
        Path source = temp.resolve("home").resolve("regions").resolve(REGION).resolve("images").resolve(debian.id())
                .resolve("disk.qcow2");
        Process make = new ProcessBuilder("bash", "-c", MAKE_DISK, "make-disk", source.toString(),
                debian.kernelRelease(), raw.toString()).directory(work.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        make.getInputStream().transferTo(out);
        assertTrue(make.waitFor(5, TimeUnit.MINUTES) && make.exitValue() == 0, () -> "the disk was not made:\n"
                + out.toString(StandardCharsets.UTF_8));
        installBiosGrub(raw, work.resolve("core.img"));
        Files.delete(work.resolve("core.img"));

        ImageImport.Preview preview = engine.imageBackups().previewImport(raw);
        assertEquals("BIOS and UEFI", preview.boot().describe(), () -> "" + preview);
        assertEquals("debian", preview.defaults().sshUser(), "guessed from the file's name");
        bios = importAs(raw, "Debian by BIOS", BootChoice.AUTOMATIC);
        uefi = importAs(raw, "Debian by UEFI", BootChoice.UEFI);

        KeyPair key = engine.keyPairs().create(REGION, "import-key", KeyType.ED25519, 0).keyPair();
        long start = System.nanoTime();
        biosInstance = engine.instances().run(REGION, RunRequest.of(bios.id(), "t3.micro", key.id())).get(0);
        uefiInstance = engine.instances().run(REGION, RunRequest.of(uefi.id(), "t3.micro", key.id())).get(0);
        for (Instance instance : List.of(biosInstance, uefiInstance)) {
            assertTrue(engine.instances().awaitState(REGION, instance.id(), InstanceState.RUNNING, BOOT_MS),
                    () -> instance.id() + " did not reach running; console:\n"
                            + engine.instances().consoleOutput(REGION, instance.id(), 6000));
            System.out.printf("imported image %s: launch to running in %.0f s%n", instance.imageId(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    @AfterAll
    static void terminate() {
        try {
            for (Instance instance : new Instance[] {biosInstance, uefiInstance}) {
                if (instance != null) {
                    engine.instances().terminate(REGION, instance.id());
                }
            }
        } finally {
            engine.close();
        }
    }

    /**
     * Runs {@code command} in the guest with the stock ssh client, as the console's SSH command; exit and output.
     */
    private static String[] ssh(Instance instance, String command) throws Exception {
        ConnectInfo connect = engine.instances().connectInfo(REGION, instance.id());
        assertTrue(connect.sshCommand() != null, () -> "no SSH command: " + connect.loginProblem());
        String line = connect.sshCommand().replaceFirst("^ssh ", "ssh -o BatchMode=yes -o ConnectTimeout=60 ") + " '"
                + command + "'";
        Process ssh = new ProcessBuilder("sh", "-c", line).redirectErrorStream(true).start();
        String out = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ssh.waitFor(10, TimeUnit.MINUTES), "ssh did not finish");
        return new String[] {Integer.toString(ssh.exitValue()), out};
    }

    /** What cloud-init says went wrong, for a failure's message. */
    private static String cloudInitErrors(Instance instance) {
        try {
            return "\n" + ssh(instance, "cloud-init status --long; sudo grep -E \"WARNING|ERROR|Traceback\""
                    + " /var/log/cloud-init.log | tail -40")[1];
        } catch (Exception e) {
            return "\n(cloud-init's log could not be read: " + e + ")";
        }
    }

    @Test
    void theHybridDiskBootsByBiosWhenAutomaticAndByUefiWhenAsked() {
        assertEquals(Image.BOOT_BIOS, bios.bootMode());
        assertEquals(Image.BOOT_UEFI, uefi.bootMode());
        assertEquals(3, bios.rootDeviceGiB(), "2 GiB of root file system and 42 MiB around it, rounded up");
        Path instances = temp.resolve("home").resolve("regions").resolve(REGION).resolve("instances");
        assertTrue(Files.isRegularFile(instances.resolve(uefiInstance.id()).resolve("uefi-vars.fd")),
                "the UEFI instance has its own UEFI variables");
        assertFalse(Files.exists(instances.resolve(biosInstance.id()).resolve("uefi-vars.fd")));
    }

    @Test
    void eachGuestRunsItsOwnBootLoadersKernelCommandLineAndCloudInitFinishes() throws Exception {
        for (Instance instance : List.of(biosInstance, uefiInstance)) {
            boolean byUefi = instance == uefiInstance;
            assertTrue(engine.instances().connectInfo(REGION, instance.id()).sshCommand().contains(" admin@"),
                    "the SSH command names the user given at import");
            String[] boot = ssh(instance, "cat /proc/cmdline; test -d /sys/firmware/efi && echo booted-by-uefi;"
                    + " true");
            assertEquals("0", boot[0], boot[1]);
            assertTrue(boot[1].contains("root=/dev/vda2"), boot[1]);
            assertFalse(boot[1].contains("root=/dev/vda "), "not Nube's direct kernel boot: " + boot[1]);
            assertEquals(byUefi, boot[1].contains("booted-by-uefi"), boot[1]);
            String[] status = ssh(instance, "cloud-init status --wait");
            assertTrue(status[0].equals("0") && status[1].contains("status: done"), () -> status[1]
                    + cloudInitErrors(instance));
            String[] id = ssh(instance, "curl -s -H \"X-aws-ec2-metadata-token: $(curl -s -X PUT -H"
                    + " \"X-aws-ec2-metadata-token-ttl-seconds: 60\" http://169.254.169.254/latest/api/token)\""
                    + " http://169.254.169.254/latest/meta-data/instance-id");
            assertEquals(instance.id(), id[1].strip(), "the metadata service answers the guest");
        }
    }

    @Test
    void anImportedImageListsNoPackagesAndSaysWhereItCameFrom() {
        assertEquals("Imported from debian-hybrid-test.raw", bios.source());
        assertTrue(bios.manifest().isEmpty());
        assertEquals(null, bios.imdsSupport());
    }
}
