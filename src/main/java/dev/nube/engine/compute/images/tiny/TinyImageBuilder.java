package dev.nube.engine.compute.images.tiny;

import dev.nube.engine.compute.images.BuildCache;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceCollection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Builds "Nube Linux (tiny)" from Debian packages only: Debian's kernel as a PVH vmlinux, an initramfs that loads the
 * virtio and ext4 modules and switches to the root disk, and an ext4 root disk (qcow2) holding busybox, dropbear,
 * resize2fs, their libraries and Nube's init scripts. Needs no root: the host's {@code mke2fs -d} fills the disk and
 * {@code debugfs} gives every file to root. One build per instance of this class at a time; check
 * {@link Thread#interrupted()} to cancel.
 */
public final class TinyImageBuilder {
    /** Bumped when the image's layout or scripts change, so cached builds are not reused across versions. */
    static final int LAYOUT_VERSION = 2;
    public static final String KERNEL = "vmlinux";
    public static final String INITRD = "initrd.img";
    public static final String DISK = "disk.qcow2";
    /** The root disk's size; an instance's volume is at least this big and the guest grows into the rest. */
    public static final long DISK_BYTES = 1L << 30;
    /** The packages of the root disk's programs and libraries, beside the kernel's. */
    static final List<String> USERLAND = List.of("busybox-static", "dropbear-bin", "libc6", "libcrypt1",
            "libtomcrypt1", "libtommath1", "libgmp10", "zlib1g", "e2fsprogs", "libext2fs2", "libcom-err2", "libblkid1",
            "libuuid1");
    private static final Duration TOOL_DEADLINE = Duration.ofMinutes(5);
    /** The files of a finished build, and the list of their sizes that marks it complete. */
    private static final List<String> BUILT = List.of(KERNEL, INITRD, DISK, "kernel-release");

    /** Told how far the build is, from 0 to 1, and what it is doing, in words. */
    public interface Progress {
        void update(double fraction, String step);
    }

    /**
     * A finished build: the packages that went in, the kernel's release, and one note per package taken from a cache
     * as it was because apt has no package lists (empty normally).
     */
    public record Built(List<ImagePackage> packages, String kernelRelease, List<String> cachedWithoutApt) {
        public Built {
            packages = List.copyOf(packages);
            cachedWithoutApt = List.copyOf(cachedWithoutApt);
        }
    }

    private final Path cache;
    private final List<Path> aptArchives;

    /** {@code cache} keeps downloaded packages and finished builds ({@code $XDG_CACHE_HOME/nube}). */
    public TinyImageBuilder(Path cache) {
        this(cache, DebianPackages.APT_ARCHIVES);
    }

    /** As {@link #TinyImageBuilder(Path)}, taking packages apt already downloaded from {@code aptArchives} only. */
    TinyImageBuilder(Path cache, List<Path> aptArchives) {
        this.cache = cache;
        this.aptArchives = List.copyOf(aptArchives);
    }

    /**
     * Writes {@link #KERNEL}, {@link #INITRD} and {@link #DISK} into the empty folder {@code target}. A finished build
     * with the same packages is reused from the cache. On failure {@code target} may hold partial files: the caller
     * discards it.
     */
    public Built build(Path target, Progress progress) throws IOException, InterruptedException {
        DebianPackages apt = new DebianPackages(cache.resolve("debs"), aptArchives);
        progress.update(0.01, "Finding the kernel package");
        String kernelPackage = apt.resolveMeta("linux-image-amd64", "linux-image-6.");
        List<String> names = new ArrayList<>();
        names.add(kernelPackage);
        names.addAll(USERLAND);
        apt.lookUp(names);
        Map<String, DebianPackages.Fetched> fetched = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            checkCancelled();
            progress.update(0.02 + 0.4 * i / names.size(), "Fetching " + names.get(i));
            fetched.put(names.get(i), apt.fetch(names.get(i)));
        }
        List<String> cachedWithoutApt = apt.fallbacks();
        if (!cachedWithoutApt.isEmpty()) {
            progress.update(0.42, "apt has no package lists (run 'apt-get update'): using cached packages as they are: "
                    + String.join("; ", cachedWithoutApt));
        }
        List<ImagePackage> manifest = fetched.values().stream()
                .map(f -> new ImagePackage(f.name(), f.version(), f.sha256())).toList();
        Path done = BuildCache.obtain(cache.resolve("images"), "nube-linux-tiny-" + key(manifest), BUILT,
                work -> assemble(fetched, kernelPackage, work, progress), step -> progress.update(0.42, step));
        for (String file : List.of(KERNEL, INITRD, DISK)) {
            BuildCache.linkOrCopy(done.resolve(file), target.resolve(file));
        }
        progress.update(1.0, "Image ready");
        return new Built(manifest, Files.readString(done.resolve("kernel-release")).strip(), cachedWithoutApt);
    }

    private void assemble(Map<String, DebianPackages.Fetched> fetched, String kernelPackage, Path work,
                          Progress progress) throws IOException, InterruptedException {
        Path root = work.resolve("rootfs");
        Path kernelFiles = work.resolve("kernel");
        Files.createDirectories(root);
        progress.update(0.45, "Unpacking " + kernelPackage);
        List<String> kernelEntries = new DebArchive(fetched.get(kernelPackage).file()).extract(kernelFiles,
                name -> name.startsWith("boot/vmlinuz-") || name.endsWith(".ko"));
        checkCancelled();
        String vmlinuz = kernelEntries.stream().filter(n -> n.startsWith("boot/vmlinuz-")).findFirst()
                .orElseThrow(() -> new IOException(kernelPackage + " holds no boot/vmlinuz-*"));
        String release = vmlinuz.substring("boot/vmlinuz-".length());
        progress.update(0.6, "Turning the kernel into a PVH vmlinux");
        GuestKernel.extractVmlinux(kernelFiles.resolve(vmlinuz), work.resolve(KERNEL));
        checkCancelled();

        progress.update(0.7, "Unpacking busybox, dropbear and their libraries");
        Predicate<String> libraries = n -> n.matches("(usr/)?lib(64)?/(x86_64-linux-gnu/)?[^/]+\\.so[.0-9]*")
                || n.matches("(usr/)?lib64/ld-linux-x86-64\\.so\\.2");
        for (String name : USERLAND) {
            Predicate<String> wanted = switch (name) {
                case "busybox-static" -> n -> n.endsWith("bin/busybox");
                case "dropbear-bin" -> n -> n.endsWith("sbin/dropbear") || n.endsWith("bin/dropbearkey");
                case "e2fsprogs" -> n -> n.endsWith("sbin/resize2fs");
                default -> libraries;
            };
            new DebArchive(fetched.get(name).file()).extract(root, wanted);
        }
        GuestRoot.populate(root);
        progress.update(0.75, "Writing the initramfs");
        writeInitramfs(work.resolve(INITRD), kernelFiles, root.resolve("bin/busybox"));
        checkCancelled();
        progress.update(0.8, "Making the ext4 root disk");
        Path raw = work.resolve("disk.raw");
        Commands.check(List.of(Commands.tool("mke2fs"), "-q", "-F", "-t", "ext4", "-L", "nube-root", "-E",
                "root_owner=0:0", "-d", root.toString(), raw.toString(), (DISK_BYTES >> 20) + "M"), work,
                TOOL_DEADLINE);
        Path script = work.resolve("owners.debugfs");
        PrivateFiles.write(script, GuestRoot.ownershipScript(root).stream().map(line -> line + "\n")
                .collect(java.util.stream.Collectors.joining()).getBytes(StandardCharsets.UTF_8));
        Commands.check(List.of(Commands.tool("debugfs"), "-w", "-f", script.toString(), raw.toString()), work, TOOL_DEADLINE);
        Commands.check(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                work.resolve(DISK).toString()), work, TOOL_DEADLINE);
        PrivateFiles.restrict(work.resolve(DISK));
        Files.delete(raw);
        ResourceCollection.deleteTree(root);
        ResourceCollection.deleteTree(kernelFiles);
        PrivateFiles.write(work.resolve("kernel-release"), (release + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Seals a finished build (see {@link BuildCache#seal}). */
    static void seal(Path work) throws IOException {
        BuildCache.seal(work, BUILT);
    }

    /** Whether {@code done} holds a whole build (see {@link BuildCache#isComplete}). */
    static boolean isComplete(Path done) {
        return BuildCache.isComplete(done, BUILT);
    }

    private static void writeInitramfs(Path target, Path kernelFiles, Path busybox) throws IOException {
        Map<String, Path> modules = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(kernelFiles)) {
            walk.filter(p -> p.toString().endsWith(".ko")).forEach(p -> modules.put(GuestKernel.moduleName(p), p));
        }
        List<String> order = GuestKernel.loadOrder(modules);
        try (Initramfs cpio = new Initramfs(target)) {
            for (String dir : List.of("dev", "proc", "sys", "newroot", "bin", "modules")) {
                cpio.folder(dir, 0755);
            }
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.file("bin/busybox", 0755, busybox);
            cpio.file("init", 0755, GuestRoot.resource("init"));
            for (String name : order) {
                cpio.file("modules/" + name + ".ko", 0644, modules.get(name));
            }
            cpio.file("modules/order", 0644, (String.join("\n", order) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String key(List<ImagePackage> manifest) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("layout " + LAYOUT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            for (ImagePackage p : manifest) {
                digest.update((p.name() + " " + p.version() + " " + p.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (String script : GuestRoot.SCRIPTS) {
                digest.update(GuestRoot.resource(script));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkCancelled() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("the image build was cancelled");
        }
    }

}
