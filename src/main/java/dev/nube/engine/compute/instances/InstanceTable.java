package dev.nube.engine.compute.instances;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.compute.network.NetworkService;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.vpc.VpcAddressing;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The instances as the engine holds them: their documents per region, the QEMUs it is attached to, a lock per
 * instance held for a whole operation (so operations on one instance are serialised), the state each was last
 * published in, and the problems found outside any request. The state is derived from facts every time it is asked
 * for ({@link InstanceState#derive}); the document records only what the user asked for and the operation under way.
 *
 * <p>Thread rules: document updates are serialised on this object (short); publishing holds a short lock per
 * instance (not the operation lock: watcher threads publish while an operation waits for them), so an older state is
 * never published after a newer one.
 */
final class InstanceTable {
    private static final System.Logger LOG = System.getLogger(InstanceTable.class.getName());

    private final RegionService regions;
    private final EventBus events;
    /** The QEMUs the engine holds, by {@link #key}. */
    final Map<String, RunningInstance> running = new ConcurrentHashMap<>();
    /** For tests: runs once QEMU is attached, just before it joins {@link #running} (where a race used to hide). */
    volatile Consumer<RunningInstance> beforeRunning = live -> { };
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Object> publishLocks = new ConcurrentHashMap<>();
    private final Map<String, InstanceState> published = new ConcurrentHashMap<>();
    /** What went wrong with an instance at engine start, shown on it until the engine closes. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Work finishing in the background (a stop cut short): interrupted when the engine closes. */
    private final Set<Thread> background = ConcurrentHashMap.newKeySet();

    private final NetworkService network;

    InstanceTable(RegionService regions, EventBus events, NetworkService network) {
        this.regions = regions;
        this.events = events;
        this.network = network;
    }

    static String key(String region, String id) {
        return region + "/" + id;
    }

    ResourceCollection<InstanceRecord> collection(String region) {
        return new ResourceCollection<>(ResourceKind.INSTANCE, regions.get(region).root(), InstanceRecord.class);
    }

    InstanceFiles files(String region, String id) {
        return InstanceFiles.of(collection(region).folderOf(id));
    }

    InstanceRecord record(String region, String id) {
        if (id == null || !Ids.isId(ResourceKind.INSTANCE, id)) {
            throw new EngineException("InvalidInstanceID.Malformed", "'" + id + "' is not an instance id (i- and 17"
                    + " hex digits).");
        }
        return collection(region).find(id).orElseThrow(() -> new EngineException("InvalidInstanceID.NotFound",
                "The instance '" + id + "' does not exist in region " + region + "."));
    }

    /** Writes a new instance's first document, made with the lowest free private address, and says it exists. */
    void createWithAddress(String region, Function<String, InstanceRecord> withAddress) {
        InstanceRecord record;
        synchronized (this) { // one address chosen at a time, and written before the next is chosen
            record = withAddress.apply(freePrivateAddress(region));
            collection(region).put(record.id(), record);
        }
        events.publish(new ResourceChanged(region, ResourceKind.INSTANCE, record.id(), Change.CREATED));
    }

    /** Gives an instance stored without a private address (an older document) one; returns its document. */
    InstanceRecord ensureAddress(String region, String id) {
        synchronized (this) {
            InstanceRecord r = record(region, id);
            if (r.privateIp() != null && r.macAddress() != null) {
                return r;
            }
            return update(region, id, x -> x.withNetwork(x.privateIp() != null ? x.privateIp()
                    : freePrivateAddress(region), x.macAddress() != null ? x.macAddress() : macAddressOf(id)));
        }
    }

    /** The lowest address of the region's subnet no instance holds. Caller holds this object's monitor. */
    private String freePrivateAddress(String region) {
        Set<java.net.InetAddress> taken = new java.util.HashSet<>();
        for (InstanceRecord r : collection(region).list().items()) {
            if (r.privateIp() != null && r.holdsAddress()) {
                taken.add(AddressPool.parseAddress(r.privateIp()));
            }
        }
        return VpcAddressing.DEFAULT.lowestFree(taken).map(java.net.InetAddress::getHostAddress).orElseThrow(() -> new EngineException(
                "InsufficientFreeAddressesInSubnet", "The private network of region " + region + " has no free"
                + " address left: terminate an instance first."));
    }

    /** The instance's MAC on the private network: locally administered, unicast, fixed by its id. */
    static String macAddressOf(String instanceId) {
        byte[] hash;
        try {
            hash = java.security.MessageDigest.getInstance("SHA-256").digest(
                    instanceId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder mac = new StringBuilder("02");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(String.format("%02x", hash[i] & 0xff));
        }
        return mac.toString();
    }

    /** Re-reads, changes and saves a document atomically with respect to other updates. */
    synchronized InstanceRecord update(String region, String id, UnaryOperator<InstanceRecord> change) {
        InstanceRecord updated = change.apply(record(region, id));
        collection(region).put(id, updated);
        return updated;
    }

    /** Publishes the instance's state if it differs from the last one published (see the class comment). */
    void publishState(String region, String id) {
        String key = key(region, id);
        synchronized (publishLocks.computeIfAbsent(key, k -> new Object())) {
            InstanceRecord record = record(region, id);
            InstanceState state = derive(region, record);
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

    /** Runs {@code operation} under the instance's lock; not found and malformed ids fail before any wait. */
    <T> T withLock(String region, String id, Supplier<T> operation) {
        record(region, id);
        ReentrantLock lock = lock(region, id);
        try {
            return operation.get();
        } finally {
            lock.unlock();
        }
    }

    /** The QEMU the engine holds for the instance, or null. */
    RunningInstance live(String region, String id) {
        return running.get(key(region, id));
    }

    Optional<ProcessHandle> findProcess(String region, String id) {
        return QemuMachine.find(files(region, id).pidFile(), id);
    }

    /**
     * The state, from the document and the facts: QEMU attached or alive, the SSH banner seen, QMP's word that the
     * machine halted. Cheap (no round trip): QMP is watched in the background by {@link RunningInstance}.
     */
    InstanceState derive(String region, InstanceRecord r) {
        return InstanceState.derive(r.intent(), r.operation(), facts(region, r));
    }

    /** What is known of the instance's QEMU now; a terminated instance's process is not looked for (most are). */
    private InstanceState.Facts facts(String region, InstanceRecord r) {
        if (r.intent() == InstanceRecord.Intent.TERMINATED && r.operation() == InstanceRecord.Operation.NONE) {
            return new InstanceState.Facts(false, false, false, false);
        }
        RunningInstance live = live(region, r.id());
        boolean processAlive = live != null || findProcess(region, r.id()).isPresent();
        return new InstanceState.Facts(live != null, processAlive, live != null && live.sshReady(),
                live != null && live.halted());
    }

    Instance get(String region, String id) {
        return toInstance(region, record(region, id));
    }

    /** The instance as the service shows it, with what is wrong with it (QMP's view, an attach that failed). */
    Instance toInstance(String region, InstanceRecord r) {
        RunningInstance live = live(region, r.id());
        InstanceState.Facts facts = facts(region, r);
        InstanceState state = InstanceState.derive(r.intent(), r.operation(), facts);
        List<String> found = new ArrayList<>();
        // Unattached while a launch or start has not reached its QEMU yet is expected; otherwise it is a problem.
        if (!facts.attached() && facts.processAlive() && r.operation() == InstanceRecord.Operation.NONE
                && state != InstanceState.SHUTTING_DOWN && state != InstanceState.STOPPING) {
            found.add("QEMU runs but the engine could not attach to it (see instance.log)");
        }
        String qmpProblem = live == null ? null : live.qmpProblem();
        if (qmpProblem != null && live.alive()) {
            found.add(qmpProblem);
        }
        String problem = problems.get(key(region, r.id()));
        if (problem != null) {
            found.add(problem);
        }
        boolean up = live != null && live.alive();
        return new Instance(r.id(), r.name(), state, r.stateReason(), r.instanceType(), r.vcpus(), r.memoryMiB(),
                r.imageId(), r.keyPairId(), r.keyName(), r.securityGroupIds(), r.rootVolumeGiB(), r.hasUserData(),
                r.launchTime(), r.privateIp(), up ? network.publicIpOf(region, r.id()).orElse(null) : null,
                up ? live.sshPort() : 0, up ? live.pid() : 0, found, r.reservationId(),
                r.tokensRequired() ? InstanceRecord.HTTP_TOKENS_REQUIRED : InstanceRecord.HTTP_TOKENS_OPTIONAL);
    }

    /** Records what went wrong with an instance outside any request, to show on it (and in the log). */
    void recordProblem(String region, String id, String problem) {
        LOG.log(System.Logger.Level.WARNING, id + ": " + problem);
        problems.put(key(region, id), problem);
        changed(region, id);
    }

    /** Says the instance changed in a way its state does not show (a problem, QMP's view): lists read it again. */
    void changed(String region, String id) {
        events.publish(new ResourceChanged(region, ResourceKind.INSTANCE, id, Change.UPDATED));
    }

    /** Runs {@code work} on a thread of its own under the instance's lock; a failure becomes the instance's problem. */
    void inBackground(String region, String id, String what, Runnable work) {
        Thread thread = new Thread(() -> {
            try {
                withLock(region, id, () -> {
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

    /** Stops the background work and lets go of every QEMU without stopping it (they run on). */
    void close() {
        background.forEach(Thread::interrupt);
        running.values().forEach(RunningInstance::detach);
        running.clear();
    }
}
