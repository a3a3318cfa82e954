package dev.nube.engine.compute.images.debian;

import dev.nube.engine.compute.images.BuildCache;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.store.PrivateFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds "Debian 12 (bookworm)" from Debian's archive with mmdebstrap, as an ordinary user: mmdebstrap's unshare mode
 * installs the system in a user namespace (subordinate user ids from {@code /etc/subuid} own its files), and
 * {@code mke2fs -d}, run in the same kind of namespace, copies it with its owners into an ext4 root disk. The system
 * is systemd, Debian's cloud kernel, OpenSSH, sudo, apt with Debian's sources, and cloud-init reading the metadata
 * service as EC2's; the kernel and initramfs are taken out to boot directly. A finished build is kept in the cache
 * and reused. Check {@link Thread#interrupted()} to cancel: the running tool is stopped.
 */
public final class DebianImageBuilder {
    /** Bumped when the packages or configuration change, so cached builds are not reused across versions. */
    static final int LAYOUT_VERSION = 3;
    public static final String SUITE = "bookworm";
    /** The packages installed besides Debian's minimal base (minbase: the Essential ones and apt). */
    static final List<String> PACKAGES = List.of("systemd-sysv", "udev", "dbus", "libpam-systemd", "systemd-resolved",
            "linux-image-cloud-amd64", "initramfs-tools", "zstd", "openssh-server", "sudo", "cloud-init",
            "cloud-guest-utils", "locales", "ca-certificates", "netbase", "iproute2", "iputils-ping", "less", "apt-utils",
            "curl");
    /**
     * The kernel command line: the root disk without a partition table, classic NIC names (eth0 the link-local
     * network, eth1 the instance's own), the serial console Nube logs. Speculation mitigations are off, as they cost
     * an emulated (TCG) guest much of its speed; they would guard the guest's own processes from each other, which
     * matters only where untrusted code shares one instance.
     */
    public static final String KERNEL_ARGS = "root=/dev/vda rw console=ttyS0 net.ifnames=0 panic=-1 mitigations=off";
    /** The root disk's size; instances' volumes are at least this big and cloud-init grows the file system. */
    public static final long DISK_BYTES = 2L << 30;
    /** cloud-init's default user, as on Debian's own EC2 images. */
    public static final String DEFAULT_USER = "admin";
    static final String MANIFEST = "manifest";
    private static final String DEB_SUMS = "debs.sha256";
    private static final List<String> BUILT = List.of(TinyImageBuilder.KERNEL, TinyImageBuilder.INITRD,
            TinyImageBuilder.DISK, "kernel-release", MANIFEST);
    /** The configuration files Nube adds, as resources, and where they go in the guest. */
    private static final List<String[]> FILES = List.of(
            new String[] {"cloud.cfg", "/etc/cloud/cloud.cfg.d/99_nube.cfg"},
            new String[] {"eth0.network", "/etc/systemd/network/10-eth0.network"},
            new String[] {"eth1.network", "/etc/systemd/network/20-eth1.network"},
            new String[] {"wait-online.conf", "/etc/systemd/system/systemd-networkd-wait-online.service.d/nube.conf"},
            new String[] {"ssh-host-keys.conf", "/etc/systemd/system/ssh.service.d/nube.conf"},
            new String[] {"sshd.conf", "/etc/ssh/sshd_config.d/nube.conf"});
    private static final Duration INSTALL_DEADLINE = Duration.ofMinutes(40);
    private static final Duration TOOL_DEADLINE = Duration.ofMinutes(10);
    private static final int KEPT_LINES = 40;
    /** The tools running now, stopped when the JVM exits (a console that quits mid-build leaves no build running). */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }), "stop the Debian image build"));
    }
    private static final Path TMP = Path.of("/var/tmp");
    private static final String TMP_PREFIX = "nube-mmdebstrap-";
    /** Older than this, a build's work folder is a leftover: no build runs this long. */
    private static final java.time.Duration LEFTOVER_AGE = java.time.Duration.ofHours(2);
    private static final System.Logger LOG = System.getLogger(DebianImageBuilder.class.getName());

    /** Told how far the build is, from 0 to 1, and what it is doing, in words. */
    public interface Progress {
        void update(double fraction, String step);
    }

    /** A finished build: the packages installed, and the kernel's release. */
    public record Built(List<ImagePackage> packages, String kernelRelease) {
        public Built {
            packages = List.copyOf(packages);
        }
    }

    private final Path cache;

    /** {@code cache} keeps finished builds ({@code $XDG_CACHE_HOME/nube}) and the last build's log. */
    public DebianImageBuilder(Path cache) {
        this.cache = cache;
    }

    /**
     * Why this machine cannot build the image, in one sentence a user can act on, or null when it can: mmdebstrap
     * must be installed and, for a user who is not root, user namespaces allowed with subordinate ids of their own.
     */
    public static String unavailable() {
        if (!Commands.hasTool("mmdebstrap")) {
            return "Building the Debian image needs mmdebstrap: install the Debian package mmdebstrap.";
        }
        if (isRoot()) {
            return null;
        }
        if (!Commands.hasTool("newuidmap") || !Commands.hasTool("newgidmap")) {
            return "Building the Debian image as an ordinary user needs newuidmap and newgidmap: install the Debian"
                    + " package uidmap.";
        }
        if ("1".equals(read(Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")))) {
            return "AppArmor forbids ordinary users the user namespaces the Debian image is built in: an administrator"
                    + " can allow them with 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0'.";
        }
        if ("0".equals(read(Path.of("/proc/sys/kernel/unprivileged_userns_clone")))) {
            return "This kernel forbids ordinary users the user namespaces the Debian image is built in: an"
                    + " administrator can allow them with 'sudo sysctl kernel.unprivileged_userns_clone=1'.";
        }
        String user = System.getProperty("user.name");
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            if (!hasEntry(Path.of(file), user)) {
                return "Building the Debian image needs subordinate user and group ids for " + user + " in /etc/subuid"
                        + " and /etc/subgid: an administrator adds them with 'sudo usermod --add-subuids 100000-165535"
                        + " --add-subgids 100000-165535 " + user + "'.";
            }
        }
        return mapAutoRefused();
    }

    /** Why {@code unshare --map-auto} (util-linux 2.38 or newer) cannot map this user's ids, or null when it can. */
    private static String mapAutoRefused() {
        try {
            Commands.Result probe = Commands.run(List.of(Commands.tool("unshare"),
                    "--user", "--map-auto", "--map-root-user", "true"), null, Duration.ofSeconds(10));
            return probe.exit() == 0 ? null : "Building the Debian image needs util-linux's unshare with --map-auto"
                    + " (util-linux 2.38 or newer) mapping your subordinate ids; it says: " + probe.lastLine();
        } catch (IOException e) {
            return "Building the Debian image needs util-linux's unshare: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "The check for user namespaces was interrupted.";
        }
    }

    /**
     * Writes the kernel, initramfs and root disk (the file names of {@link TinyImageBuilder}) into the empty folder
     * {@code target}. A finished build of the same configuration is reused from the cache. On failure {@code target}
     * may hold partial files: the caller discards it.
     */
    public Built build(Path target, Progress progress) throws IOException, InterruptedException {
        String missing = unavailable();
        if (missing != null) {
            throw new IOException(missing);
        }
        progress.update(0.01, "Looking for a cached build");
        removeLeftovers(cache.resolve("images"));
        Path done = BuildCache.obtain(cache.resolve("images"), "debian-12-" + key(), BUILT,
                work -> assemble(work, progress), step -> progress.update(0.02, step));
        for (String file : List.of(TinyImageBuilder.KERNEL, TinyImageBuilder.INITRD, TinyImageBuilder.DISK)) {
            BuildCache.linkOrCopy(done.resolve(file), target.resolve(file));
        }
        progress.update(1.0, "Image ready");
        return new Built(readManifest(done.resolve(MANIFEST)),
                Files.readString(done.resolve("kernel-release")).strip());
    }

    private void assemble(Path work, Progress progress) throws IOException, InterruptedException {
        Path tar = work.resolve("rootfs.tar");
        Path out = PrivateFiles.createDirectories(work.resolve("out"));
        Path root = work.resolve("rootfs");
        try {
            install(out, tar, progress);
            progress.update(0.78, "Taking out the kernel and initramfs");
            String release = copyKernel(out.resolve("boot"), work);
            List<ImagePackage> packages = DpkgStatus.withChecksums(DpkgStatus.installed(out.resolve("dpkg-status")),
                    out.resolve(DEB_SUMS));
            PrivateFiles.write(work.resolve(MANIFEST), manifestText(packages).getBytes(StandardCharsets.UTF_8));
            PrivateFiles.write(work.resolve("kernel-release"), (release + "\n").getBytes(StandardCharsets.UTF_8));
            checkCancelled();
            progress.update(0.82, "Making the ext4 root disk");
            Path raw = work.resolve("disk.raw");
            // Unpacked where the tarball's owners can be given (root; or a user namespace of the user's subordinate
            // ids), so that mke2fs copies them; the tree goes in the same step, as only that namespace may remove it.
            run(work, asOwners("mkdir " + shellQuoted(root.toString()) + " && tar -C " + shellQuoted(root.toString())
                    + " --numeric-owner -xpf " + shellQuoted(tar.toString()) + " --exclude='./dev/*' && "
                    + shellQuoted(Commands.tool("mke2fs")) + " -q -F"
                    + " -t ext4 -L nube-root -d " + shellQuoted(root.toString()) + " " + shellQuoted(raw.toString())
                    + " " + (DISK_BYTES >> 20) + "M; status=$?; rm -rf " + shellQuoted(root.toString())
                    + "; exit $status"), TOOL_DEADLINE, line -> { });
            Files.delete(tar);
            checkCancelled();
            progress.update(0.92, "Converting the root disk to qcow2");
            run(work, List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                    work.resolve(TinyImageBuilder.DISK).toString()), TOOL_DEADLINE, line -> { });
            PrivateFiles.restrict(work.resolve(TinyImageBuilder.DISK));
            Files.delete(raw);
        } finally {
            removeOwned(root);
            try {
                dev.nube.engine.store.ResourceCollection.deleteTree(out);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove " + out, e);
            }
        }
    }

    /**
     * Removes what builds cut short by a crash or a power cut left (work folders in the cache, mmdebstrap's
     * temporary folders), once they are older than any build runs.
     */
    private static void removeLeftovers(Path images) throws IOException {
        java.nio.file.attribute.FileTime before = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(LEFTOVER_AGE));
        List<Path> old = new ArrayList<>();
        for (Path[] place : new Path[][] {{images, Path.of(".build-*")}, {TMP, Path.of(TMP_PREFIX + uid() + "-*")}}) {
            if (!Files.isDirectory(place[0])) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(place[0], place[1].toString())) {
                for (Path entry : entries) {
                    if (Files.getLastModifiedTime(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0
                            && Files.getOwner(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName()
                            .equals(System.getProperty("user.name"))) {
                        old.add(entry);
                    }
                }
            }
        }
        old.forEach(DebianImageBuilder::removeOwned);
    }

    /**
     * mmdebstrap's temporary folder for one build, on disk ({@code /var/tmp}: it holds the whole system while it is
     * installed, more than a RAM-backed {@code /tmp} should), open to the system's root (a subordinate id) as
     * {@code /var/tmp} itself is. Removed after the build, whatever mmdebstrap left in it.
     */
    private static Path temporaryFolder() throws IOException, InterruptedException {
        if (!Files.isWritable(TMP)) {
            return null;
        }
        Path dir = Files.createDirectory(TMP.resolve(TMP_PREFIX + uid() + "-" + System.nanoTime()));
        try {
            Commands.check(List.of("chmod", "1777", dir.toString()), null, TOOL_DEADLINE); // Java cannot set 't'
            return dir;
        } catch (IOException | InterruptedException e) {
            Files.delete(dir);
            throw e;
        }
    }

    /**
     * A shell script run as the owner of the installed system's files: as root, plainly; as an ordinary user, as root
     * of a user namespace that maps the user's subordinate ids (util-linux's {@code --map-auto}, through newuidmap).
     */
    private static List<String> asOwners(String script) {
        List<String> command = new ArrayList<>();
        if (!isRoot()) {
            command.addAll(List.of(Commands.tool("unshare"), "--user", "--map-auto", "--map-root-user"));
        }
        command.addAll(List.of("sh", "-c", script));
        return command;
    }

    /**
     * mmdebstrap to the tarball {@code tar}, with the kernel, dpkg's database and the packages' checksums copied out
     * to {@code out}; its progress told from the lines it prints; its whole log kept in the cache.
     */
    private void install(Path out, Path tar, Progress progress) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Commands.tool("mmdebstrap"), "--mode=unshare",
                "--variant=minbase", "--skip=essential/unlink",
                "--include=" + String.join(",", PACKAGES), "--aptopt=Acquire::Retries \"3\""));
        // Written from inside: the system's root (a subordinate id) may not read the user's own files.
        for (String[] file : FILES) {
            hook(command, "mkdir -p \"$(dirname \"$1" + file[1] + "\")\" && printf '%s' " + shellQuoted(
                    new String(resource(file[0]), StandardCharsets.UTF_8)) + " > \"$1" + file[1] + "\"");
        }
        hook(command, "echo '/dev/vda / ext4 rw,discard,errors=remount-ro 0 1' > \"$1/etc/fstab\"");
        hook(command, "chroot \"$1\" systemctl enable systemd-networkd.service systemd-resolved.service");
        // Jobs that would compete with the user's own work in a small guest; apt and e2scrub stay usable by hand.
        hook(command, "chroot \"$1\" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer"
                + " e2scrub_reap.service fstrim.timer");
        hook(command, "ln -sf ../run/systemd/resolve/stub-resolv.conf \"$1/etc/resolv.conf\"; : > \"$1/etc/hostname\"");
        // Nothing that must differ between instances: each makes its own host keys and machine id at first boot.
        hook(command, "rm -f \"$1\"/etc/ssh/ssh_host_* \"$1/var/lib/dbus/machine-id\"; : > \"$1/etc/machine-id\"");
        // What the manifest and the direct boot need, taken out by mmdebstrap itself (it writes as the user); the
        // packages' checksums before apt's cache is cleaned (the essential ones' kept there by --skip above).
        hook(command, "cd \"$1/var/cache/apt/archives\" && sha256sum -- *.deb > \"$1/tmp/" + DEB_SUMS + "\"");
        hook(command, "download /tmp/" + DEB_SUMS + " " + shellQuoted(out.resolve(DEB_SUMS).toString()));
        hook(command, "rm -f \"$1/tmp/" + DEB_SUMS + "\"");
        hook(command, "download /var/lib/dpkg/status " + shellQuoted(out.resolve("dpkg-status").toString()));
        hook(command, "copy-out /boot " + shellQuoted(out.toString()));
        command.add(SUITE);
        command.add(tar.toString());
        Path log = PrivateFiles.createDirectories(cache.resolve("images")).resolve("debian-build.log");
        PrivateFiles.ensureFile(log);
        String[] current = {null};
        Path tmp = temporaryFolder();
        try (Writer logged = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            progress.update(0.03, "Downloading Debian's package lists");
            run(out, command, tmp, INSTALL_DEADLINE, line -> {
                try {
                    logged.write(line);
                    logged.write('\n');
                } catch (IOException e) {
                    // the log is for reading afterwards; the build does not depend on it
                }
                String step = phase(line);
                if (step != null && !step.equals(current[0])) {
                    current[0] = step;
                    progress.update(phaseFraction(step), step);
                }
            });
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (mmdebstrap's whole output: " + log + ")", e);
        } finally {
            if (tmp != null) {
                removeOwned(tmp);
            }
        }
    }

    private static String shellQuoted(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static void hook(List<String> command, String script) {
        command.add("--customize-hook=" + script);
    }

    /** The step an mmdebstrap status line starts, in words, or null. */
    static String phase(String line) {
        if (line.startsWith("I: running apt-get update")) {
            return "Downloading Debian's package lists";
        } else if (line.startsWith("I: downloading packages")) {
            return "Downloading packages";
        } else if (line.startsWith("I: extracting archives")) {
            return "Unpacking the base system";
        } else if (line.startsWith("I: installing essential packages")) {
            return "Installing the base system";
        } else if (line.startsWith("I: installing remaining packages")) {
            return "Installing systemd, the kernel, OpenSSH and cloud-init";
        } else if (line.startsWith("I: running --customize-hook") || line.startsWith("I: running special hook")) {
            return "Configuring cloud-init, the network and SSH";
        } else if (line.startsWith("I: cleaning package lists")) {
            return "Cleaning apt's caches";
        }
        return null;
    }

    private static double phaseFraction(String step) {
        return switch (step) {
            case "Downloading Debian's package lists" -> 0.03;
            case "Downloading packages" -> 0.08;
            case "Unpacking the base system" -> 0.3;
            case "Installing the base system" -> 0.35;
            case "Installing systemd, the kernel, OpenSSH and cloud-init" -> 0.45;
            case "Configuring cloud-init, the network and SSH" -> 0.72;
            default -> 0.76;
        };
    }

    /** Copies the installed kernel and its initramfs from the system's {@code boot}; returns the kernel's release. */
    private static String copyKernel(Path bootDir, Path work) throws IOException {
        String release = null;
        try (DirectoryStream<Path> boot = Files.newDirectoryStream(bootDir, "vmlinuz-*")) {
            for (Path kernel : boot) {
                if (release != null) {
                    throw new IOException("the system holds more than one kernel");
                }
                release = kernel.getFileName().toString().substring("vmlinuz-".length());
            }
        }
        if (release == null) {
            throw new IOException("the installed system holds no kernel in /boot");
        }
        Path initrd = bootDir.resolve("initrd.img-" + release);
        if (!Files.isRegularFile(initrd)) {
            throw new IOException("the installed system holds no initramfs for its kernel " + release);
        }
        Files.copy(bootDir.resolve("vmlinuz-" + release), work.resolve(TinyImageBuilder.KERNEL));
        Files.copy(initrd, work.resolve(TinyImageBuilder.INITRD));
        PrivateFiles.restrict(work.resolve(TinyImageBuilder.KERNEL));
        PrivateFiles.restrict(work.resolve(TinyImageBuilder.INITRD));
        return release;
    }

    /**
     * Removes a tree of the installed system's files, which belong to subordinate ids, so the removal runs in the
     * namespace that maps them (as root, plainly). Failures are logged, never thrown.
     */
    static void removeOwned(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // a cancelled build still cleans up
        try {
            run(dir.getParent(), asOwners("rm -rf --one-file-system " + shellQuoted(dir.toString())), TOOL_DEADLINE,
                    line -> { });
        } catch (IOException | InterruptedException e) {
            // Reported, not thrown: the build's own failure, if any, is the one the user needs to see.
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + dir, e);
            interrupted |= e instanceof InterruptedException;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String manifestText(List<ImagePackage> packages) {
        StringBuilder text = new StringBuilder();
        for (ImagePackage p : packages) {
            text.append(p.name()).append(' ').append(p.version()).append(' ').append(p.sha256()).append('\n');
        }
        return text.toString();
    }

    static List<ImagePackage> readManifest(Path file) throws IOException {
        List<ImagePackage> packages = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split(" ");
            if (f.length >= 2) {
                packages.add(new ImagePackage(f[0], f[1], f.length > 2 ? f[2] : ""));
            }
        }
        return packages;
    }

    /**
     * Runs a tool to completion, each line it prints given to {@code lines}; fails with its last lines unless it
     * exits 0. Interrupting the calling thread stops it and its children.
     */
    static void run(Path dir, List<String> command, Duration deadline, Consumer<String> lines)
            throws IOException, InterruptedException {
        run(dir, command, null, deadline, lines);
    }

    /** As {@link #run(Path, List, Duration, Consumer)}, with {@code TMPDIR} set to {@code tmp} unless it is null. */
    static void run(Path dir, List<String> command, Path tmp, Duration deadline, Consumer<String> lines)
            throws IOException, InterruptedException {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (tmp != null) {
                builder.environment().put("TMPDIR", tmp.toString());
            }
            process = builder.start();
            RUNNING.add(process);
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is not available (" + e.getMessage() + ")", e);
        }
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        String end = new String("end of output"); // compared by identity
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    queue.add(line);
                }
            } catch (IOException ignored) {
                // the process was stopped
            } finally {
                queue.add(end);
            }
        }, "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        Deque<String> last = new ArrayDeque<>();
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        long exitedNanos = 0;
        try {
            while (true) {
                String line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line == end) {
                    break;
                }
                if (line == null && !process.isAlive()) {
                    // Exited: its output ends soon, unless a process it left behind holds the pipe open.
                    exitedNanos = exitedNanos == 0 ? System.nanoTime() : exitedNanos;
                    if (System.nanoTime() - exitedNanos > TimeUnit.SECONDS.toNanos(5)) {
                        break;
                    }
                }
                if (line != null) {
                    lines.accept(line);
                    last.addLast(line);
                    if (last.size() > KEPT_LINES) {
                        last.removeFirst();
                    }
                }
                if (System.nanoTime() > deadlineNanos) {
                    throw new IOException(command.get(0) + " did not finish within " + deadline.toMinutes() + " min");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("the image build was cancelled");
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException(command.get(0) + " closed its output but did not exit");
            }
        } finally {
            stop(process);
            RUNNING.remove(process);
        }
        if (process.exitValue() != 0) {
            throw new IOException(command.get(0) + " failed (exit " + process.exitValue() + "): " + reason(last));
        }
    }

    /**
     * Stops a tool still running: TERM to its children first (mmdebstrap itself waits out a TERM, but cleans up its
     * temporary tree when the work it waits for ends), then to the tool, and KILL to whatever is left after a minute.
     */
    private static void stop(Process process) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }

    /** apt's and mmdebstrap's error lines when there are any, else the last line printed. */
    static String reason(Deque<String> last) {
        List<String> errors = last.stream().filter(l -> l.startsWith("E: ")).map(l -> l.substring(3).strip())
                .distinct().toList();
        if (!errors.isEmpty()) {
            return String.join("; ", errors.subList(Math.max(0, errors.size() - 3), errors.size()));
        }
        return last.isEmpty() ? "no output" : last.getLast().strip();
    }

    private static String key() throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("layout " + LAYOUT_VERSION + "\n" + String.join(",", PACKAGES) + "\n" + KERNEL_ARGS + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String[] file : FILES) {
                digest.update(resource(file[0]));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = DebianImageBuilder.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is missing from Nube's build");
            }
            return in.readAllBytes();
        }
    }

    private static boolean isRoot() {
        return uid() == 0;
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static boolean hasEntry(Path file, String user) {
        try {
            String uid = Integer.toString(uid());
            return Files.readAllLines(file).stream().map(l -> l.split(":")[0].strip())
                    .anyMatch(name -> name.equals(user) || name.equals(uid));
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return null;
        }
    }

    private static void checkCancelled() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("the image build was cancelled");
        }
    }
}
