package dev.nube.engine.compute.storage;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.Instances;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshots stored per region in {@code snapshots/<id>/}: {@code resource.json} beside {@code snapshot.qcow2}, a
 * standalone compressed qcow2 whose checksum the document holds. A snapshot is written {@code pending} before its
 * task begins and its file is made as {@code .partial.qcow2}; only a whole, summed file is renamed into place and
 * the document completed. A task that fails or is cancelled removes the snapshot; one cut short by a crash is
 * removed at the next start, with any folder that has no document. Thread-safe.
 */
public final class Snapshots implements SnapshotService, RegionScoped {
    private static final System.Logger LOG = System.getLogger(Snapshots.class.getName());
    static final String FILE = "snapshot.qcow2";
    static final String PARTIAL = ".partial.qcow2";
    private static final int MAX_DESCRIPTION = 255;

    private final RegionService regions;
    private final ResourceEvents changes;
    private final Volumes volumes;
    private final Instances instances;
    private final Tasks tasks;
    /** The task making or copying each pending snapshot, by region/id. */
    private final Map<String, String> pendingTasks = new ConcurrentHashMap<>();
    /** Volumes a snapshot is being taken of, by region/volume id (they cannot be deleted meanwhile). */
    private final Map<String, Integer> busyVolumes = new ConcurrentHashMap<>();

    public Snapshots(RegionService regions, EventBus events, Volumes volumes, Instances instances, Tasks tasks) {
        this.regions = regions;
        this.changes = new ResourceEvents(events, ResourceKind.SNAPSHOT);
        this.volumes = volumes;
        this.instances = instances;
        this.tasks = tasks;
        volumes.setSnapshots(this);
    }

    ResourceCollection<Snapshot> collection(String region) {
        return new ResourceCollection<>(ResourceKind.SNAPSHOT, regions.get(region).root(), Snapshot.class);
    }

    /** The file of a completed snapshot. */
    public Path fileOf(String region, String snapshotId) {
        return collection(region).folderOf(snapshotId).resolve(FILE);
    }

    @Override
    public Listing<Snapshot> list(String region) {
        Listing<Snapshot> stored = collection(region).list();
        List<Snapshot> items = new ArrayList<>(stored.items().stream().map(s -> withProgress(region, s)).toList());
        items.sort(Comparator.comparing(Snapshot::startTime).thenComparing(Snapshot::id));
        return new Listing<>(items, stored.problems());
    }

    @Override
    public Snapshot get(String region, String id) {
        if (id == null || !Ids.isId(ResourceKind.SNAPSHOT, id)) {
            throw new EngineException("InvalidSnapshotID.Malformed", "'" + id + "' is not a snapshot id (snap- and 17"
                    + " hex digits).");
        }
        return collection(region).find(id).map(s -> withProgress(region, s)).orElseThrow(() -> new EngineException(
                "InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist in region " + region + "."));
    }

    private Snapshot withProgress(String region, Snapshot s) {
        if (s.state() != SnapshotState.PENDING) {
            return s;
        }
        String task = pendingTasks.get(key(region, s.id()));
        int progress = 0;
        if (task != null) {
            try {
                progress = (int) Math.floor(Math.max(0, tasks.get(task).fraction()) * 100);
            } catch (EngineException e) {
                progress = 0;
            }
        }
        long stored = DiskFiles.sizeOf(collection(region).folderOf(s.id()).resolve(PARTIAL));
        return new Snapshot(s.id(), s.volumeId(), s.volumeSizeGiB(), s.description(), s.state(),
                Math.min(99, progress), s.startTime(), stored, null, s.copiedFrom(), s.imageId());
    }

    @Override
    public String taskOf(String region, String snapshotId) {
        String task = pendingTasks.get(key(region, snapshotId));
        try {
            return task == null || tasks.get(task).status().finished() ? null : task;
        } catch (EngineException e) {
            return null;
        }
    }

    boolean busyWith(String region, String volumeId) {
        return busyVolumes.containsKey(key(region, volumeId));
    }

