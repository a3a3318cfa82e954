package dev.nube.engine.compute.storage;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.AttachedVolumes;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.Instances;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.tasks.Tasks;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Volumes stored per region in {@code volumes/<id>/}: {@code resource.json} beside {@code disk.qcow2}. An instance's
 * root volume is not stored here: it is its instance's root disk, listed under the id {@code vol-} + the instance's
 * hex digits, for as long as the instance is not terminated.
 *
 * <p>Locks: what touches an instance's disks runs under the instance's lock, taken before the volume's own lock
 * (never the other way round), so attaching, detaching, snapshots, starts and terminations of one instance are
 * serialised. A change that involves a running QEMU is written before it is made ({@code ATTACHING},
 * {@code DETACHING}) and settled afterwards; one cut short by a crash is settled at the next start by asking QEMU.
 * A volume being made from a snapshot is {@code CREATING} with a partial file; at the next start such a volume is
 * removed, as is a folder without a document (a delete cut short).
 */
public final class Volumes implements VolumeService, AttachedVolumes, RegionScoped {
    private static final System.Logger LOG = System.getLogger(Volumes.class.getName());
    static final String DISK = "disk.qcow2";
    static final String PARTIAL = ".partial.qcow2";
    static final String ROOT_DEVICE = "/dev/xvda";
    /** Data volumes per instance at most (each is a PCI device of the guest's one bus). */
    static final int MAX_ATTACHED = 16;
    static final Duration UNPLUG_WAIT = Duration.ofSeconds(30);
    private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("/dev/(sd|xvd)[b-z]");

    /** The stored document of a data volume. */
    record VolumeRecord(String id, String name, int sizeGiB, Instant createdAt, String snapshotId,
                        Attachment attachment, boolean creating) {
        VolumeRecord with(Attachment newAttachment) {
            return new VolumeRecord(id, name, sizeGiB, createdAt, snapshotId, newAttachment, creating);
        }

        VolumeRecord withSize(int gib) {
            return new VolumeRecord(id, name, gib, createdAt, snapshotId, attachment, creating);
        }

        VolumeRecord withName(String newName) {
            return new VolumeRecord(id, newName, sizeGiB, createdAt, snapshotId, attachment, creating);
        }

        VolumeRecord created() {
            return new VolumeRecord(id, name, sizeGiB, createdAt, snapshotId, attachment, false);
        }
    }

    /** Where a data volume is attached, as stored. */
    record Attachment(String instanceId, String device, Instant attachedAt, boolean deleteOnTermination,
                      VolumeAttachment.State state) {
        Attachment in(VolumeAttachment.State newState) {
            return new Attachment(instanceId, device, attachedAt, deleteOnTermination, newState);
        }
    }

    private final RegionService regions;
    private final ResourceEvents changes;
    private final Instances instances;
    private final Tasks tasks;
    private volatile Snapshots snapshots;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Tasks that make volumes from snapshots, by region/volume id. */
    private final Map<String, String> creatingTasks = new ConcurrentHashMap<>();

    public Volumes(RegionService regions, EventBus events, Instances instances, Tasks tasks) {
        this.regions = regions;
        this.changes = new ResourceEvents(events, ResourceKind.VOLUME);
        this.instances = instances;
        this.tasks = tasks;
    }

    void setSnapshots(Snapshots snapshots) {
        this.snapshots = snapshots;
    }

    ResourceCollection<VolumeRecord> collection(String region) {
        return new ResourceCollection<>(ResourceKind.VOLUME, regions.get(region).root(), VolumeRecord.class);
    }

    Path diskOf(String region, String volumeId) {
        return collection(region).folderOf(volumeId).resolve(DISK);
    }

    /** The id under which an instance's root volume is listed. */
    public static String rootVolumeId(String instanceId) {
        return Volume.rootVolumeIdOf(instanceId);
    }

