package dev.nube.engine.compute;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.InstanceRecord.Intent;
import dev.nube.engine.compute.InstanceRecord.Operation;
import dev.nube.engine.compute.net.MetadataServer;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.engine.compute.qemu.Accelerators;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.compute.qemu.TinyImageBuilder;
import dev.nube.engine.compute.terminal.SerialTerminal;
import dev.nube.engine.compute.terminal.SshTerminal;
import dev.nube.engine.compute.terminal.TerminalChannel;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Instances stored per region in {@code instances/<id>/}, each run by a daemonized QEMU. The state is derived from
 * facts every time it is asked for ({@link InstanceLifecycle#derive}: the QEMU process, the guest's SSH banner; QMP's
 * view of a paused or silent QEMU shows as a problem); the document records only what the user asked for and the
 * operation under way. Each instance has a lock held for a whole operation (so operations on it are
 * serialised) and document updates are serialised on this object (short). See {@link InstanceService} for the rules.
 */
public final class Instances implements InstanceService, RegionScoped, SecurityGroupService.Usage, AutoCloseable {
    static final String USER_INITIATED = "Client.UserInitiatedShutdown: User initiated shutdown";
    /** How long a stop waits for the guest to power off before QEMU is killed. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);
    static final Duration REBOOT_GRACE = Duration.ofSeconds(60);
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(5);

    final RegionService regions;
    final EventBus events;
    final Images images;
    final KeyPairService keyPairs;
    final SecurityGroupService securityGroups;
    /** The instance types against this machine; tests may give it a smaller machine (set before any launch). */
    volatile InstanceTypes types = InstanceTypes.ofThisMachine();
    final Map<String, RunningInstance> running = new ConcurrentHashMap<>();
    /** For tests: runs once QEMU is attached, just before it joins {@link #running} (where a race used to hide). */
    volatile Consumer<RunningInstance> beforeRunning = live -> { };
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Object> publishLocks = new ConcurrentHashMap<>();
    private final Map<String, InstanceState> published = new ConcurrentHashMap<>();
    /** What went wrong with an instance at engine start, shown on it until the engine closes. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Work finishing in the background (a stop cut short): interrupted when the engine closes. */
    private final java.util.Set<Thread> background = ConcurrentHashMap.newKeySet();
    /** Held while memory is checked and reserved, so two launches or starts cannot both take the last of it. */
    private final Object capacityLock = new Object();
    /** Memory promised to launches and starts under way whose QEMU is not in {@link #running} yet. */
    private long reservedMiB;
    final Accelerators accelerators;
    private final Duration stopGrace;
    private final Path knownHosts;
    private final InstanceLifecycle lifecycle;
    private final InstanceReconciler reconciler;

    /**
     * {@code stopGrace} is how long a stop waits for the guest to power off before QEMU is killed. {@code knownHosts}
     * is the known_hosts file of the console's SSH terminal, which the offered ssh command uses too.
     * {@code accelerators} decides which accelerator each guest runs on (the caller closes it).
     */
    public Instances(RegionService regions, EventBus events, Images images, KeyPairService keyPairs,
                     SecurityGroupService securityGroups, Accelerators accelerators, Duration stopGrace,
                     Path knownHosts) {
        this.regions = regions;
        this.events = events;
        this.images = images;
        this.keyPairs = keyPairs;
        this.securityGroups = securityGroups;
        this.stopGrace = stopGrace;
        this.knownHosts = knownHosts;
        this.lifecycle = new InstanceLifecycle(this);
        this.reconciler = new InstanceReconciler(this, lifecycle, stopGrace);
        this.accelerators = accelerators;
    }

    ResourceCollection<InstanceRecord> collection(String region) {
        return new ResourceCollection<>(ResourceKind.INSTANCE, regions.get(region).root(), InstanceRecord.class);
    }

    static String key(String region, String id) {
        return region + "/" + id;
    }

    InstanceFiles files(String region, String id) {
        return InstanceFiles.of(collection(region).folderOf(id));
    }

    @Override
    public AcceleratorMode acceleratorMode() {
        return accelerators.mode();
    }

    @Override
    public void setAcceleratorMode(AcceleratorMode mode) {
        accelerators.setMode(mode);
    }

    InstanceRecord record(String region, String id) {
        if (id == null || !Ids.isId(ResourceKind.INSTANCE, id)) {
            throw new EngineException("InvalidInstanceID.Malformed", "'" + id + "' is not an instance id (i- and 17"
                    + " hex digits).");
        }
        return collection(region).find(id).orElseThrow(() -> new EngineException("InvalidInstanceID.NotFound",
                "The instance '" + id + "' does not exist in region " + region + "."));
    }

    /** Re-reads, changes and saves a document atomically with respect to other updates. */
    synchronized InstanceRecord update(String region, String id, UnaryOperator<InstanceRecord> change) {
        InstanceRecord updated = change.apply(record(region, id));
        collection(region).put(id, updated);
        return updated;
    }

    /**
     * Publishes the instance's state if it differs from the last one published. Reading the facts, remembering and
     * publishing happen under one short lock per instance (not the operation lock: watcher threads call this while an
     * operation waits for them), so an older state is never published after a newer one.
     */
    void publishState(String region, String id) {
        String key = key(region, id);
        synchronized (publishLocks.computeIfAbsent(key, k -> new Object())) {
            InstanceRecord record = record(region, id);
            InstanceState state = lifecycle.derive(region, record);
            InstanceState previous = published.put(key, state);
            if (previous != state) {
                events.publish(new InstanceStateChanged(region, id, previous, state, record.stateReason()));
                events.publish(new ResourceChanged(region, ResourceKind.INSTANCE, id, Change.UPDATED));
            }
        }
    }

    ReentrantLock lock(String region, String id) {
        ReentrantLock lock = locks.computeIfAbsent(key(region, id), k -> new ReentrantLock());
        lock.lock();
        return lock;
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
        return types.whyNotFits(type);
    }

    @Override
    public List<Instance> run(String region, RunRequest request) {
        LaunchPlan plan;
        synchronized (capacityLock) {
            plan = LaunchPlan.check(region, request, images, keyPairs, securityGroups, types, memoryInUseMiB());
            reservedMiB += (long) plan.type().memoryMiB() * plan.count();
        }
        List<Instance> launched = new ArrayList<>();
        try {
            for (int i = 0; i < plan.count(); i++) {
                launched.add(launchOne(region, plan));
                release(plan.type().memoryMiB()); // counted in the running instances from now on
            }
        } finally {
            release((long) plan.type().memoryMiB() * (plan.count() - launched.size()));
        }
        return launched;
    }

    /**
     * Reserves {@code memoryMiB} for starting an instance, or refuses with {@code InsufficientInstanceCapacity} as
     * RunInstances does. The caller {@link #release releases} it once the QEMU runs (or did not start).
     */
    void reserveToStart(String id, int memoryMiB) {
        synchronized (capacityLock) {
            long inUse = memoryInUseMiB();
            if (types.hostMemoryMiB() > 0 && inUse + memoryMiB > types.hostMemoryMiB()) {
                throw new EngineException("InsufficientInstanceCapacity", "Instance " + id + " needs " + memoryMiB
                        + " MiB of memory; running instances already have " + inUse + " MiB of this machine's "
                        + types.hostMemoryMiB() + " MiB.");
            }
            reservedMiB += memoryMiB;
        }
    }

    void release(long memoryMiB) {
        synchronized (capacityLock) {
            reservedMiB -= memoryMiB;
        }
    }

    private Instance launchOne(String region, LaunchPlan plan) {
        String id = Ids.newId(ResourceKind.INSTANCE);
        InstanceFiles files = files(region, id);
        ReentrantLock lock = lock(region, id);
        try {
            files.create();
            if (plan.userData() != null) {
                AtomicFiles.write(files.userData(), plan.userData(), PosixFilePermissions.fromString("rw-------"));
            }
            InstanceRecord record = new InstanceRecord(id, plan.name(), plan.image().id(), plan.type().name(),
                    plan.type().vcpus(), plan.type().memoryMiB(), plan.keyPair() == null ? null : plan.keyPair().id(),
                    plan.keyPair() == null ? null : plan.keyPair().name(),
                    plan.groups().stream().map(SecurityGroup::id).toList(), plan.rootVolumeGiB(),
                    plan.userData() != null, plan.image().sshUser(), Instant.now(), Intent.RUNNING,
                    Operation.LAUNCHING, null, null);
            collection(region).put(id, record);
            events.publish(new ResourceChanged(region, ResourceKind.INSTANCE, id, Change.CREATED));
            publishState(region, id);
            files.log("launch: " + plan.type().name() + ", image " + plan.image().id() + ", volume "
                    + plan.rootVolumeGiB() + " GiB, user data " + plan.describeUserData());
            Path base = images.folder(region, plan.image().id()).resolve(TinyImageBuilder.DISK);
            Commands.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
                    files.rootDisk().toString(), plan.rootVolumeGiB() + "G"), files.folder(), Duration.ofMinutes(1));
            lifecycle.launchProcess(region, id);
            update(region, id, r -> r.withOperation(Operation.NONE));
            publishState(region, id);
            return get(region, id);
        } catch (IOException | RuntimeException e) {
            String why = e instanceof EngineException ? e.getMessage() : String.valueOf(e.getMessage());
            lifecycle.rollBackLaunch(region, id, why);
            throw new EngineException("InstanceLaunchFailed", "Could not launch an instance: " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lifecycle.rollBackLaunch(region, id, "interrupted");
            throw new EngineException("InstanceLaunchFailed", "The launch was interrupted.", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Listing<Instance> list(String region) {
        Listing<InstanceRecord> records = collection(region).list();
        return new Listing<>(records.items().stream().map(r -> lifecycle.toInstance(region, r)).toList(),
                records.problems());
    }

    @Override
    public Instance get(String region, String id) {
        return lifecycle.toInstance(region, record(region, id));
    }

    @Override
    public Instance start(String region, String id) {
        return lifecycle.withLock(region, id, () -> lifecycle.start(region, id));
    }

    @Override
    public Instance stop(String region, String id) {
        return lifecycle.withLock(region, id, () -> lifecycle.stop(region, id, stopGrace));
    }

    @Override
    public Instance reboot(String region, String id) {
        return lifecycle.withLock(region, id, () -> lifecycle.reboot(region, id));
    }

    @Override
    public Instance terminate(String region, String id) {
        return lifecycle.withLock(region, id, () -> lifecycle.terminate(region, id));
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
        record(region, id);
        Path log = files(region, id).consoleLog();
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
        InstanceRecord record = record(region, id);
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
    public ConnectInfo connectInfo(String region, String id) {
        InstanceRecord record = record(region, id);
        InstanceState state = lifecycle.derive(region, record);
        RunningInstance live = running.get(key(region, id));
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
        String keyArgument = keyFile == null ? "" : "-i " + shellQuoted(keyFile.toString()) + " ";
        // The same known hosts as the console's own SSH terminal, under the same alias: one trust, shared.
        String command = "ssh " + keyArgument + "-p " + live.sshPort() + " -o HostKeyAlias=" + id
                // ssh splits this option's value at spaces (it takes a list of files) unless it is in double quotes.
                + " -o StrictHostKeyChecking=accept-new -o " + shellQuoted("UserKnownHostsFile=\""
                        + knownHosts.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                + " " + record.sshUser() + "@127.0.0.1";
        String problem = null;
        if (keyFile == null) {
            problem = record.keyName() == null
                    ? id + " was launched without a key pair: SSH logins need one. Use the serial console instead."
                    : "Nube holds no private key for '" + record.keyName() + "' (it was imported). Log in from a"
                    + " terminal with your own key: " + command;
        }
        return new ConnectInfo(id, "127.0.0.1", live.sshPort(), record.sshUser(), keyFile, command, problem);
    }

    @Override
    public TerminalChannel openSshTerminal(String region, String id, int columns, int rows) {
        ConnectInfo info = connectInfo(region, id);
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
        InstanceRecord record = record(region, id);
        InstanceState state = lifecycle.derive(region, record);
        if (!state.hasProcess() || running.get(key(region, id)) == null) {
            throw new EngineException("IncorrectInstanceState", "Instance " + id + " is " + state.awsName()
                    + "; its serial console is there while it runs.");
        }
        return files(region, id).serialSocket();
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
        double load = -1;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            load = os.getCpuLoad();
        }
        long total = InstanceTypes.meminfoMiB("MemTotal");
        long available = InstanceTypes.meminfoMiB("MemAvailable");
        int vcpus = 0;
        long memory = 0;
        for (Map.Entry<String, RunningInstance> entry : running.entrySet()) {
            String[] parts = entry.getKey().split("/", 2);
            try {
                InstanceRecord record = record(parts[0], parts[1]);
                vcpus += record.vcpus();
                memory += record.memoryMiB();
            } catch (EngineException e) {
                // the region or instance went away meanwhile
            }
        }
        return new HostUsage(types.hostCpus(), total, load, total < 0 || available < 0 ? -1 : total - available, vcpus,
                memory);
    }

    /** Memory of the running instances and of the launches and starts under way. */
    long memoryInUseMiB() {
        synchronized (capacityLock) {
            return hostUsage().instanceMemoryMiB() + reservedMiB;
        }
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
        for (InstanceRecord r : collection(region).list().items()) {
            if (uses.test(r) && !(r.intent() == Intent.TERMINATED && r.operation() == Operation.NONE)) {
                users.add(r.id() + (r.name().isEmpty() ? "" : " (" + r.name() + ")"));
            }
        }
        return users;
    }

    /** Reconciles every instance of the region; one that cannot be reconciled gets a problem, the rest go on. */
    @Override
    public void regionOpened(Region region) {
        for (InstanceRecord record : collection(region.name()).list().items()) {
            try {
                lifecycle.withLock(region.name(), record.id(), () -> {
                    reconciler.reconcile(region.name(), record.id());
                    return null;
                });
            } catch (RuntimeException e) {
                recordProblem(region.name(), record.id(), "At engine start: " + e.getMessage());
            }
        }
        // Before the first launch where it costs little: whether KVM runs the kernel of an image already here.
        images.list(region.name()).items().stream().findFirst().ifPresent(image -> accelerators.checkInBackground(
                new Accelerators.GuestKernelFile(images.folder(region.name(), image.id())
                        .resolve(TinyImageBuilder.KERNEL), image.kernelRelease())));
    }

    /** Records what went wrong with an instance outside any request, to show on it (and in the log). */
    void recordProblem(String region, String id, String problem) {
        System.getLogger(Instances.class.getName()).log(System.Logger.Level.WARNING, id + ": " + problem);
        problems.put(key(region, id), problem);
    }

    String problemOf(String region, String id) {
        return problems.get(key(region, id));
    }

    /** Runs {@code work} on a thread of its own under the instance's lock; a failure becomes the instance's problem. */
    void inBackground(String region, String id, String what, Runnable work) {
        Thread thread = new Thread(() -> {
            try {
                lifecycle.withLock(region, id, () -> {
                    work.run();
                    return null;
                });
            } catch (RuntimeException e) {
                recordProblem(region, id, what + ": " + e.getMessage());
            } finally {
                background.remove(Thread.currentThread());
            }
        }, what + " " + id);
        thread.setDaemon(true);
        background.add(thread);
        thread.start();
    }

    @Override
    public List<String> contentsOf(Region region) {
        long live = collection(region.name()).list().items().stream()
                .filter(r -> !(r.intent() == Intent.TERMINATED && r.operation() == Operation.NONE)).count();
        return live == 0 ? List.of() : List.of(live + (live == 1 ? " instance" : " instances"));
    }

    @Override
    public void regionRemoved(Region region) {
        // Only terminated instances remain (contentsOf counts the others): their documents go with the region.
        collection(region.name()).ids().forEach(id -> collection(region.name()).delete(id));
    }

    /** Lets go of every running instance without stopping it: they run on and are re-attached at the next start. */
    @Override
    public void close() {
        background.forEach(Thread::interrupt);
        running.values().forEach(RunningInstance::detach);
        running.clear();
    }
}