    /**
     * Refuses a snapshot whose file is not what was recorded (gone, or of another size) at once; its checksum is
     * checked again, byte for byte, by every use that reads it.
     */
    void checkWhole(String region, Snapshot s) {
        Path file = fileOf(region, s.id());
        long size = DiskFiles.sizeOf(file);
        if (!Files.isRegularFile(file) || size != s.storedBytes()) {
            throw new EngineException("InvalidSnapshot.Damaged", "Snapshot " + s.id() + " is damaged: its file "
                    + file + (Files.isRegularFile(file) ? " has " + size + " bytes, not " + s.storedBytes() : " is gone")
                    + ". It cannot be used; delete it.");
        }
    }

    @Override
    public Snapshot create(String region, String volumeId, String description) {
        String text = checkDescription(description);
        Volume volume = checkSnapshotable(region, volumeId);
        Snapshot pending = registerPending(region, volume, text, null, null);
        start(region, pending.id(), "Snapshot " + volumeId + (volume.root() ? " (root of "
                + volume.attachment().instanceId() + ")" : ""), progress -> takeInto(region, pending, progress));
        return get(region, pending.id());
    }

    /** The volume, if a snapshot of it can be taken now (refused while it is being made, or with too little space). */
    Volume checkSnapshotable(String region, String volumeId) {
        Volume volume = volumes.get(region, volumeId);
        if (volume.state() == VolumeState.CREATING) {
            throw new EngineException("IncorrectState", volumeId + " is still being created.");
        }
        volumes.checkFreeSpace(region, Math.min(DiskFiles.gib(volume.sizeGiB()), volume.allocatedBytes()),
                "A snapshot of " + volumeId);
        return volume;
    }

    /** Writes a pending snapshot of {@code volume} (listed from now on); its maker completes or removes it. */
    Snapshot registerPending(String region, Volume volume, String description, String copiedFrom, String imageId) {
        Snapshot pending = new Snapshot(Ids.newId(ResourceKind.SNAPSHOT), volume.id(), volume.sizeGiB(), description,
                SnapshotState.PENDING, 0, Instant.now(), 0, null, copiedFrom, imageId);
        register(region, pending);
        return pending;
    }

    /**
     * Takes the pending snapshot: copies its volume as it is now into the partial file (QEMU's backup job while a
     * guest runs it, else qemu-img), sums it and completes it. The caller removes the snapshot when this throws.
     */
    String takeInto(String region, Snapshot pending, Tasks.Progress progress) throws Exception {
        Path folder = collection(region).folderOf(pending.id());
        Path partial = folder.resolve(PARTIAL);
        busyVolumes.merge(key(region, pending.volumeId()), 1, Integer::sum);
        try {
            progress.report(0, "Waiting for " + pending.volumeId() + " to be free");
            volumes.withVolumeHeld(region, pending.volumeId(), (file, liveInstance) -> {
                if (liveInstance != null) {
                    progress.report(0, "Copying the running disk (QEMU backup job)");
                    DiskFiles.createEmpty(partial, DiskFiles.virtualSize(file));
                    instances.backupDiskLive(region, liveInstance, file, partial, (done, total) -> {
                        progress.report(total == 0 ? 0 : 0.9 * done / total,
                                "Copying the running disk (QEMU backup job)");
                        changes.progressed(region, pending.id());
                        progress.checkCancelled();
                    });
                } else {
                    progress.report(0, "Compressing the disk");
                    DiskFiles.compressedCopy(file, partial, f -> {
                        progress.report(0.9 * f, "Compressing the disk");
                        changes.progressed(region, pending.id());
                    });
                }
                return null;
            });
        } finally {
            busyVolumes.computeIfPresent(key(region, pending.volumeId()), (k, n) -> n == 1 ? null : n - 1);
        }
        progress.checkCancelled();
        return complete(region, pending, progress, "Snapshot of " + pending.volumeId());
    }