    /**
     * Hears the engine's events: a change of an instance is a change of its root volume (created with it, grown,
     * renamed, gone when it is terminated), published as such for those who list volumes.
     */
    public void onEvent(dev.nube.engine.store.EngineEvent event) {
        if (event instanceof ResourceChanged c && c.kind() == ResourceKind.INSTANCE) {
            changes.publish(c.region(), rootVolumeId(c.id()), c.change());
        }
    }

    private static String instanceOfRoot(String volumeId) {
        return "i-" + volumeId.substring(volumeId.indexOf('-') + 1);
    }

    // ---- reading

    @Override
    public Listing<Volume> list(String region) {
        Listing<VolumeRecord> stored = collection(region).list();
        List<Volume> volumes = new ArrayList<>();
        for (Instance instance : instances.list(region).items()) {
            if (instance.state() != InstanceState.TERMINATED) {
                volumes.add(rootVolume(region, instance));
            }
        }
        stored.items().forEach(r -> volumes.add(toVolume(region, r)));
        volumes.sort(Comparator.comparing(Volume::createdAt).thenComparing(Volume::id));
        return new Listing<>(volumes, stored.problems());
    }

    @Override
    public Volume get(String region, String id) {
        checkId(id);
        Optional<VolumeRecord> stored = collection(region).find(id);
        if (stored.isPresent()) {
            return toVolume(region, stored.get());
        }
        return rootOf(region, id).orElseThrow(() -> notFound(region, id));
    }

    private Optional<Volume> rootOf(String region, String volumeId) {
        String instanceId = instanceOfRoot(volumeId);
        try {
            Instance instance = instances.get(region, instanceId);
            return instance.state() == InstanceState.TERMINATED ? Optional.empty()
                    : Optional.of(rootVolume(region, instance));
        } catch (EngineException e) {
            if (e.code().startsWith("InvalidInstanceID")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Volume rootVolume(String region, Instance instance) {
        VolumeAttachment attachment = new VolumeAttachment(instance.id(), ROOT_DEVICE, instance.launchTime(), true,
                VolumeAttachment.State.ATTACHED);
        return new Volume(rootVolumeId(instance.id()), instance.name(), instance.rootVolumeGiB(), VolumeState.IN_USE,
                instance.launchTime(), null, attachment, true,
                DiskFiles.sizeOf(instances.rootDiskOf(region, instance.id())), null);
    }

    private Volume toVolume(String region, VolumeRecord r) {
        Path folder = collection(region).folderOf(r.id());
        VolumeAttachment attachment = r.attachment() == null ? null : new VolumeAttachment(
                r.attachment().instanceId(), r.attachment().device(), r.attachment().attachedAt(),
                r.attachment().deleteOnTermination(), r.attachment().state());
        VolumeState state = r.creating() ? VolumeState.CREATING
                : attachment != null ? VolumeState.IN_USE : VolumeState.AVAILABLE;
        String reason = null;
        if (r.creating()) {
            String task = creatingTasks.get(key(region, r.id()));
            reason = task == null ? "being made from " + r.snapshotId() : "being made from " + r.snapshotId()
                    + " (" + Math.round(Math.max(0, tasks.get(task).fraction()) * 100) + "%)";
        }
        long allocated = DiskFiles.sizeOf(folder.resolve(r.creating() ? PARTIAL : DISK));
        return new Volume(r.id(), r.name(), r.sizeGiB(), state, r.createdAt(), r.snapshotId(), attachment, false,
                allocated, reason);
    }

    private static void checkId(String id) {
        if (id == null || !Ids.isId(ResourceKind.VOLUME, id)) {
            throw new EngineException("InvalidVolumeID.Malformed", "'" + id + "' is not a volume id (vol- and 17 hex"
                    + " digits).");
        }
    }

    private static EngineException notFound(String region, String id) {
        return new EngineException("InvalidVolume.NotFound", "The volume '" + id + "' does not exist in region "
                + region + ".");
    }

    private VolumeRecord stored(String region, String id) {
        checkId(id);
        Optional<VolumeRecord> r = collection(region).find(id);
        if (r.isEmpty()) {
            if (rootOf(region, id).isPresent()) {
                throw new EngineException("OperationNotPermitted", id + " is the root volume of "
                        + instanceOfRoot(id) + ": it lives and goes with its instance.");
            }
            throw notFound(region, id);
        }
        return r.get();
    }

    @Override
    public long freeBytes(String region) {
        try {
            return Files.getFileStore(regions.get(region).root()).getUsableSpace();
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read the free space of region " + region + ": "
                    + e.getMessage(), e);
        }
    }

    /** Refuses {@code bytes} more when the region's disk has less free: what a full disk would do to guests. */
    void checkFreeSpace(String region, long bytes, String what) {
        long free = freeBytes(region);
        if (bytes > free) {
            throw new EngineException("InsufficientVolumeCapacity", what + " needs " + gibText(bytes) + " of free"
                    + " space on the disk of region " + region + " (" + regions.get(region).root() + "); it has "
                    + gibText(free) + " free.");
        }
    }

    /** A size in words: MiB below a GiB, else GiB. */
    static String sizeText(long bytes) {
        return bytes < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20)) : gibText(bytes);
    }

