package dev.nube.engine.compute.instances;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Images;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.compute.instances.metadata.MetadataServer;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.network.InstanceNetwork;
import dev.nube.engine.compute.network.NetworkService;
import dev.nube.engine.compute.network.Networking;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.engine.compute.qemu.Accelerators;
import dev.nube.engine.compute.terminal.SerialTerminal;
import dev.nube.engine.compute.terminal.SshTerminal;
import dev.nube.engine.compute.terminal.TerminalChannel;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Listing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The instance service: instances stored per region in {@code instances/<id>/}, each run by a daemonized QEMU. This
 * class checks requests and hands them on: {@link InstanceTable} holds the documents, the attached QEMUs, the locks
 * and the published states (a state is derived from facts each time, never stored); {@link HostCapacity} what
 * instances take of the machine; {@link InstanceLifecycle} the operations; {@link InstanceReconciler} what is found
 * at engine start. Thread-safe; see {@link InstanceService} for the rules.
 */
public final class Instances implements InstanceService, RegionScoped, SecurityGroupService.Usage, AutoCloseable {
    static final String USER_INITIATED = "Client.UserInitiatedShutdown: User initiated shutdown";
    /** How long a stop waits for the guest to power off before QEMU is killed. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);
    static final Duration REBOOT_GRACE = Duration.ofSeconds(60);
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(5);

    private final Images images;
    private final KeyPairService keyPairs;
    private final SecurityGroupService securityGroups;
    /** The instances' documents, attached QEMUs, locks and published states (package-private for tests). */
    final InstanceTable table;
    /** What instances take of this machine (package-private for tests). */
    final HostCapacity capacity;
    private final InstanceLaunches launches;
    private final LaunchSettings launchSettings;
    private final LaunchTemplates templates;
    final Accelerators accelerators;
    private final Duration stopGrace;
    private final Path knownHosts;
    private final InstanceLifecycle lifecycle;
    private final InstanceReconciler reconciler;
    private final Networking network;

    /**
     * {@code stopGrace} is how long a stop waits for the guest to power off before QEMU is killed. {@code knownHosts}
     * is the known_hosts file of the console's SSH terminal, which the offered ssh command uses too.
     * {@code launchSettings} is where the launch settings are kept ({@link LaunchSettings}).
     * {@code accelerators} decides which accelerator each guest runs on (the caller closes it).
     */
    public Instances(RegionService regions, EventBus events, Images images, KeyPairService keyPairs,
                     SecurityGroupService securityGroups, Accelerators accelerators, Networking network,
                     Duration stopGrace, Path knownHosts, Path launchSettings) {
        this.images = images;
        this.keyPairs = keyPairs;
        this.securityGroups = securityGroups;
        this.stopGrace = stopGrace;
        this.knownHosts = knownHosts;
        this.accelerators = accelerators;
        this.network = network;
        this.table = new InstanceTable(regions, events, network);
        this.capacity = new HostCapacity(table);
        this.lifecycle = new InstanceLifecycle(table, capacity, images, keyPairs, accelerators, network);
        this.reconciler = new InstanceReconciler(table, lifecycle, stopGrace);
        this.launchSettings = new LaunchSettings(dev.nube.engine.store.SettingsFile.at(launchSettings));
        this.templates = new LaunchTemplates(accelerators.host());
        this.launches = new InstanceLaunches(table, capacity, lifecycle, this.launchSettings, templates);
    }

    @Override
    public boolean restoreLaunches() {
        return launchSettings.restoreLaunches();
    }

    @Override
    public void setRestoreLaunches(boolean on) {
        launchSettings.setRestoreLaunches(on);
    }

    @Override
    public AcceleratorMode acceleratorMode() {
        return accelerators.mode();
    }

    @Override
    public void setAcceleratorMode(AcceleratorMode mode) {
        accelerators.setMode(mode);
    }