    /** Sums the partial file, moves it into place and completes the document. */
    private String complete(String region, Snapshot pending, Tasks.Progress progress, String what) throws Exception {
        Path folder = collection(region).folderOf(pending.id());
        Path partial = folder.resolve(PARTIAL);
        progress.report(0.9, "Computing the checksum");
        String sha = DiskFiles.checksum(partial, f -> {
            progress.report(0.9 + 0.1 * f, "Computing the checksum");
            changes.progressed(region, pending.id());
        });
        progress.checkCancelled();
        return finish(region, pending, sha, what);
    }

    /**
     * Moves the summed file into place and completes the document: the point after which the snapshot is whole. It
     * runs to its end even when a cancel arrives meanwhile (an interrupt would make the file system calls fail half
     * way, a completed document then taken for a failed one).
     */
    private String finish(String region, Snapshot pending, String sha, String what) throws Exception {
        return Tasks.uninterrupted(() -> {
            Path folder = collection(region).folderOf(pending.id());
            Files.move(folder.resolve(PARTIAL), folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.forceDirectory(folder);
            long size = Files.size(folder.resolve(FILE));
            Snapshot done = new Snapshot(pending.id(), pending.volumeId(), pending.volumeSizeGiB(),
                    pending.description(), SnapshotState.COMPLETED, 100, pending.startTime(), size, sha,
                    pending.copiedFrom(), pending.imageId());
            collection(region).put(pending.id(), done);
            changes.publish(region, pending.id(), Change.UPDATED);
            return what + " completed: " + pending.id() + " (" + Volumes.sizeText(size) + " stored).";
        });
    }

    @Override
    public void delete(String region, String snapshotId) {
        Snapshot s = get(region, snapshotId);
        if (s.state() == SnapshotState.PENDING) {
            throw new EngineException("IncorrectState", snapshotId + " is pending; cancel its task in the tasks panel"
                    + " to stop it.");
        }
        if (s.imageId() != null && imageExists(region, s.imageId())) {
            throw new EngineException("InvalidSnapshot.InUse", "Snapshot " + snapshotId + " is the disk of image "
                    + s.imageId() + "; deregister the image first.");
        }
        synchronized (this) {
            collection(region).delete(snapshotId);
        }
        changes.publish(region, snapshotId, Change.DELETED);
    }

    private boolean imageExists(String region, String imageId) {
        return Files.isDirectory(regions.get(region).root().resolve(ResourceKind.IMAGE.folder()).resolve(imageId));
    }

    @Override
    public Snapshot copy(String sourceRegion, String snapshotId, String destinationRegion, String description) {
        Snapshot source = checkCopyable(sourceRegion, snapshotId, destinationRegion);
        String text = description == null || description.isBlank()
                ? "[Copied " + snapshotId + " from " + sourceRegion + "] " + source.description()
                : checkDescription(description);
        text = text.length() > MAX_DESCRIPTION ? text.substring(0, MAX_DESCRIPTION) : text.strip();
        Snapshot pending = registerCopy(sourceRegion, source, destinationRegion, text, null);
        start(destinationRegion, pending.id(), "Copy " + snapshotId + " from " + sourceRegion + " to "
                + destinationRegion, progress -> copyInto(sourceRegion, source, destinationRegion, pending, progress));
        return get(destinationRegion, pending.id());
    }

    /** The snapshot, if it can be copied to {@code destinationRegion} now. */
    Snapshot checkCopyable(String sourceRegion, String snapshotId, String destinationRegion) {
        Snapshot source = get(sourceRegion, snapshotId);
        regions.get(destinationRegion);
        if (source.state() != SnapshotState.COMPLETED) {
            throw new EngineException("IncorrectState", "Snapshot " + snapshotId + " is " + source.stateName()
                    + "; it can be copied once it is completed.");
        }
        checkWhole(sourceRegion, source);
        volumes.checkFreeSpace(destinationRegion, source.storedBytes(), "A copy of " + snapshotId);
        return source;
    }

    /** Writes the pending copy of {@code source} in the destination region. */
    Snapshot registerCopy(String sourceRegion, Snapshot source, String destinationRegion, String description,
                          String imageId) {
        Snapshot pending = new Snapshot(Ids.newId(ResourceKind.SNAPSHOT), source.volumeId(), source.volumeSizeGiB(),
                description, SnapshotState.PENDING, 0, Instant.now(), 0, null, sourceRegion + "/" + source.id(),
                imageId);
        register(destinationRegion, pending);
        return pending;
    }

    /** Copies {@code source} into the pending copy, checked at the destination, and completes it. */
    String copyInto(String sourceRegion, Snapshot source, String destinationRegion, Snapshot pending,
                    Tasks.Progress progress) throws Exception {
        Path partial = collection(destinationRegion).folderOf(pending.id()).resolve(PARTIAL);
        progress.report(0, "Copying and checking the checksum at the destination");
        DiskFiles.copyVerified(fileOf(sourceRegion, source.id()), partial, source.checksum(), f -> {
            progress.report(f, "Copying and checking the checksum at the destination");
            changes.progressed(destinationRegion, pending.id());
        });
        progress.checkCancelled();
        return finish(destinationRegion, pending, source.checksum(), "Copy of " + source.id() + " to "
                + destinationRegion);
    }

    /** Writes the pending document in a new folder: the snapshot is listed from now on. */
    private void register(String region, Snapshot pending) {
        try {
            PrivateFiles.createDirectories(collection(region).folderOf(pending.id()));
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot create the snapshot's folder: " + e.getMessage(), e);
        }
        collection(region).put(pending.id(), pending);
        changes.publish(region, pending.id(), Change.CREATED);
    }

    /** Runs the work of a pending snapshot as a task; when it does not complete, the snapshot is removed. */
    private void start(String region, String id, String title, Tasks.Work work) {
        Task task = tasks.start(title, region, id, true, progress -> {
            try {
                return work.run(progress);
            } catch (IOException e) {
                removeQuietly(region, id);
                throw new EngineException("SnapshotFailed", title + " failed, and " + id + " was removed: "
                        + e.getMessage(), e);
            } catch (Exception | Error e) {
                removeQuietly(region, id);
                throw e;
            } finally {
                pendingTasks.remove(key(region, id));
            }
        }, () -> {
            removeQuietly(region, id);
            pendingTasks.remove(key(region, id));
        });
        pendingTasks.put(key(region, id), task.id());
    }

    void removeQuietly(String region, String id) {
        try {
            synchronized (this) {
                collection(region).delete(id);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove snapshot " + id + ": " + e.getMessage(), e);
        }
        changes.publish(region, id, Change.DELETED);
    }

    private static String checkDescription(String description) {
        String d = description == null ? "" : description.strip();
        if (d.length() > MAX_DESCRIPTION) {
            throw EngineException.invalid("A description has at most " + MAX_DESCRIPTION + " characters; this one has "
                    + d.length() + ".");
        }
        if (d.chars().anyMatch(c -> c < 0x20)) {
            throw EngineException.invalid("A description cannot hold control characters.");
        }
        return d;
    }



    private static String key(String region, String id) {
        return region + "/" + id;
    }

    @Override
    public void regionOpened(Region region) {
        ResourceCollection<Snapshot> snapshots = collection(region.name());
        Volumes.removeOrphans(snapshots.dir());
        for (Snapshot s : snapshots.list().items()) {
            if (s.state() == SnapshotState.PENDING && !pendingTasks.containsKey(key(region.name(), s.id()))) {
                snapshots.delete(s.id());
                LOG.log(System.Logger.Level.INFO, "removed snapshot " + s.id() + ": its making was cut short");
            }
        }
    }

    @Override
    public List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 0, "snapshot", "snapshots");
    }

    /** For tests and benchmarks: the snapshot's document as stored. */
    Optional<Snapshot> stored(String region, String id) {
        return collection(region).find(id);
    }
}