    static String gibText(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    // ---- changes

    @Override
    public Volume create(String region, int sizeGiB, String snapshotId, String name) {
        String cleanName = checkName(name);
        Snapshot snapshot = null;
        int size = sizeGiB;
        if (snapshotId != null && !snapshotId.isBlank()) {
            snapshot = snapshots.get(region, snapshotId);
            if (snapshot.state() != SnapshotState.COMPLETED) {
                throw new EngineException("IncorrectState", "Snapshot " + snapshot.id() + " is "
                        + snapshot.stateName() + "; a volume can be made from it once it is completed.");
            }
            snapshots.checkWhole(region, snapshot);
            if (size == 0) {
                size = snapshot.volumeSizeGiB();
            }
            if (size < snapshot.volumeSizeGiB()) {
                throw EngineException.invalid("A volume made from " + snapshot.id() + " is at least "
                        + snapshot.volumeSizeGiB() + " GiB (the size of the volume it was taken of), not " + size
                        + ".");
            }
        }
        if (size < 1 || size > MAX_SIZE_GIB) {
            throw EngineException.invalid("A volume is between 1 and " + MAX_SIZE_GIB + " GiB, not " + size + ".");
        }
        checkFreeSpace(region, DiskFiles.gib(size), "A " + size + " GiB volume");
        String id = newVolumeId(region);
        Path folder = collection(region).folderOf(id);
        VolumeRecord record = new VolumeRecord(id, cleanName, size, Instant.now(),
                snapshot == null ? null : snapshot.id(), null, snapshot != null);
        try {
            PrivateFiles.createDirectories(folder);
            if (snapshot == null) {
                DiskFiles.createEmpty(folder.resolve(DISK), DiskFiles.gib(size));
            }
            collection(region).put(id, record); // the document last: a folder without one is removed at start
        } catch (IOException | RuntimeException e) {
            removeQuietly(folder);
            throw new EngineException("StorageError", "Could not create the volume: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            removeQuietly(folder);
            throw new EngineException("StorageError", "The creation of the volume was interrupted.", e);
        }
        changes.publish(region, id, Change.CREATED);
        if (snapshot != null) {
            Snapshot source = snapshot;
            int finalSize = size;
            String task = tasks.start("Create volume " + id + " from " + source.id(), region, id, true,
                    progress -> fillFromSnapshot(region, id, source, finalSize, progress), () -> {
                        collection(region).delete(id);
                        creatingTasks.remove(key(region, id));
                        changes.publish(region, id, Change.DELETED);
                    }).id();
            creatingTasks.put(key(region, id), task);
        }
        return get(region, id);
    }

    private String fillFromSnapshot(String region, String id, Snapshot snapshot, int sizeGiB, Tasks.Progress progress)
            throws Exception {
        Path folder = collection(region).folderOf(id);
        Path partial = folder.resolve(PARTIAL);
        try {
            progress.report(0, "Copying " + snapshot.id() + " and checking its checksum");
            DiskFiles.copyVerified(snapshots.fileOf(region, snapshot.id()), partial, snapshot.checksum(),
                    f -> {
                        progress.report(f * 0.95, "Copying " + snapshot.id() + " and checking its checksum");
                        changes.progressed(region, id);
                    });
            progress.checkCancelled();
            if (DiskFiles.gib(sizeGiB) > DiskFiles.virtualSize(partial)) {
                progress.report(0.97, "Growing to " + sizeGiB + " GiB");
                DiskFiles.grow(partial, DiskFiles.gib(sizeGiB));
            }
            progress.checkCancelled();
            Tasks.uninterrupted(() -> { // the point after which the volume is whole: not cut in half by a cancel
                Files.move(partial, folder.resolve(DISK), StandardCopyOption.ATOMIC_MOVE);
                withVolumeLock(region, id, () -> {
                    collection(region).put(id, stored(region, id).created());
                    return null;
                });
                changes.publish(region, id, Change.UPDATED);
                return null;
            });
            return id + " is available (" + sizeGiB + " GiB, from " + snapshot.id() + ").";
        } catch (Exception e) {
            // Nothing half-made stays: the volume goes with its partial file.
            collection(region).delete(id);
            changes.publish(region, id, Change.DELETED);
            if (e instanceof IOException io) {
                throw new EngineException("VolumeCreateFailed", "The volume " + id + " was not made from "
                        + snapshot.id() + ": " + io.getMessage(), io);
            }
            throw e;
        } finally {
            creatingTasks.remove(key(region, id));
        }
    }



    private String newVolumeId(String region) {
        while (true) {
            String id = Ids.newId(ResourceKind.VOLUME);
            // Never the id of a root volume (vol- + an instance's digits), nor one in use.
            if (collection(region).find(id).isEmpty() && rootOf(region, id).isEmpty()
                    && !Files.exists(collection(region).folderOf(id))) {
                return id;
            }
        }
    }

    static String checkName(String name) {
        String n = name == null ? "" : name.strip();
        if (n.length() > 256) {
            throw EngineException.invalid("A name has at most 256 characters; this one has " + n.length() + ".");
        }
        if (n.chars().anyMatch(c -> c < 0x20)) {
            throw EngineException.invalid("A name cannot hold control characters.");
        }
        return n;
    }

    @Override
    public Volume attach(String region, String volumeId, String instanceId, String device) {
        VolumeRecord first = stored(region, volumeId);
        if (first.attachment() != null) {
            throw new EngineException("VolumeInUse", volumeId + " is already attached to "
                    + first.attachment().instanceId() + ".");
        }
        return instances.withInstanceLock(region, instanceId, () -> withVolumeLock(region, volumeId, () -> {
            VolumeRecord r = stored(region, volumeId);
            if (r.creating()) {
                throw new EngineException("IncorrectState", volumeId + " is still being created.");
            }
            if (r.attachment() != null) {
                throw new EngineException("VolumeInUse", volumeId + " is already attached to "
                        + r.attachment().instanceId() + ".");
            }
            InstanceState state = instances.stateOf(region, instanceId);
            boolean live = state == InstanceState.RUNNING && instances.hasLiveQemu(region, instanceId);
            if (!live && state != InstanceState.STOPPED) {
                throw new EngineException("IncorrectInstanceState", "Instance " + instanceId + " is "
                        + state.awsName() + "; volumes are attached to running or stopped instances.");
            }
            String chosen = chooseDevice(region, instanceId, device);
            Attachment attachment = new Attachment(instanceId, chosen, Instant.now(), false,
                    live ? VolumeAttachment.State.ATTACHING : VolumeAttachment.State.ATTACHED);
            collection(region).put(volumeId, r.with(attachment));
            changes.publish(region, volumeId, Change.UPDATED);
            if (live) {
                try {
                    instances.hotplug(region, instanceId, volumeId, diskOf(region, volumeId));
                } catch (IOException | RuntimeException e) {
                    collection(region).put(volumeId, r);
                    changes.publish(region, volumeId, Change.UPDATED);
                    throw new EngineException("VolumeAttachFailed", "Could not attach " + volumeId + " to "
                            + instanceId + ": " + e.getMessage(), e);
                }
                collection(region).put(volumeId, r.with(attachment.in(VolumeAttachment.State.ATTACHED)));
                changes.publish(region, volumeId, Change.UPDATED);
            }
            return get(region, volumeId);
        }));
    }

    private String chooseDevice(String region, String instanceId, String device) {
        List<VolumeRecord> attached = attachedRecords(region, instanceId);
        if (attached.size() >= MAX_ATTACHED) {
            throw new EngineException("AttachmentLimitExceeded", instanceId + " has " + attached.size()
                    + " volumes attached besides its root volume; " + MAX_ATTACHED + " is the most it can have.");
        }
        List<String> used = attached.stream().map(v -> letter(v.attachment().device())).toList();
        if (device == null || device.isBlank()) {
            for (char c = 'f'; c <= 'z'; c++) {
                if (!used.contains(String.valueOf(c))) {
                    return "/dev/sd" + c;
                }
            }
            throw new EngineException("AttachmentLimitExceeded", instanceId + " has no free device name.");
        }
        String d = device.strip();
        if (!DEVICE.matcher(d).matches()) {
            throw EngineException.invalid("'" + d + "' is not a device name Nube attaches volumes as: use /dev/sdf to"
                    + " /dev/sdp (or /dev/sdb to /dev/sdz, /dev/xvdb to /dev/xvdz).");
        }
        if (used.contains(letter(d))) {
            throw EngineException.invalid("Device " + d + " of " + instanceId + " is already in use.");
        }
        return d;
    }

    private static String letter(String device) {
        return device.substring(device.length() - 1);
    }

    @Override
    public Volume detach(String region, String volumeId) {
        VolumeRecord first = stored(region, volumeId);
        if (first.attachment() == null) {
            throw new EngineException("IncorrectState", volumeId + " is available: it is not attached.");
        }
        String instanceId = first.attachment().instanceId();
        Supplier<Volume> detach = () -> withVolumeLock(region, volumeId, () -> {
            VolumeRecord r = stored(region, volumeId);
            if (r.attachment() == null || !r.attachment().instanceId().equals(instanceId)) {
                throw new EngineException("IncorrectState", volumeId + " is no longer attached to " + instanceId
                        + ".");
            }
            boolean gone = instanceGone(region, instanceId);
            if (!gone && instances.hasLiveQemu(region, instanceId)) {
                collection(region).put(volumeId, r.with(r.attachment().in(VolumeAttachment.State.DETACHING)));
                changes.publish(region, volumeId, Change.UPDATED);
                try {
                    instances.unplug(region, instanceId, volumeId, UNPLUG_WAIT);
                } catch (IOException | RuntimeException e) {
                    if (!instances.hasDisk(region, instanceId, volumeId)) {
                        // Gone from the guest; QEMU keeps the file open until it ends (the log says so).
                        LOG.log(System.Logger.Level.WARNING, "detaching " + volumeId + ": " + e.getMessage());
                        collection(region).put(volumeId, r.with(null));
                        changes.publish(region, volumeId, Change.UPDATED);
                        return get(region, volumeId);
                    }
                    collection(region).put(volumeId, r);
                    changes.publish(region, volumeId, Change.UPDATED);
                    throw new EngineException("VolumeDetachFailed", "Could not detach " + volumeId + " from "
                            + instanceId + ": " + e.getMessage() + ". Unmount it in the guest and try again, or stop"
                            + " the instance first.", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    collection(region).put(volumeId, r);
                    changes.publish(region, volumeId, Change.UPDATED);
                    throw new EngineException("VolumeDetachFailed", "The detach of " + volumeId + " was interrupted.",
                            e);
                }
            } else if (!gone && instances.stateOf(region, instanceId).hasProcess()) {
                throw new EngineException("IncorrectInstanceState", "Instance " + instanceId + " is "
                        + instances.stateOf(region, instanceId).awsName() + "; detach " + volumeId
                        + " once it is running or stopped.");
            }
            collection(region).put(volumeId, r.with(null));
            changes.publish(region, volumeId, Change.UPDATED);
            return get(region, volumeId);
        });
        if (instanceGone(region, instanceId)) {
            return detach.get();
        }
        return instances.withInstanceLock(region, instanceId, detach);
    }

    private boolean instanceGone(String region, String instanceId) {
        try {
            return instances.stateOf(region, instanceId) == InstanceState.TERMINATED;
        } catch (EngineException e) {
            if (e.code().startsWith("InvalidInstanceID")) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public void delete(String region, String volumeId) {
        Optional<Volume> root = Ids.isId(ResourceKind.VOLUME, volumeId) && collection(region).find(volumeId).isEmpty()
                ? rootOf(region, volumeId) : Optional.empty();
        if (root.isPresent()) {
            throw new EngineException("VolumeInUse", volumeId + " is the root volume of " + instanceOfRoot(volumeId)
                    + "; it is deleted when the instance is terminated.");
        }
        withVolumeLock(region, volumeId, () -> {
            VolumeRecord r = stored(region, volumeId);
            if (r.attachment() != null) {
                throw new EngineException("VolumeInUse", volumeId + " is attached to " + r.attachment().instanceId()
                        + " as " + r.attachment().device() + "; detach it first.");
            }
            if (r.creating()) {
                throw new EngineException("IncorrectState", volumeId + " is still being created; cancel its task in"
                        + " the tasks panel instead.");
            }
            if (snapshots.busyWith(region, volumeId)) {
                throw new EngineException("IncorrectState", "A snapshot of " + volumeId + " is being taken; delete"
                        + " the volume once it is completed.");
            }
            collection(region).delete(volumeId);
            return null;
        });
        changes.publish(region, volumeId, Change.DELETED);
    }

    @Override
    public Volume resize(String region, String volumeId, int newSizeGiB) {
        Volume current = get(region, volumeId);
        if (newSizeGiB > MAX_SIZE_GIB) {
            throw EngineException.invalid("A volume is at most " + MAX_SIZE_GIB + " GiB, not " + newSizeGiB + ".");
        }
        if (newSizeGiB <= current.sizeGiB()) {
            throw EngineException.invalid(volumeId + " has " + current.sizeGiB() + " GiB; a volume only grows, so"
                    + " its new size must be larger (not " + newSizeGiB + ").");
        }
        checkFreeSpace(region, DiskFiles.gib(newSizeGiB - current.sizeGiB()), "Growing " + volumeId + " by "
                + (newSizeGiB - current.sizeGiB()) + " GiB");
        if (current.root()) {
            String instanceId = instanceOfRoot(volumeId);
            return instances.withInstanceLock(region, instanceId, () -> {
                Instance instance = instances.get(region, instanceId);
                if (instance.rootVolumeGiB() >= newSizeGiB) {
                    throw EngineException.invalid(volumeId + " has " + instance.rootVolumeGiB() + " GiB already.");
                }
                growDisk(region, instanceId, instances.rootDiskOf(region, instanceId), newSizeGiB);
                instances.setRootVolumeGiB(region, instanceId, newSizeGiB);
                changes.publish(region, volumeId, Change.UPDATED);
                return get(region, volumeId);
            });
        }
        Supplier<Volume> grow = () -> withVolumeLock(region, volumeId, () -> {
            VolumeRecord r = stored(region, volumeId);
            if (r.creating()) {
                throw new EngineException("IncorrectState", volumeId + " is still being created.");
            }
            if (newSizeGiB <= r.sizeGiB()) {
                throw EngineException.invalid(volumeId + " has " + r.sizeGiB() + " GiB already.");
            }
            String on = r.attachment() == null || instanceGone(region, r.attachment().instanceId()) ? null
                    : r.attachment().instanceId();
            growDisk(region, on, diskOf(region, volumeId), newSizeGiB);
            collection(region).put(volumeId, r.withSize(newSizeGiB));
            return get(region, volumeId);
        });
        Volume grown = current.attachment() == null || instanceGone(region, current.attachment().instanceId())
                ? grow.get() : instances.withInstanceLock(region, current.attachment().instanceId(), grow);
        changes.publish(region, volumeId, Change.UPDATED);
        return grown;
    }

    /** Grows a disk file: through its QEMU when {@code instanceId} runs it, else with qemu-img. */
    private void growDisk(String region, String instanceId, Path file, int newSizeGiB) {
        try {
            if (instanceId != null && instances.hasLiveQemu(region, instanceId)) {
                instances.resizeDiskLive(region, instanceId, file, DiskFiles.gib(newSizeGiB));
            } else if (instanceId != null && instances.stateOf(region, instanceId).hasProcess()) {
                throw new EngineException("IncorrectInstanceState", "Instance " + instanceId + " is "
                        + instances.stateOf(region, instanceId).awsName() + "; grow its volumes once it is running"
                        + " or stopped.");
            } else {
                DiskFiles.grow(file, DiskFiles.gib(newSizeGiB));
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not grow " + file.getFileName() + ": " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("StorageError", "Growing the volume was interrupted.", e);
        }
    }

    @Override
    public Volume rename(String region, String volumeId, String name) {
        String clean = checkName(name);
        withVolumeLock(region, volumeId, () -> {
            collection(region).put(volumeId, stored(region, volumeId).withName(clean));
            return null;
        });
        changes.publish(region, volumeId, Change.UPDATED);
        return get(region, volumeId);
    }

    // ---- what snapshots and images need

    /**
     * Runs {@code work} with the volume's file held still: under the lock of the instance it is attached to (if
     * any), then its own. {@code work} gets the file and the instance whose running QEMU writes it, or null when
     * none does (then nothing else can open the file until {@code work} returns).
     */
    <T> T withVolumeHeld(String region, String volumeId, HeldWork<T> work) throws Exception {
        Volume volume = get(region, volumeId);
        if (volume.state() == VolumeState.CREATING) {
            throw new EngineException("IncorrectState", volumeId + " is still being created.");
        }
        String instanceId = volume.attachment() == null || instanceGone(region, volume.attachment().instanceId())
                ? null : volume.attachment().instanceId();
        if (instanceId == null) {
            return heldAlone(region, volumeId, work);
        }
        Object[] result = new Object[1];
        Exception[] failure = new Exception[1];
        instances.withInstanceLock(region, instanceId, () -> {
            try {
                Volume now = get(region, volumeId);
                if (now.attachment() == null || !now.attachment().instanceId().equals(instanceId)) {
                    throw new EngineException("IncorrectState", volumeId + " was detached meanwhile; try again.");
                }
                InstanceState state = instances.stateOf(region, instanceId);
                boolean live = instances.hasLiveQemu(region, instanceId);
                if (!live && state.hasProcess()) {
                    throw new EngineException("IncorrectInstanceState", "Instance " + instanceId + " is "
                            + state.awsName() + "; snapshot its volumes once it is running or stopped.");
                }
                Path file = now.root() ? instances.rootDiskOf(region, instanceId) : diskOf(region, volumeId);
                result[0] = work.run(file, live ? instanceId : null);
            } catch (Exception e) {
                failure[0] = e;
            }
            return null;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    private <T> T heldAlone(String region, String volumeId, HeldWork<T> work) throws Exception {
        ReentrantLock lock = lockOf(region, volumeId);
        lock.lockInterruptibly();
        try {
            VolumeRecord r = stored(region, volumeId);
            if (r.attachment() != null && !instanceGone(region, r.attachment().instanceId())) {
                throw new EngineException("IncorrectState", volumeId + " was attached meanwhile; try again.");
            }
            return work.run(diskOf(region, volumeId), null);
        } finally {
            lock.unlock();
        }
    }

    /** Work on a volume's file: {@code liveInstance} is the instance whose QEMU has it open, or null. */
    interface HeldWork<T> {
        T run(Path file, String liveInstance) throws Exception;
    }

    // ---- AttachedVolumes

    @Override
    public List<QemuMachine.DataDisk> attachedTo(String region, String instanceId) {
        return attachedRecords(region, instanceId).stream()
                .filter(r -> r.attachment().state() != VolumeAttachment.State.DETACHING)
                .map(r -> new QemuMachine.DataDisk(r.id(), diskOf(region, r.id()))).toList();
    }

    private List<VolumeRecord> attachedRecords(String region, String instanceId) {
        return collection(region).list().items().stream()
                .filter(r -> r.attachment() != null && r.attachment().instanceId().equals(instanceId))
                .sorted(Comparator.comparing((VolumeRecord r) -> r.attachment().attachedAt()))
                .toList();
    }

    @Override
    public void instanceTerminated(String region, String instanceId) {
        for (VolumeRecord r : attachedRecords(region, instanceId)) {
            withVolumeLock(region, r.id(), () -> {
                VolumeRecord now = stored(region, r.id());
                if (now.attachment() != null && now.attachment().instanceId().equals(instanceId)) {
                    if (now.attachment().deleteOnTermination()) {
                        collection(region).delete(now.id());
                    } else {
                        collection(region).put(now.id(), now.with(null));
                    }
                }
                return null;
            });
            changes.publish(region, r.id(), r.attachment().deleteOnTermination() ? Change.DELETED : Change.UPDATED);
        }
    }

    // ---- region life

    @Override
    public void regionOpened(Region region) {
        ResourceCollection<VolumeRecord> volumes = collection(region.name());
        removeOrphans(volumes.dir());
        for (VolumeRecord r : volumes.list().items()) {
            try {
                settle(region.name(), r);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "settling volume " + r.id() + ": " + e.getMessage(), e);
            }
        }
    }

    /** What a crash left: a volume half made from a snapshot goes; an attach or detach cut short is settled. */
    private void settle(String region, VolumeRecord r) {
        if (r.creating()) {
            collection(region).delete(r.id());
            LOG.log(System.Logger.Level.INFO, "removed volume " + r.id() + ": its making was cut short");
            return;
        }
        Attachment a = r.attachment();
        if (a == null) {
            return;
        }
        if (instanceGone(region, a.instanceId())) {
            // The instance went while the engine was away (a termination cut short): as its termination would do.
            if (a.deleteOnTermination()) {
                collection(region).delete(r.id());
            } else {
                collection(region).put(r.id(), r.with(null));
            }
            return;
        }
        if (a.state() == VolumeAttachment.State.ATTACHED) {
            return;
        }
        boolean plugged = instances.hasLiveQemu(region, a.instanceId()) && instances.hasDisk(region, a.instanceId(),
                r.id());
        boolean stopped = !instances.stateOf(region, a.instanceId()).hasProcess();
        if (a.state() == VolumeAttachment.State.ATTACHING) {
            collection(region).put(r.id(), plugged || stopped ? r.with(a.in(VolumeAttachment.State.ATTACHED))
                    : r.with(null));
        } else {
            collection(region).put(r.id(), plugged ? r.with(a.in(VolumeAttachment.State.ATTACHED)) : r.with(null));
        }
    }

    /** Folders of this kind without a document (a delete or a creation cut short) and their files. */
    static void removeOrphans(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry) && !Files.exists(entry.resolve(ResourceCollection.DOCUMENT))) {
                    ResourceCollection.deleteTree(entry);
                    LOG.log(System.Logger.Level.INFO, "removed " + entry + ": it had no document");
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean " + dir, e);
        }
    }

    @Override
    public List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 0, "volume", "volumes");
    }

    // ---- helpers

    private static String key(String region, String id) {
        return region + "/" + id;
    }

    private ReentrantLock lockOf(String region, String id) {
        return locks.computeIfAbsent(key(region, id), k -> new ReentrantLock());
    }

    private <T> T withVolumeLock(String region, String id, Supplier<T> work) {
        ReentrantLock lock = lockOf(region, id);
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }


    private static void removeQuietly(Path folder) {
        try {
            ResourceCollection.deleteTree(folder);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + folder, e);
        }
    }
}