    /** The guard every request passes: {@code IncorrectInstanceState}, naming id and state, unless allowed. */
    static void guard(String id, InstanceState state, InstanceRequest request) {
        if (!state.allows(request)) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " is " + state.awsName()
                    + "; it cannot be " + request.pastTense() + ".");
        }
    }

    @Override
    public List<InstanceType> instanceTypes() {
        return InstanceTypes.ALL;
    }

    @Override
    public String whyTypeDoesNotFit(InstanceType type) {
        return capacity.types.whyNotFits(type);
    }

    @Override
    public List<Instance> run(String region, RunRequest request) {
        LaunchPlan plan = capacity.reserveForLaunch(inUse -> LaunchPlan.check(region, request, images, keyPairs,
                securityGroups, capacity.types, inUse));
        return launches.launch(region, plan);
    }

    @Override
    public Listing<Instance> list(String region) {
        Listing<InstanceRecord> records = table.collection(region).list();
        return new Listing<>(records.items().stream().map(r -> table.toInstance(region, r)).toList(),
                records.problems());
    }

    @Override
    public Instance get(String region, String id) {
        return table.toInstance(region, table.record(region, id));
    }

    @Override
    public Instance start(String region, String id) {
        return table.withLock(region, id, () -> lifecycle.start(region, id));
    }

    @Override
    public Instance stop(String region, String id) {
        return table.withLock(region, id, () -> lifecycle.stop(region, id, stopGrace));
    }

    @Override
    public Instance reboot(String region, String id) {
        return table.withLock(region, id, () -> lifecycle.reboot(region, id));
    }

    @Override
    public Instance terminate(String region, String id) {
        return table.withLock(region, id, () -> lifecycle.terminate(region, id));
    }

    @Override
    public boolean awaitState(String region, String id, InstanceState state, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            if (get(region, id).state() == state) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    @Override
    public String consoleOutput(String region, String id, int maxBytes) {
        table.record(region, id);
        Path log = table.files(region, id).consoleLog();
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(log)) {
            long size = channel.size();
            long from = Math.max(0, size - maxBytes);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (size - from));
            channel.read(buffer, from);
            return new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read the console log of " + id + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public java.util.SortedMap<String, String> metadata(String region, String id) {
        InstanceRecord record = table.record(region, id);
        try {
            java.util.SortedMap<String, String> documents = new java.util.TreeMap<>();
            MetadataServer.documents(lifecycle.metadataOf(region, record)).forEach((path, body) ->
                    documents.put(path, new String(body, java.nio.charset.StandardCharsets.UTF_8)));
            return documents;
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read the metadata of " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Instance setMetadataTokens(String region, String id, String httpTokens) {
        String value = InstanceRecord.checkHttpTokens(httpTokens == null ? null : httpTokens.strip());
        return table.withLock(region, id, () -> {
            InstanceRecord r = table.record(region, id);
            if (!r.holdsAddress() || r.intent() == Intent.TERMINATED) {
                throw new EngineException("IncorrectInstanceState", "Instance " + id + " is terminated; its metadata"
                        + " options cannot change.");
            }
            InstanceRecord changed = table.update(region, id, x -> x.withHttpTokens(value));
            RunningInstance live = table.live(region, id);
            if (live != null && live.metadataServer() != null) {
                live.metadataServer().tokensRequired(changed.tokensRequired());
            }
            table.files(region, id).log("metadata tokens " + value);
            table.changed(region, id);
            return table.get(region, id);
        });
    }

    @Override
    public Instance setSecurityGroups(String region, String id, List<String> groups) {
        return table.withLock(region, id, () -> {
            InstanceRecord r = table.record(region, id);
            if (!r.holdsAddress() || r.intent() == Intent.TERMINATED) {
                throw new EngineException("IncorrectInstanceState", "Instance " + id + " is terminated; its security"
                        + " groups cannot change.");
            }
            if (groups == null || groups.isEmpty()) {
                throw EngineException.invalid("An instance needs at least one security group.");
            }
            if (groups.size() > LaunchPlan.MAX_GROUPS) {
                throw EngineException.invalid("An instance has at most " + LaunchPlan.MAX_GROUPS
                        + " security groups; " + groups.size() + " were given.");
            }
            List<String> ids = groups.stream().map(g -> securityGroups.get(region, g).id()).distinct().toList();
            table.update(region, id, x -> x.withSecurityGroups(ids));
            table.changed(region, id);
            network.groupsChanged(region, id, ids);
            return table.get(region, id);
        });
    }

    @Override
    public Instance rename(String region, String id, String name) {
        String clean = name == null ? "" : name.strip();
        if (clean.length() > 256) {
            throw EngineException.invalid("A name has at most 256 characters; this one has " + clean.length() + ".");
        }
        if (clean.chars().anyMatch(c -> c < 0x20)) {
            throw EngineException.invalid("A name cannot hold control characters.");
        }
        return table.withLock(region, id, () -> {
            if (!table.record(region, id).name().equals(clean)) {
                table.update(region, id, x -> x.withName(clean));
                table.changed(region, id);
            }
            return table.get(region, id);
        });
    }

    @Override
    public Instance setInstanceType(String region, String id, String typeName) {
        return table.withLock(region, id, () -> {
            InstanceRecord r = table.record(region, id);
            InstanceState state = table.derive(region, r);
            if (state != InstanceState.STOPPED) {
                throw new EngineException("IncorrectInstanceState", "Instance " + id + " is " + state.awsName()
                        + "; its type can be changed only while it is stopped. Stop it first.");
            }
            InstanceType type = capacity.types.find(typeName).orElseThrow(() -> EngineException.invalid(
                    "There is no instance type '" + typeName + "'. Choose one of "
                            + InstanceTypes.ALL.stream().map(InstanceType::name).toList() + "."));
            String misfit = capacity.types.whyNotFits(type);
            if (misfit != null) {
                throw EngineException.invalid(misfit + " Choose a smaller instance type.");
            }
            if (!type.name().equals(r.instanceType())) {
                table.update(region, id, x -> x.withType(type));
                table.files(region, id).log("instance type changed from " + r.instanceType() + " to " + type.name()
                        + " (" + type.vcpus() + " vCPU, " + type.memoryMiB() + " MiB)");
                table.changed(region, id);
            }
            return table.get(region, id);
        });
    }

    /** Tells the service where the volumes attached to instances come from (the volume service). */
    public void setAttachedVolumes(AttachedVolumes volumes) {
        lifecycle.volumes = volumes;
    }

    /**
     * Runs {@code work} under the instance's lock (what the volume service does to an instance's disks is serialised
     * with its start, stop and termination). Throws {@code InvalidInstanceID.NotFound}.
     */
    public <T> T withInstanceLock(String region, String id, java.util.function.Supplier<T> work) {
        return table.withLock(region, id, work);
    }

    /** The instance's state now. */
    public InstanceState stateOf(String region, String id) {
        return table.derive(region, table.record(region, id));
    }

    /** The file of the instance's root volume (a qcow2 overlay on its image's disk). */
    public Path rootDiskOf(String region, String id) {
        return table.files(region, id).rootDisk();
    }

    /** Records a grown root volume; caller holds the instance's lock. */
    public void setRootVolumeGiB(String region, String id, int gib) {
        table.update(region, id, r -> r.withRootVolumeGiB(gib));
        table.files(region, id).log("root volume grown to " + gib + " GiB");
        table.changed(region, id);
    }

    /** The QMP connection of the instance's QEMU, when the engine holds it; throws {@code IncorrectInstanceState}. */
    private dev.nube.engine.compute.qemu.Qmp qmpOf(String region, String id) {
        RunningInstance live = table.live(region, id);
        if (live == null || !live.alive() || live.qmp() == null) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " is "
                    + stateOf(region, id).awsName() + "; the engine holds no QEMU of it to change its disks.");
        }
        return live.qmp();
    }

    /** Plugs a volume's file into the running instance as a new disk; caller holds the instance's lock. */
    public void hotplug(String region, String id, String volumeId, Path file) throws IOException {
        dev.nube.engine.compute.qemu.QemuBlock.hotplug(qmpOf(region, id), volumeId, file);
        table.files(region, id).log("volume " + volumeId + " plugged in");
    }

    /** Unplugs a volume's disk from the running instance; caller holds the instance's lock. */
    public void unplug(String region, String id, String volumeId, Duration wait)
            throws IOException, InterruptedException {
        dev.nube.engine.compute.qemu.QemuBlock.unplug(qmpOf(region, id), volumeId, wait);
        table.files(region, id).log("volume " + volumeId + " unplugged");
    }

    /** Grows a disk of the running instance to {@code bytes}; caller holds the instance's lock. */
    public void resizeDiskLive(String region, String id, Path file, long bytes) throws IOException {
        dev.nube.engine.compute.qemu.QemuBlock.resize(qmpOf(region, id), file, bytes);
    }

    /**
     * Copies a disk of the running instance, as it is now, into {@code target} (an empty qcow2 of its size); caller
     * holds the instance's lock.
     */
    public void backupDiskLive(String region, String id, Path file, Path target,
                               dev.nube.engine.compute.qemu.QemuBlock.JobProgress progress)
            throws IOException, InterruptedException {
        dev.nube.engine.compute.qemu.QemuBlock.backup(qmpOf(region, id), file, target, progress);
    }

    /** Whether the instance's running QEMU has the volume's disk plugged in. */
    public boolean hasDisk(String region, String id, String volumeId) {
        try {
            return dev.nube.engine.compute.qemu.QemuBlock.plugged(qmpOf(region, id), volumeId);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the engine holds the instance's running QEMU (its disks can be changed live). */
    public boolean hasLiveQemu(String region, String id) {
        RunningInstance live = table.live(region, id);
        return live != null && live.alive();
    }

    @Override
    public NetworkService network() {
        return network;
    }

    @Override
    public ConnectInfo connectInfo(String region, String id) {
        InstanceRecord record = table.record(region, id);
        InstanceState state = table.derive(region, record);
        RunningInstance live = table.live(region, id);
        if (state != InstanceState.RUNNING || live == null) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " is " + state.awsName()
                    + "; SSH works once it is running.");
        }
        Path keyFile = null;
        if (record.keyPairId() != null) {
            try {
                keyFile = keyPairs.privateKeyFile(region, record.keyPairId());
            } catch (EngineException e) {
                keyFile = null; // imported key, or the key pair was deleted: the user brings the key
            }
        }
        network.settle(); // a network coming up with the instance is up before its address is read
        java.util.Optional<InstanceNetwork.Endpoint> ssh = network.networkOf(region, id)
                .flatMap(InstanceNetwork::ssh);
        if (ssh.isEmpty()) {
            String why = id + "'s security groups let no SSH in: add an inbound rule for TCP port 22 from this"
                    + " machine (e.g. 127.0.0.0/8, or 0.0.0.0/0) to one of its groups, then connect again.";
            return new ConnectInfo(id, null, 0, record.sshUser(), keyFile, null, why);
        }
        String host = ssh.get().address();
        int port = ssh.get().port();
        String keyArgument = keyFile == null ? "" : "-i " + shellQuoted(keyFile.toString()) + " ";
        // The same known hosts as the console's own SSH terminal, under the same alias: one trust, shared.
        String command = "ssh " + keyArgument + "-p " + port + " -o HostKeyAlias=" + id
                // ssh splits this option's value at spaces (it takes a list of files) unless it is in double quotes.
                + " -o StrictHostKeyChecking=accept-new -o " + shellQuoted("UserKnownHostsFile=\""
                        + knownHosts.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                + " " + record.sshUser() + "@" + host;
        String problem = null;
        if (keyFile == null) {
            problem = record.keyName() == null
                    ? id + " was launched without a key pair: SSH logins need one. Use the serial console instead."
                    : "Nube holds no private key for '" + record.keyName() + "' (it was imported). Log in from a"
                    + " terminal with your own key: " + command;
        }
        return new ConnectInfo(id, host, port, record.sshUser(), keyFile, command, problem);
    }

    @Override
    public TerminalChannel openSshTerminal(String region, String id, int columns, int rows) {
        ConnectInfo info = connectInfo(region, id);
        if (info.host() == null) {
            throw new EngineException("Connect.PortClosed", info.loginProblem());
        }
        if (info.loginProblem() != null) {
            throw new EngineException("Connect.NoKey", info.loginProblem());
        }
        return SshTerminal.open(info.host(), info.port(), info.user(), info.privateKeyFile(), id, knownHosts, columns,
                rows);
    }

    @Override
    public TerminalChannel openSerialConsole(String region, String id) {
        return SerialTerminal.open(serialConsoleSocket(region, id));
    }

    private static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public Path serialConsoleSocket(String region, String id) {
        InstanceRecord record = table.record(region, id);
        InstanceState state = table.derive(region, record);
        if (!state.hasProcess() || table.live(region, id) == null) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " is " + state.awsName()
                    + "; its serial console is there while it runs.");
        }
        return table.files(region, id).serialSocket();
    }

    @Override
    public ComputeSummary summary(String region) {
        Map<InstanceState, Integer> counts = new EnumMap<>(InstanceState.class);
        for (InstanceState state : InstanceState.values()) {
            counts.put(state, 0);
        }
        list(region).items().forEach(i -> counts.merge(i.state(), 1, Integer::sum));
        return new ComputeSummary(counts, images.list(region).items().size(), keyPairs.list(region).items().size(),
                securityGroups.list(region).items().size());
    }

    @Override
    public HostUsage hostUsage() {
        return capacity.usage();
    }

    @Override
    public List<String> usersOf(String region, String groupId) {
        return users(region, r -> r.securityGroupIds().contains(groupId));
    }

    /** Instances (not terminated) launched from {@code imageId}, in words. */
    public List<String> usersOfImage(String region, String imageId) {
        return users(region, r -> r.imageId().equals(imageId));
    }

    private List<String> users(String region, java.util.function.Predicate<InstanceRecord> uses) {
        List<String> users = new ArrayList<>();
        for (InstanceRecord r : table.collection(region).list().items()) {
            if (uses.test(r) && !(r.intent() == Intent.TERMINATED && r.operation() == Operation.NONE)) {
                users.add(r.id() + (r.name().isEmpty() ? "" : " (" + r.name() + ")"));
            }
        }
        return users;
    }

    /** Reconciles every instance of the region; one that cannot be reconciled gets a problem, the rest go on. */
    @Override
    public void regionOpened(Region region) {
        for (InstanceRecord record : table.collection(region.name()).list().items()) {
            try {
                table.withLock(region.name(), record.id(), () -> {
                    reconciler.reconcile(region.name(), record.id());
                    return null;
                });
            } catch (RuntimeException e) {
                table.recordProblem(region.name(), record.id(), "At engine start: " + e.getMessage());
            }
        }
        // Before the first launch where it costs little: whether KVM runs the kernel of an image already here.
        images.list(region.name()).items().stream().filter(i -> !i.bootsFromDisk()).findFirst()
                .ifPresent(image -> accelerators.checkInBackground(
                new Accelerators.GuestKernelFile(images.folder(region.name(), image.id())
                        .resolve(TinyImageBuilder.KERNEL), image.kernelRelease())));
    }

    @Override
    public List<String> contentsOf(Region region) {
        long live = table.collection(region.name()).list().items().stream()
                .filter(r -> !(r.intent() == Intent.TERMINATED && r.operation() == Operation.NONE)).count();
        return live == 0 ? List.of() : List.of(live + (live == 1 ? " instance" : " instances"));
    }

    @Override
    public void regionRemoved(Region region) {
        // Only terminated instances remain (contentsOf counts the others): their documents go with the region.
        table.collection(region.name()).ids().forEach(id -> table.collection(region.name()).delete(id));
    }

    /**
     * Lets go of every running instance without stopping it: they run on and are re-attached at the next start.
     * Launches under way finish first (a few seconds); queued ones are left pending, for the next start to roll back.
     */
    @Override
    public void close() {
        launches.close();
        templates.close();
        table.close();
    }
}
