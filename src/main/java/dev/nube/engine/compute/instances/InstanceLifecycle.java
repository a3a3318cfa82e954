package dev.nube.engine.compute.instances;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.compute.images.Images;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.compute.instances.metadata.InstanceMetadata;
import dev.nube.engine.compute.instances.metadata.MetadataServer;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.network.NetworkedInstance;
import dev.nube.engine.compute.network.Networking;
import dev.nube.engine.compute.network.Passt;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.vpc.VpcAddressing;
import dev.nube.engine.compute.qemu.Accelerator;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.engine.compute.qemu.Accelerators;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.compute.qemu.Qmp;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operations behind {@link Instances}: starting and attaching QEMU (on the accelerator {@link Accelerators}
 * decides, falling back to TCG when KVM fails the guest), stop, start, reboot, terminate. Every method that changes
 * an instance runs under its lock ({@link InstanceTable#withLock}); the watchers of {@link RunningInstance} do not
 * take it (they only update the document, or hand work to a thread that takes it).
 */
final class InstanceLifecycle {
    private static final System.Logger LOG = System.getLogger(InstanceLifecycle.class.getName());
    private static final Duration EXIT_WAIT = Duration.ofSeconds(30);
    /** The life of the metadata token a restored guest is woken with: what the tiny image's script asks for. */
    private static final int WAKE_TOKEN_TTL_SECONDS = 300;
    /** How long a restored guest may take to go on from its template's wait once told (it checks each second). */
    private static final Duration WAKE_DEADLINE = Duration.ofSeconds(10);

    private final InstanceTable table;
    private final HostCapacity capacity;
    private final Images images;
    private final KeyPairService keyPairs;
    private final Accelerators accelerators;
    private final Networking network;
    volatile AttachedVolumes volumes = AttachedVolumes.NONE;

    InstanceLifecycle(InstanceTable table, HostCapacity capacity, Images images, KeyPairService keyPairs,
                      Accelerators accelerators, Networking network) {
        this.table = table;
        this.capacity = capacity;
        this.images = images;
        this.keyPairs = keyPairs;
        this.accelerators = accelerators;
        this.network = network;
    }

    /** Serves the instance's metadata on its unix socket (in its private folder), where QEMU's relay connects. */
    MetadataServer serveMetadata(String region, InstanceRecord r) throws IOException {
        return MetadataServer.start(table.files(region, r.id()).metadataSocket(), metadataOf(region, r));
    }

    /** What the metadata service tells instance {@code r} about itself. */
    InstanceMetadata metadataOf(String region, InstanceRecord r) throws IOException {
        String key = null;
        if (r.keyPairId() != null) {
            try {
                key = keyPairs.get(region, r.keyPairId()).publicKey();
            } catch (EngineException e) {
                table.files(region, r.id()).log("metadata: key pair " + r.keyPairId() + " is gone; no SSH key");
            }
        }
        Path userData = table.files(region, r.id()).userData();
        byte[] data = Files.isRegularFile(userData) ? Files.readAllBytes(userData) : null;
        String privateIp = r.privateIp() != null ? r.privateIp() : QemuMachine.GUEST_ADDRESS;
        return new InstanceMetadata(r.id(), r.instanceType(), r.imageId(),
                r.privateIp() != null ? VpcAddressing.privateDnsName(AddressPool.parseAddress(privateIp), region)
                        : r.id() + "." + VpcAddressing.domain(region), privateIp, r.keyName(), key, region, data,
                r.macAddress(), r.launchTime(), r.tokensRequired());
    }

    /** Starts QEMU for the instance, on the accelerator {@link Accelerators} decides, and attaches to it. */
    void launchProcess(String region, String id) throws IOException, InterruptedException {
        launchProcess(region, id, null);
    }

    /** Starts QEMU for the instance on {@code forced}, or as decided when null, and attaches. Caller holds the lock. */
    void launchProcess(String region, String id, Accelerator forced) throws IOException, InterruptedException {
        InstanceFiles files = table.files(region, id);
        InstanceRecord r = table.ensureAddress(region, id);
        files.create(); // again: a private socket folder under /tmp may have gone with a reboot
        MetadataServer metadata = serveMetadata(region, r);
        try {
            Files.deleteIfExists(files.qmpSocket());
            Files.deleteIfExists(files.serialSocket());
            Files.deleteIfExists(files.vpcSocket());
            Path image = images.folder(region, r.imageId());
            String bootMode = bootModeOf(region, r);
            boolean fromDisk = bootMode != null;
            QemuMachine.UefiFirmware uefi = Image.BOOT_UEFI.equals(bootMode) ? uefiFirmware(files) : null;
            Accelerator accelerator = forced != null ? forced : fromDisk
                    ? accelerators.forDiskBootedGuest(kernelOf(region, r)) : accelerators.forGuest(kernelOf(region, r));
            QemuMachine.Spec spec = new QemuMachine.Spec(accelerators.host().binary(), id, accelerator,
                    r.vcpus(), r.memoryMiB(), fromDisk ? null : image.resolve(TinyImageBuilder.KERNEL),
                    fromDisk ? null : image.resolve(TinyImageBuilder.INITRD), fromDisk ? null : kernelArgsOf(region, r),
                    files.rootDisk(), files.qmpSocket(), files.serialSocket(),
                    files.consoleLog(), files.pidFile(), files.metadataSocket(), 0, files.vpcSocket(), r.macAddress(),
                    volumes.attachedTo(region, id), uefi);
            long pid = QemuMachine.launch(spec, files.qemuLog());
            files.log("QEMU started, pid " + pid + ", " + accelerator.description());
            ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IOException("QEMU exited at once"));
            attach(region, id, process, metadata, accelerator);
        } catch (IOException | RuntimeException | InterruptedException e) {
            metadata.close();
            table.findProcess(region, id).ifPresent(ProcessHandle::destroyForcibly);
            throw e;
        }
    }

    /**
     * The launch template shape of instance {@code r}: its image's files, its vCPUs and memory, and the accelerator
     * it would boot on now. Empty for an image that boots from its own disk (its boot is not Nube's tiny one) or that
     * is gone.
     */
    Optional<LaunchTemplates.Shape> templateShape(String region, InstanceRecord r)
            throws IOException, InterruptedException {
        Image image;
        try {
            image = images.get(region, r.imageId());
        } catch (EngineException e) {
            return Optional.empty();
        }
        if (image.bootsFromDisk() || image.kernelArgs() != null) {
            return Optional.empty(); // not Nube's tiny boot (a Debian image's cloud-init boots with its own arguments)
        }
        return Optional.of(new LaunchTemplates.Shape(image.id(), images.folder(region, image.id()),
                image.kernelArgs(), r.vcpus(), r.memoryMiB(), accelerators.forGuest(kernelOf(region, r))));
    }

    /**
     * Starts the instance's QEMU by loading {@code template}'s saved guest on a new overlay of the template's disk,
     * grows the disk to the instance's volume, lets the guest go on (it then takes its identity from the metadata
     * service) and attaches. Caller holds the lock; on failure the caller abandons the attempt
     * ({@link #abandonRestore}).
     */
    void restoreProcess(String region, String id, LaunchTemplates.Shape shape, LaunchTemplates.Template template)
            throws IOException, InterruptedException {
        InstanceFiles files = table.files(region, id);
        InstanceRecord r = table.ensureAddress(region, id);
        files.create();
        Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", template.disk().toString(), "-F",
                "qcow2", files.rootDisk().toString()), files.folder(), Duration.ofMinutes(1));
        PrivateFiles.restrict(files.rootDisk());
        // The boot this guest's memory went through is the template's: its console shows it first, as a booted
        // instance's does (QEMU appends to it).
        if (Files.isRegularFile(template.consoleLog())) {
            PrivateFiles.copy(template.consoleLog(), files.consoleLog(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        MetadataServer metadata = serveMetadata(region, r);
        try {
            Files.deleteIfExists(files.qmpSocket());
            Files.deleteIfExists(files.serialSocket());
            Files.deleteIfExists(files.vpcSocket());
            Files.deleteIfExists(files.wakeSocket());
            QemuMachine.Spec spec = new QemuMachine.Spec(accelerators.host().binary(), id, shape.accelerator(),
                    shape.vcpus(), shape.memoryMiB(), shape.kernel(), shape.initrd(), shape.templateKernelArgs(),
                    files.rootDisk(), files.qmpSocket(), files.serialSocket(), files.consoleLog(), files.pidFile(),
                    files.metadataSocket(), 0, files.vpcSocket(), r.macAddress(), List.of(), null,
                    new QemuMachine.Restorable(template.machineType(), template.state(),
                            files.wakeSocket()));
            GuestHostKey hostKey = GuestHostKey.generate();
            long started = System.nanoTime();
            long pid = 0;
            boolean ownKey;
            ProcessHandle process;
            try {
                pid = QemuMachine.launch(spec, files.qemuLog());
                process = ProcessHandle.of(pid).orElseThrow(() -> new IOException("QEMU exited at once"));
                long volumeBytes = (long) r.rootVolumeGiB() << 30;
                try (Qmp qmp = Qmp.connect(files.qmpSocket(), event -> { }, RunningInstance.QMP_DEADLINE)) {
                    awaitLoaded(qmp, process, files);
                    if (volumeBytes > template.diskBytes()) {
                        qmp.execute("block_resize", java.util.Map.of("device", "root", "size", volumeBytes),
                                RunningInstance.QMP_DEADLINE);
                    }
                    qmp.execute("cont", java.util.Map.of(), RunningInstance.QMP_DEADLINE);
                    ownKey = wake(qmp, process, files, metadata, hostKey, r.macAddress());
                }
            } catch (IOException e) {
                // A QEMU that ends before the guest went on could not take the template (whatever it said first).
                if (e instanceof LaunchTemplates.LoadFailed || pid == 0 || endsWithin(pid, Duration.ofSeconds(2))) {
                    throw new LaunchTemplates.LoadFailed("QEMU could not load the template: " + e.getMessage(), e);
                }
                throw e;
            }
            files.log("QEMU started by restoring launch template " + template.name() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms, pid " + pid + ", "
                    + shape.accelerator().description() + (ownKey ? "; the guest went on, with an SSH host key of"
                    + " its own making" : "; the guest went on, with an SSH host key made by the engine, "
                    + hostKey.fingerprint()));
            attach(region, id, process, metadata, null);
        } catch (IOException | RuntimeException | InterruptedException e) {
            metadata.close();
            throw e;
        }
    }

    /**
     * Wakes the restored guest ({@link TemplateWait#wake}); true when it made its own host key rather than take
     * {@code hostKey}. A guest that does not say it went on is frozen before anything else is decided: one that has
     * asked its metadata service by then has taken its identity and may have started its user data, so it goes on
     * as the instance (booting it again would run that twice); one that has not is failed, to be undone and booted.
     */
    private static boolean wake(Qmp qmp, ProcessHandle process, InstanceFiles files, MetadataServer metadata,
                                GuestHostKey hostKey, String mac) throws IOException, InterruptedException {
        try {
            return !TemplateWait.wake(files.wakeSocket(), metadata.issueToken(WAKE_TOKEN_TTL_SECONDS), hostKey, mac,
                    WAKE_DEADLINE);
        } catch (IOException e) {
            if (!process.isAlive()) {
                throw e;
            }
            qmp.execute("stop", java.util.Map.of(), RunningInstance.QMP_DEADLINE);
            if (!metadata.asked()) {
                throw e;
            }
            qmp.execute("cont", java.util.Map.of(), RunningInstance.QMP_DEADLINE);
            files.log("the restored guest did not say it went on (" + e.getMessage() + "), but it has asked for its"
                    + " identity: it goes on as the instance, with an SSH host key of its own or the engine's");
            return true;
        }
    }

    /** Waits until QEMU has loaded the saved guest (it then stays paused); fails when the load fails or QEMU ends. */
    private static void awaitLoaded(Qmp qmp, ProcessHandle process, InstanceFiles files)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String status;
            try {
                status = qmp.execute("query-status", java.util.Map.of(), RunningInstance.QMP_DEADLINE)
                        .path("status").asText();
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new LaunchTemplates.LoadFailed("QEMU ended while loading the template: "
                            + QemuMachine.lastLine(files.qemuLog()), e);
                }
                throw e;
            }
            switch (status) {
                case "inmigrate" -> Thread.sleep(10);
                case "paused", "postmigrate", "prelaunch" -> {
                    return;
                }
                default -> throw new LaunchTemplates.LoadFailed("QEMU is " + status + " after loading the template",
                        null);
            }
        }
        throw new IOException("QEMU did not load the template within 60 s");
    }

    /** Whether the process {@code pid} has ended, or ends within {@code wait}. */
    private static boolean endsWithin(long pid, Duration wait) throws InterruptedException {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return true;
        }
        try {
            process.get().onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return !process.get().isAlive();
        }
    }

    /** Waits until the instance's guest answers on SSH (true), or its QEMU ends or {@code bound} passes (false). */
    boolean awaitSsh(String region, String id, Duration bound) throws InterruptedException {
        RunningInstance live = table.running.get(InstanceTable.key(region, id));
        return live != null && live.awaitSshReady(bound);
    }

    /** Whether the instance's guest has connected to its metadata service since its QEMU was attached. */
    boolean guestAskedForIdentity(String region, String id) {
        RunningInstance live = table.running.get(InstanceTable.key(region, id));
        return live != null && live.metadataServer() != null && live.metadataServer().asked();
    }

    /**
     * Undoes a restore launch that failed, so the instance can boot cold: its QEMU killed, taken off its network
     * (keeping its address), its root overlay removed. Caller holds the lock.
     */
    void abandonRestore(String region, String id) throws InterruptedException {
        RunningInstance live = table.running.remove(InstanceTable.key(region, id));
        if (live != null) {
            live.detach();
            live.killAndAwait(EXIT_WAIT);
        }
        table.findProcess(region, id).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(EXIT_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | InterruptedException e) {
                table.files(region, id).log("the QEMU of the failed restore (pid " + p.pid() + ") did not end: "
                        + e);
            }
        });
        network.down(region, id, false);
        InstanceFiles files = table.files(region, id);
        try {
            Files.deleteIfExists(files.rootDisk());
        } catch (IOException e) {
            files.log("removing the overlay of the failed restore: " + e.getMessage());
        }
    }

    /** The instance's root volume: a qcow2 overlay on its image's disk, of the size it was launched with. */
    void createRootDisk(String region, InstanceRecord r) throws IOException, InterruptedException {
        InstanceFiles files = table.files(region, r.id());
        Path base = images.folder(region, r.imageId()).resolve(TinyImageBuilder.DISK);
        Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
                files.rootDisk().toString(), r.rootVolumeGiB() + "G"), files.folder(), Duration.ofMinutes(1));
        PrivateFiles.restrict(files.rootDisk()); // qemu-img made it after the umask
    }

    /**
     * How instance {@code r}'s image boots: null for a kernel QEMU loads, else {@link Image#BOOT_BIOS} or
     * {@link Image#BOOT_UEFI}. The image exists: its folder was found first.
     */
    private String bootModeOf(String region, InstanceRecord r) {
        return images.get(region, r.imageId()).bootMode();
    }

    /** OVMF's code and the instance's variable store, copied from OVMF's empty one at its first UEFI start. */
    private static QemuMachine.UefiFirmware uefiFirmware(InstanceFiles files) throws IOException {
        String missing = ImageImport.ovmfMissing();
        if (missing != null) {
            throw new IOException("the instance boots by UEFI, and " + missing);
        }
        if (!Files.isRegularFile(files.uefiVars())) {
            Path part = files.uefiVars().resolveSibling(files.uefiVars().getFileName() + ".part");
            PrivateFiles.copy(ImageImport.OVMF_VARS, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, files.uefiVars(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return new QemuMachine.UefiFirmware(ImageImport.OVMF_CODE, files.uefiVars());
    }

    /** The kernel command line of instance {@code r}'s image; null (Nube's default) when the image is gone. */
    private String kernelArgsOf(String region, InstanceRecord r) {
        try {
            return images.get(region, r.imageId()).kernelArgs();
        } catch (EngineException e) {
            return null;
        }
    }

    /**
     * The guest kernel of instance {@code r}, as the accelerator verdicts know it. The kernel of an image that boots
     * from its disk is inside that disk: it is known by the image's disk file and id.
     */
    Accelerators.GuestKernelFile kernelOf(String region, InstanceRecord r) {
        String release;
        try {
            Image image = images.get(region, r.imageId());
            if (image.bootsFromDisk()) {
                return new Accelerators.GuestKernelFile(images.folder(region, r.imageId())
                        .resolve(TinyImageBuilder.DISK), Accelerators.DISK_BOOTED + image.id());
            }
            release = image.kernelRelease();
        } catch (EngineException e) {
            release = null; // the image was deregistered while the instance kept its files
        }
        return new Accelerators.GuestKernelFile(images.folder(region, r.imageId())
                .resolve(TinyImageBuilder.KERNEL), release);
    }

    /**
     * Holds the live QEMU of an instance; {@code metadata} may be null (it could not be served).
     * {@code launchedWith} is the accelerator QEMU was started with just now (its boot is watched from the start), or
     * null when it is re-attached.
     */
    void attach(String region, String id, ProcessHandle process, MetadataServer metadata, Accelerator launchedWith)
            throws IOException {
        try {
            RunningInstance live = RunningInstance.attach(id, process, table.files(region, id), metadata,
                    new Scoped(region), launchedWith);
            table.beforeRunning.accept(live);
            // In the map first, then the watcher: a QEMU that ends in between is still seen ending and removed.
            table.running.put(InstanceTable.key(region, id), live);
            live.watchExit();
            if (live.alive()) {
                try {
                    networkUp(region, id, live);
                } catch (RuntimeException e) {
                    table.recordProblem(region, id, "Network: " + e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (metadata != null) {
                metadata.close();
            }
            throw e;
        }
    }

    /**
     * Brings the running instance onto its network: its uplink (passt, started again if it is not running: it ends
     * with the instance), then the switch port, public address and published ports (in the network's background).
     * Without passt the instance has its private network and public address, and no way out.
     */
    private void networkUp(String region, String id, RunningInstance live) {
        InstanceRecord r = table.record(region, id);
        InstanceFiles files = table.files(region, id);
        Path uplink = null;
        if (Passt.missing() == null) {
            try {
                if (Passt.find(files.uplinkPidFile(), files.uplinkSocket()).isEmpty()) {
                    long pid = Passt.start(new Passt.Spec(files.uplinkSocket(), files.uplinkPidFile(),
                            files.uplinkLog(), AddressPool.parseAddress(r.privateIp()), VpcAddressing.DEFAULT.cidr().prefix(),
                            VpcAddressing.DEFAULT.gateway(), VpcAddressing.DEFAULT.gatewayMac()));
                    files.log("uplink started: passt pid " + pid);
                }
                uplink = files.uplinkSocket();
            } catch (IOException e) {
                files.log("no uplink: " + e.getMessage());
                table.recordProblem(region, id, "No way out to the host's networks: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.up(new NetworkedInstance(region, id, r.name(), r.privateIp(), r.macAddress(), r.securityGroupIds(),
                files.vpcSocket(), uplink, files.folder(), (protocol, port) -> live.guestPort(
                        protocol.label(), port)));
    }

    /** Takes the instance off its network; {@code stopped}: its QEMU is gone, so its uplink and address go too. */
    void networkDown(String region, String id, boolean stopped) {
        network.down(region, id, stopped);
        if (stopped) {
            InstanceFiles files = table.files(region, id);
            try {
                Passt.stop(files.uplinkPidFile(), files.uplinkSocket());
            } catch (IOException e) {
                files.log("stopping the uplink: " + e.getMessage());
            }
        }
    }

    /**
     * Completes a launch that failed: no QEMU, no files, the document says terminated and why. A launch that failed
     * before its document was written leaves nothing at all (a folder without a document would be listed as a
     * problem forever).
     */
    void rollBackLaunch(String region, String id, String why) {
        try {
            table.findProcess(region, id).ifPresent(ProcessHandle::destroyForcibly);
            RunningInstance live = table.running.remove(InstanceTable.key(region, id));
            if (live != null) {
                live.detach();
            }
            networkDown(region, id, true);
            InstanceFiles files = table.files(region, id);
            files.deleteAllButDocument();
            if (!Files.exists(files.folder().resolve(InstanceFiles.DOCUMENT))) {
                dev.nube.engine.store.ResourceCollection.deleteTree(files.folder());
            } else if (table.collection(region).find(id).isPresent()) {
                table.update(region, id, r -> r.terminated("Server.InternalError: the launch failed: " + why,
                        Instant.now()));
                table.publishState(region, id);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "rolling back the launch of " + id + ": " + e.getMessage(), e);
        }
    }

    Instance start(String region, String id) {
        InstanceRecord r = table.record(region, id);
        Instances.guard(id, table.derive(region, r), InstanceRequest.START);
        if (!Files.isRegularFile(table.files(region, id).rootDisk())) {
            throw new EngineException("Server.InternalError", "Instance " + id + " has lost its root volume ("
                    + table.files(region, id).rootDisk() + "); terminate it.");
        }
        capacity.reserveToStart(id, r.memoryMiB());
        try {
            table.update(region, id, x -> x.with(Intent.RUNNING, Operation.STARTING, null));
            table.publishState(region, id);
            launchProcess(region, id);
        } catch (IOException | RuntimeException e) {
            table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE,
                    "Server.InternalError: the start failed: " + e.getMessage()));
            table.publishState(region, id);
            throw new EngineException("InstanceStartFailed", "Could not start " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE, "the start was interrupted"));
            table.publishState(region, id);
            throw new EngineException("InstanceStartFailed", "The start of " + id + " was interrupted.", e);
        } finally {
            capacity.release(r.memoryMiB()); // counted in the running instances from now on, or not started
        }
        table.update(region, id, x -> x.withOperation(Operation.NONE));
        table.publishState(region, id);
        return table.get(region, id);
    }

    Instance stop(String region, String id, Duration grace) {
        InstanceRecord r = table.record(region, id);
        Instances.guard(id, table.derive(region, r), InstanceRequest.STOP);
        if (r.operation() == Operation.LAUNCHING && !Files.exists(table.files(region, id).rootDisk())) {
            // Stopped before its launch began: it gets its disk now (never its QEMU), so Start works later.
            try {
                createRootDisk(region, r);
            } catch (IOException e) {
                throw new EngineException("Server.InternalError", "Could not create the root volume of " + id + ": "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("Server.InternalError", "The stop of " + id + " was interrupted.", e);
            }
        }
        table.update(region, id, x -> x.with(Intent.STOPPED, Operation.STOPPING, Instances.USER_INITIATED));
        table.publishState(region, id);
        try {
            powerOff(region, id, grace, "stop");
            networkDown(region, id, true); // done already if QEMU was attached; not if it ran unattached
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Server.InternalError", "The stop of " + id + " was interrupted.", e);
        }
        table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE, Instances.USER_INITIATED));
        table.publishState(region, id);
        return table.get(region, id);
    }

    /**
     * Stops the instance's QEMU as a stop should, attached or not: the ACPI power button (through the engine's QMP
     * connection, or one of its own), up to {@code grace} for the guest to power off, and only then a kill, with
     * the reason in the instance's log. Returns once QEMU is gone (or does not end even when killed: logged).
     */
    void powerOff(String region, String id, Duration grace, String why) throws InterruptedException {
        RunningInstance live = table.live(region, id);
        Optional<ProcessHandle> process = live != null ? ProcessHandle.of(live.pid()) : table.findProcess(region, id);
        if (process.isEmpty()) {
            if (live != null) {
                live.awaitExit(EXIT_WAIT); // it has just ended: wait until its exit is handled
            }
            return;
        }
        InstanceFiles files = table.files(region, id);
        long pid = process.get().pid();
        String pressed = null;
        try {
            if (live != null) {
                live.powerButton();
            } else {
                try (Qmp qmp = Qmp.connect(files.qmpSocket(), event -> { }, RunningInstance.QMP_DEADLINE)) {
                    qmp.execute("system_powerdown", java.util.Map.of(), RunningInstance.QMP_DEADLINE);
                }
                files.log(why + ": pressed the power button of QEMU pid " + pid + " (not attached)");
            }
        } catch (IOException e) {
            pressed = "the power button could not be pressed (" + e.getMessage() + ")";
        }
        boolean ended = pressed == null && awaitEnd(live, process.get(), grace);
        if (!ended) {
            String line = why + ": " + (pressed != null ? pressed : "the guest did not power off within "
                    + grace.toSeconds() + " s") + "; killing QEMU (pid " + pid + ")";
            files.log(line);
            LOG.log(System.Logger.Level.WARNING, id + ": " + line);
            process.get().destroyForcibly();
            if (!awaitEnd(live, process.get(), EXIT_WAIT)) {
                files.log(why + ": QEMU pid " + pid + " did not end");
            }
        }
    }

    /** Waits for QEMU to end: for an attached one, until its exit has been handled too. */
    private static boolean awaitEnd(RunningInstance live, ProcessHandle process, Duration wait)
            throws InterruptedException {
        if (live != null) {
            return live.awaitExit(wait) != null;
        }
        try {
            process.onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** Kills a QEMU the engine is not attached to at once (termination; or a stop whose guest did not answer). */
    void killUnattached(String region, String id, String why) throws InterruptedException {
        Optional<ProcessHandle> process = table.findProcess(region, id);
        if (process.isPresent()) {
            table.files(region, id).log(why + ": killing QEMU (pid " + process.get().pid() + "), not attached");
            process.get().destroyForcibly();
            try {
                process.get().onExit().get(EXIT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                table.files(region, id).log(why + ": QEMU pid " + process.get().pid() + " did not end");
            }
        }
    }

    Instance reboot(String region, String id) {
        InstanceRecord r = table.record(region, id);
        Instances.guard(id, table.derive(region, r), InstanceRequest.REBOOT);
        RunningInstance live = table.live(region, id);
        if (live == null) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " runs but the engine is not"
                    + " attached to it; stop and start it.");
        }
        table.update(region, id, x -> x.withOperation(Operation.REBOOTING));
        InstanceFiles files = table.files(region, id);
        try {
            if (!live.ctrlAltDelete(Instances.REBOOT_GRACE)) {
                files.log("reboot: the guest did not restart within " + Instances.REBOOT_GRACE.toSeconds()
                        + " s of Ctrl-Alt-Del; resetting it");
                live.hardReset();
            }
            if (!live.awaitSshReady(Instances.BOOT_DEADLINE)) {
                files.log("reboot: SSH did not answer within " + Instances.BOOT_DEADLINE.toMinutes() + " min");
            }
        } catch (IOException e) {
            files.log("reboot: " + e.getMessage());
            throw new EngineException("Server.InternalError", "Could not reboot " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Server.InternalError", "The reboot of " + id + " was interrupted.", e);
        } finally {
            table.update(region, id, x -> x.withOperation(Operation.NONE));
            table.publishState(region, id);
        }
        return table.get(region, id);
    }

    Instance terminate(String region, String id) {
        InstanceRecord r = table.record(region, id);
        Instances.guard(id, table.derive(region, r), InstanceRequest.TERMINATE);
        table.update(region, id, x -> x.with(Intent.TERMINATED, Operation.TERMINATING, Instances.USER_INITIATED));
        table.publishState(region, id);
        finishTermination(region, id, Instances.USER_INITIATED);
        return table.get(region, id);
    }

    /** Ends QEMU if it runs, deletes every file but the document, marks the document terminated. */
    void finishTermination(String region, String id, String reason) {
        RunningInstance live = table.live(region, id);
        try {
            if (live != null) {
                live.quit();
                if (live.awaitExit(EXIT_WAIT) == null) {
                    live.kill();
                    live.awaitExit(EXIT_WAIT);
                }
            }
            killUnattached(region, id, "terminate");
            networkDown(region, id, true);
            table.files(region, id).deleteAllButDocument();
            try {
                volumes.instanceTerminated(region, id);
            } catch (RuntimeException e) {
                // The instance is gone either way; its volumes are settled again at the next engine start.
                table.files(region, id).log("its volumes after termination: " + e.getMessage());
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not delete the files of " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Server.InternalError", "The termination of " + id + " was interrupted.", e);
        }
        table.update(region, id, x -> x.terminated(reason, Instant.now()));
        network.terminated(region, id);
        table.publishState(region, id);
    }

    /**
     * A guest that failed while booting under KVM: in the automatic mode the verdict is recorded (later guests of this
     * kernel go straight to TCG) and the same instance, with its disk and id, is started again under TCG. With KVM
     * chosen in settings it is ended instead, the failure in its state reason. Caller holds the lock; does nothing
     * if {@code live} is no longer the instance's QEMU (stopped or terminated meanwhile).
     */
    void fallBackToTcg(String region, String id, RunningInstance live, String reason) {
        if (table.live(region, id) != live) {
            return;
        }
        InstanceFiles files = table.files(region, id);
        InstanceRecord r = table.record(region, id);
        try {
            AcceleratorMode mode = accelerators.mode();
            if (mode == AcceleratorMode.KVM) {
                String why = "Server.InternalError: KVM failed to run the guest (" + reason + "); the accelerator is"
                        + " set to KVM in settings, so it was not restarted under TCG";
                files.log(why);
                live.end(why);
                live.awaitExit(EXIT_WAIT);
                return;
            }
            if (mode == AcceleratorMode.AUTO) {
                accelerators.kvmFailed(kernelOf(region, r), reason);
            }
            String note = "KVM failed to run the guest kernel (" + reason + "); restarted under TCG";
            files.log(note + "; ending QEMU pid " + live.pid());
            LOG.log(System.Logger.Level.WARNING, id + ": " + note);
            // Detached first, so an exit in between is not handled as the instance stopping; then STARTING before
            // the old QEMU leaves the map: meanwhile the instance shows pending, never stopped.
            live.detach();
            network.down(region, id, false); // the address stays: the same instance comes back under TCG
            table.update(region, id, x -> x.with(Intent.RUNNING, Operation.STARTING, note));
            table.running.remove(InstanceTable.key(region, id), live);
            if (!live.killAndAwait(EXIT_WAIT)) {
                throw new IOException("QEMU pid " + live.pid() + " did not end");
            }
            table.publishState(region, id);
            launchProcess(region, id, Accelerator.tcg(note));
            table.update(region, id, x -> x.withOperation(Operation.NONE));
        } catch (IOException | RuntimeException e) {
            files.log("the restart under TCG failed: " + e.getMessage());
            table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE,
                    "Server.InternalError: KVM failed to run the guest (" + reason + ") and the restart under TCG"
                            + " failed: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE,
                    "Server.InternalError: the restart under TCG was interrupted"));
        }
        table.publishState(region, id);
    }

    /** The listener of one region's running instances. */
    private final class Scoped implements RunningInstance.Listener {
        private final String region;

        Scoped(String region) {
            this.region = region;
        }

        @Override
        public void sshReady(RunningInstance instance) {
            long millis = instance.takeBootMillis();
            if (millis > 0) {
                String accelerator = instance.underKvm() ? "KVM" : "TCG";
                instance.files().log(String.format(java.util.Locale.ROOT, "SSH answered %.1f s after QEMU started (%s)",
                        millis / 1000.0, accelerator));
                try {
                    images.noteBootTime(region, table.record(region, instance.instanceId()).imageId(),
                            new Images.BootTime(millis, accelerator, Instant.now()));
                } catch (EngineException e) {
                    // terminated meanwhile: nothing to note
                }
            }
            table.publishState(region, instance.instanceId());
        }

        @Override
        public void kvmBootFailed(RunningInstance instance, String reason) {
            String id = instance.instanceId();
            table.inBackground(region, id, "KVM fallback", () -> fallBackToTcg(region, id, instance, reason));
        }

        @Override
        public void statusChanged(RunningInstance instance) {
            table.changed(region, instance.instanceId());
        }

        @Override
        public void halted(RunningInstance instance, String reason) {
            String line = reason + "; ending QEMU pid " + instance.pid();
            instance.files().log(line);
            LOG.log(System.Logger.Level.WARNING, instance.instanceId() + ": " + line);
            instance.end("Server.InternalError: " + reason);
        }

        @Override
        public void exited(RunningInstance instance, String reason) {
            String id = instance.instanceId();
            instance.files().log("QEMU pid " + instance.pid() + " ended: " + reason);
            try {
                // The reason first: until the instance leaves the running map it is not shown stopped.
                table.update(region, id, r -> r.intent() == Intent.RUNNING
                        ? r.with(Intent.STOPPED, r.operation(), reason) : r);
                // Before it shows stopped: a start that follows must not meet this QEMU's uplink still going.
                networkDown(region, id, true);
                table.running.remove(InstanceTable.key(region, id), instance);
                table.publishState(region, id);
            } catch (EngineException e) {
                networkDown(region, id, true);
                table.running.remove(InstanceTable.key(region, id), instance);
                LOG.log(System.Logger.Level.DEBUG, "instance " + id + " went away: " + e.getMessage());
            }
        }
    }
}
