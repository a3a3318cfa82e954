package dev.nube.engine.compute.instances;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.qemu.Accelerator;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.compute.qemu.QemuHost;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.compute.qemu.Qmp;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceCollection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Booted guests kept to launch instances from: for one image and one guest shape (vCPUs, memory, accelerator, QEMU
 * version and machine type), a template is the tiny image booted with {@code nube.template=1}, stopped where its boot
 * script waits for the metadata service, its memory saved with QEMU's migration ({@code state}) and its disk overlay
 * frozen ({@code disk.qcow2}, read-only: the overlays of instances restored from it stand on it). It holds nothing of
 * an instance: no key, no user data, no identity, no host key (the script makes the host key after the wait).
 *
 * <p>Templates live in the image's folder ({@code templates/KEY-SUFFIX}), so they go with the image, which is never
 * deregistered while an instance stands on it. The key digests every input a restore must match; when one changes a
 * new template is built beside the old (never deleted while the image is there: instances may stand on it). Built
 * one at a time on a background thread; thread-safe.
 */
final class LaunchTemplates implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LaunchTemplates.class.getName());
    /**
     * Bumped when what a template is (its boot protocol, its devices, its files) changes. 2: the second serial port
     * where the guest waits to be woken.
     */
    static final int FORMAT = 2;
    static final String FOLDER = "templates";
    static final String DISK = "disk.qcow2";
    static final String STATE = "state";
    static final String DOCUMENT = "template.json";
    /** Marks a template or a shape that cannot be restored from, with the reason. */
    static final String UNUSABLE = "unusable";
    /** The template guest's MAC on the private network; each restored instance sets its own. */
    static final String TEMPLATE_MAC = "02:00:00:00:00:01";
    static final String KERNEL_FLAG = "nube.template=1";
    /** A tiny guest reaches its wait in seconds; one that has not in this long never will (its script predates it). */
    private static final Duration BOOT_DEADLINE = Duration.ofMinutes(2);
    private static final Duration SAVE_DEADLINE = Duration.ofMinutes(2);
    private static final Duration QMP_DEADLINE = Duration.ofSeconds(10);

    /**
     * What a template is built from, and what a restore from it must match: the image (its folder, kernel, initramfs,
     * disk and kernel command line) and the guest's shape.
     */
    record Shape(String imageId, Path imageFolder, String kernelArgs, int vcpus, int memoryMiB,
                 Accelerator accelerator) {
        Path kernel() {
            return imageFolder.resolve(TinyImageBuilder.KERNEL);
        }

        Path initrd() {
            return imageFolder.resolve(TinyImageBuilder.INITRD);
        }

        Path disk() {
            return imageFolder.resolve(TinyImageBuilder.DISK);
        }

        String templateKernelArgs() {
            return (kernelArgs == null ? QemuMachine.kernelCommandLine() : kernelArgs) + " " + KERNEL_FLAG;
        }

        String acceleratorName() {
            return accelerator.isKvm() ? "kvm" : "tcg";
        }
    }

    /** A built template: its folder, the files a restore loads, and what it was built as. */
    record Template(Path folder, String machineType, long diskBytes, long stateBytes, long buildMillis) {
        Path disk() {
            return folder.resolve(DISK);
        }

        Path state() {
            return folder.resolve(STATE);
        }

        /** The serial console of the template's boot, up to its wait. */
        Path consoleLog() {
            return InstanceFiles.of(folder).consoleLog();
        }

        String name() {
            return folder.getFileName().toString();
        }
    }

    /** QEMU could not load a template's saved guest: the template is not restored from again. */
    static final class LoadFailed extends IOException {
        LoadFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code template.json}. */
    record Document(int format, String key, String imageId, int vcpus, int memoryMiB, String accelerator,
                    String qemuVersion, String machineType, long diskBytes, long stateBytes, long buildMillis,
                    Instant builtAt) {
    }

    private final QemuHost qemu;
    private final ExecutorService builder = Executors.newSingleThreadExecutor(work -> {
        Thread thread = new Thread(work, "launch template build");
        thread.setDaemon(true);
        return thread;
    });
    /** Keys queued or being built: a launch that finds its key here does not queue it again. */
    private final Map<String, Boolean> queued = new ConcurrentHashMap<>();
    /** Image folders whose leftover builds (of an engine that ended mid-build) were removed. */
    private final Map<Path, Boolean> swept = new ConcurrentHashMap<>();
    private volatile String qemuVersion;
    private volatile boolean closing;
    private volatile ProcessHandle building;

    LaunchTemplates(QemuHost qemu) {
        this.qemu = qemu;
    }

    /** The key of {@code shape}: a digest of every input a restore must match. */
    String key(Shape shape) throws IOException, InterruptedException {
        StringBuilder inputs = new StringBuilder("format " + FORMAT + "\n");
        inputs.append("image ").append(shape.imageId()).append('\n');
        for (Path file : List.of(shape.kernel(), shape.initrd(), shape.disk())) {
            inputs.append(file.getFileName()).append(' ').append(Files.size(file)).append(' ')
                    .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
        }
        inputs.append("args ").append(shape.templateKernelArgs()).append('\n')
                .append("vcpus ").append(shape.vcpus()).append('\n')
                .append("memory ").append(shape.memoryMiB()).append('\n')
                .append("accelerator ").append(shape.acceleratorName()).append('\n')
                .append("qemu ").append(qemu.binary()).append(' ').append(qemuVersion()).append('\n')
                .append("machine ").append(qemu.pcMachineType()).append('\n');
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(inputs.toString()
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 20);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** QEMU's version line, asked once (a launch asks for a key two or three times). */
    private String qemuVersion() {
        String version = qemuVersion;
        if (version == null) {
            version = qemu.version();
            qemuVersion = version;
        }
        return version;
    }

    /**
     * The template of {@code shape}, when one is built and usable. Empty as well when the image's guest is known
     * not to wait as a template ({@link #UNUSABLE} in its templates folder).
     */
    Optional<Template> ready(Shape shape) throws IOException, InterruptedException {
        return ready(shape, key(shape));
    }

    private Optional<Template> ready(Shape shape, String key) throws IOException {
        Path dir = shape.imageFolder().resolve(FOLDER);
        sweep(dir);
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(UNUSABLE))) {
            return Optional.empty();
        }
        Template newest = null;
        Instant newestAt = Instant.MIN;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, key + "-*")) {
            for (Path folder : entries) {
                if (Files.exists(folder.resolve(UNUSABLE)) || !Files.isRegularFile(folder.resolve(STATE))
                        || !Files.isRegularFile(folder.resolve(DISK))) {
                    continue;
                }
                Optional<Document> doc = readDocument(folder);
                if (doc.isPresent() && doc.get().key().equals(key) && doc.get().builtAt().isAfter(newestAt)) {
                    newestAt = doc.get().builtAt();
                    Document d = doc.get();
                    newest = new Template(folder, d.machineType(), d.diskBytes(), d.stateBytes(), d.buildMillis());
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static Optional<Document> readDocument(Path folder) {
        try {
            return DocumentStore.read(folder.resolve(DOCUMENT), Document.class);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Builds the template of {@code shape} on the background thread, unless it is built, queued or known unusable.
     * {@code log} hears the outcome (for the instance whose launch asked).
     */
    void buildLater(Shape shape, java.util.function.Consumer<String> log) {
        String key;
        try {
            key = key(shape);
            if (ready(shape, key).isPresent() || Files.exists(shape.imageFolder().resolve(FOLDER).resolve(UNUSABLE))
                    || closing || queued.putIfAbsent(key, Boolean.TRUE) != null) {
                return;
            }
        } catch (IOException e) {
            log.accept("no launch template: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            builder.execute(() -> {
                try {
                    Template built = build(shape);
                    log.accept("launch template " + built.name() + " built in " + built.buildMillis() + " ms ("
                            + built.stateBytes() / 1_048_576 + " MiB of memory state); later launches of this shape"
                            + " restore it");
                } catch (IOException | RuntimeException e) {
                    log.accept("launch template not built: " + e.getMessage());
                } catch (InterruptedException e) {
                    log.accept("launch template build interrupted");
                } finally {
                    queued.remove(key);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            queued.remove(key); // closing
        }
    }

    /**
     * Boots the template of {@code shape}, waits until its boot script waits for its instance, saves it and returns
     * it. A guest whose boot script goes on without waiting (one that predates templates) marks the image unusable
     * for templates, so it is not booted again for nothing; one that is only slow is tried again at a later launch.
     * On failure nothing of the build is left.
     */
    Template build(Shape shape) throws IOException, InterruptedException {
        String key = key(shape);
        String machineType = qemu.pcMachineType();
        if (!Files.isDirectory(shape.imageFolder())) {
            throw new IOException("the image's folder is gone (deregistered)");
        }
        Path dir = shape.imageFolder().resolve(FOLDER);
        try {
            PrivateFiles.createDirectory(dir); // never the image's folder again, if it went meanwhile
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made by an earlier build
        }
        String suffix = Long.toHexString(System.nanoTime() & 0xffffffL);
        Path work = dir.resolve(key + ".build-" + suffix);
        InstanceFiles files = InstanceFiles.of(work);
        long start = System.nanoTime();
        ProcessHandle process = null;
        try {
            files.create();
            Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", shape.disk().toString(), "-F",
                    "qcow2", files.rootDisk().toString()), work, Duration.ofMinutes(1));
            try (TemplateWait wait = TemplateWait.listen(files.metadataSocket(), files.wakeSocket())) {
                QemuMachine.Spec spec = new QemuMachine.Spec(qemu.binary(), "tmpl-" + key.substring(0, 12),
                        shape.accelerator(), shape.vcpus(), shape.memoryMiB(), shape.kernel(), shape.initrd(),
                        shape.templateKernelArgs(), files.rootDisk(), files.qmpSocket(), files.serialSocket(),
                        files.consoleLog(), files.pidFile(), files.metadataSocket(), 0, files.vpcSocket(),
                        TEMPLATE_MAC, List.of(), null, new QemuMachine.Restorable(machineType, null, files.wakeSocket()));
                long pid = QemuMachine.launch(spec, files.qemuLog());
                process = ProcessHandle.of(pid).orElseThrow(() -> new IOException("the template's QEMU exited at once"));
                building = process;
                try (Qmp qmp = Qmp.connect(files.qmpSocket(), event -> { }, QMP_DEADLINE)) {
                    if (!awaitWaiting(wait, process)) {
                        if (process.isAlive() && !closing && passedItsWait(files.consoleLog())) {
                            markUnusable(dir.resolve(UNUSABLE), "the guest booted past the point where a template"
                                    + " waits for its instance (its boot script predates launch templates)");
                        }
                        throw new IOException(process.isAlive() ? "the template guest did not wait for its instance"
                                + " within " + BOOT_DEADLINE.toSeconds() + " s (its image may predate launch templates)"
                                : "the template's QEMU ended while booting");
                    }
                    if (!wait.onPort()) {
                        markUnusable(dir.resolve(UNUSABLE), "the guest waits the way an earlier tiny image did (by"
                                + " asking the metadata service), not on the port where a restored guest is woken;"
                                + " a tiny image built anew restores (deregister this one once no instance uses it)");
                        throw new IOException("the template guest's boot script predates the wake port");
                    }
                    qmp.execute("stop", Map.of(), QMP_DEADLINE);
                    save(qmp, work.resolve(STATE + ".part"));
                    qmp.execute("quit", Map.of(), QMP_DEADLINE);
                } catch (IOException e) {
                    if (!process.isAlive()) {
                        throw new IOException(e.getMessage() + " (QEMU: " + QemuMachine.lastLine(files.qemuLog())
                                + ")", e);
                    }
                    throw e;
                }
                process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            Files.move(work.resolve(STATE + ".part"), work.resolve(STATE), StandardCopyOption.ATOMIC_MOVE);
            Files.move(files.rootDisk(), work.resolve(DISK), StandardCopyOption.ATOMIC_MOVE);
            for (String frozen : List.of(STATE, DISK)) {
                Files.setPosixFilePermissions(work.resolve(frozen), PosixFilePermissions.fromString("r--------"));
            }
            long stateBytes = Files.size(work.resolve(STATE));
            long diskBytes = virtualSize(work.resolve(DISK));
            long millis = (System.nanoTime() - start) / 1_000_000;
            DocumentStore.write(work.resolve(DOCUMENT), new Document(FORMAT, key, shape.imageId(), shape.vcpus(),
                    shape.memoryMiB(), shape.acceleratorName(), qemu.version(), machineType, diskBytes, stateBytes,
                    millis, Instant.now()));
            files.deleteSockets();
            Path done = dir.resolve(key + "-" + suffix);
            Files.move(work, done, StandardCopyOption.ATOMIC_MOVE);
            return new Template(done, machineType, diskBytes, stateBytes, millis);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the template's QEMU did not end after saving it", e);
        } finally {
            building = null;
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            // Started, then interrupted before its pid was read: found by its pid file.
            QemuMachine.find(files.pidFile(), "tmpl-" + key.substring(0, 12)).ifPresent(ProcessHandle::destroyForcibly);
            if (Files.exists(work)) {
                try {
                    files.deleteSockets();
                    ResourceCollection.deleteTree(work);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not remove " + work + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * Whether the guest's console shows a boot script that went on without waiting (one older than templates: it
     * asked for its token once, was refused, and carried on), rather than a guest that is only slow to boot.
     * Only then is the image marked: a slow machine must not turn restore launches off for good.
     */
    static boolean passedItsWait(Path consoleLog) {
        try {
            String console = Files.readString(consoleLog, StandardCharsets.ISO_8859_1);
            return !console.contains("nube: template waiting") && (console.contains("nube: no metadata token")
                    || console.contains("nube: instance "));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean awaitWaiting(TemplateWait wait, ProcessHandle process) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT_DEADLINE.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (wait.await(Duration.ofMillis(200))) {
                return true;
            }
        }
        return false;
    }

    /** QEMU's migration of the stopped guest into {@code target} (7.2 has no {@code file:} URI: {@code cat} writes). */
    private static void save(Qmp qmp, Path target) throws IOException, InterruptedException {
        PrivateFiles.ensureFile(target);
        qmp.execute("migrate", Map.of("uri", "exec:cat > '" + target.toString().replace("'", "'\\''") + "'"),
                QMP_DEADLINE);
        long deadline = System.nanoTime() + SAVE_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = qmp.execute("query-migrate", Map.of(), QMP_DEADLINE);
            switch (status.path("status").asText()) {
                case "completed" -> {
                    return;
                }
                case "failed", "cancelled" -> throw new IOException("QEMU could not save the template: "
                        + status.path("error-desc").asText(status.path("status").asText()));
                default -> Thread.sleep(20);
            }
        }
        throw new IOException("QEMU did not save the template within " + SAVE_DEADLINE.toSeconds() + " s");
    }

    /** Marks a template unusable (a restore from it failed as no restore should): launches boot cold instead. */
    static void markUnusable(Path marker, String why) {
        try {
            PrivateFiles.write(marker, (Instant.now() + " " + why + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not mark " + marker + ": " + e.getMessage());
        }
    }

    static long virtualSize(Path disk) throws IOException, InterruptedException {
        Commands.Result info = Commands.run(List.of("qemu-img", "info", "--output=json", "-U", disk.toString()), null,
                Duration.ofSeconds(30));
        if (info.exit() != 0) {
            throw new IOException("qemu-img info " + disk + ": " + info.lastLine());
        }
        return dev.nube.engine.store.Json.mapper().readTree(info.output()).path("virtual-size").asLong();
    }


    /**
     * Removes the builds an engine left when it ended mid-build ({@code KEY.build-*}: their QEMU killed, their folder
     * deleted), once per image folder and engine. None of them is this engine's: a launch looks for its template
     * (and sweeps) before it queues a build.
     */
    private void sweep(Path dir) {
        if (!Files.isDirectory(dir) || swept.putIfAbsent(dir, Boolean.TRUE) != null) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.build-*")) {
            for (Path left : entries) {
                InstanceFiles files = InstanceFiles.of(left);
                String name = left.getFileName().toString();
                QemuMachine.find(files.pidFile(), "tmpl-" + name.substring(0, Math.min(12, name.indexOf('.'))))
                        .ifPresent(ProcessHandle::destroyForcibly);
                files.deleteSockets();
                ResourceCollection.deleteTree(left);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove unfinished launch templates in " + dir + ": "
                    + e.getMessage());
        }
    }

    /** Stops the background builds: a template booting is killed and its files removed. */
    @Override
    public void close() {
        closing = true;
        builder.shutdownNow();
        ProcessHandle process = building;
        if (process != null) {
            process.destroyForcibly();
        }
        try {
            builder.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
