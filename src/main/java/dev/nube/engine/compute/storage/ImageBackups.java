package dev.nube.engine.compute.storage;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.compute.images.ImageState;
import dev.nube.engine.compute.images.Images;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.Instances;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.Tasks;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Images from instances and their copies. An image's folder holds its kernel files (linked, or copied across disks,
 * from the image it came from) and {@code disk.qcow2}, a link to its snapshot's file: the snapshot can outlive the
 * image (deregistering leaves it, as on EC2), and the image never its snapshot (deleting one an image uses is
 * refused). Everything is registered pending first and completed last; a failure or cancel removes both. An imported
 * image's folder holds only its disk, converted from the user's file: it boots from it.
 */
public final class ImageBackups implements ImageBackupService, dev.nube.engine.region.RegionScoped {
    private final RegionService regions;
    private final Images images;
    private final Instances instances;
    private final KeyPairService keyPairs;
    private final Volumes volumes;
    private final Snapshots snapshots;
    private final Tasks tasks;

    public ImageBackups(RegionService regions, Images images, Instances instances, KeyPairService keyPairs,
                        Volumes volumes, Snapshots snapshots, Tasks tasks) {
        this.regions = regions;
        this.images = images;
        this.instances = instances;
        this.keyPairs = keyPairs;
        this.volumes = volumes;
        this.snapshots = snapshots;
        this.tasks = tasks;
    }

    /**
     * Images left pending when the engine stopped (made from an instance or copied) were never finished: each goes,
     * with the snapshot made for it, complete or not. Runs after snapshots have removed their own pending ones.
     */
    @Override
    public void regionOpened(dev.nube.engine.region.Region region) {
        for (Image image : images.list(region.name()).items()) {
            if (!image.available()) {
                if (image.snapshotId() != null) {
                    try {
                        if (image.id().equals(snapshots.get(region.name(), image.snapshotId()).imageId())) {
                            snapshots.removeQuietly(region.name(), image.snapshotId());
                        }
                    } catch (EngineException e) {
                        // removed already, as a pending snapshot
                    }
                }
                images.discard(region.name(), image.id());
                System.getLogger(ImageBackups.class.getName()).log(System.Logger.Level.INFO, "removed image "
                        + image.id() + ": its making was cut short");
            }
        }
    }

    @Override
    public List<String> contentsOf(dev.nube.engine.region.Region region) {
        return List.of(); // images and snapshots count their own
    }

    @Override
    public Image createImage(String region, String instanceId, String name, String description, boolean noReboot) {
        String cleanName = checkName(region, name);
        String text = checkDescription(description);
        Instance instance = instances.get(region, instanceId);
        if (instance.state() != InstanceState.RUNNING && instance.state() != InstanceState.STOPPED) {
            throw new EngineException("IncorrectInstanceState", "Instance " + instanceId + " is "
                    + instance.state().awsName() + "; an image is made of a running or stopped instance.");
        }
        Image source = sourceImage(region, instance);
        Volume root = snapshots.checkSnapshotable(region, Volumes.rootVolumeId(instanceId));
        String imageId = Ids.newId(ResourceKind.IMAGE);
        Snapshot snapshot = snapshots.registerPending(region, root, "Created by CreateImage(" + instanceId + ") for "
                + imageId, null, imageId);
        Image pending = new Image(imageId, cleanName, text, source.architecture(), root.sizeGiB(), 0, Instant.now(),
                "Created from " + instanceId + " (" + source.name() + ")", source.kernelRelease(), source.sshUser(),
                source.manifest(), ImageState.PENDING, snapshot.id(), source.imdsSupport(), source.kernelArgs(),
                source.bootMode());
        try {
            images.reserve(region, pending);
        } catch (RuntimeException e) {
            snapshots.removeQuietly(region, snapshot.id());
            throw e;
        }
        boolean restart = instance.state() == InstanceState.RUNNING && !noReboot;
        tasks.start("Create image " + cleanName + " from " + instanceId, region, imageId, true, progress -> {
            try {
                boolean stopped = false;
                try {
                    if (restart && instances.stateOf(region, instanceId) == InstanceState.RUNNING) {
                        progress.report(-1, "Shutting " + instanceId + " down for a consistent disk");
                        instances.stop(region, instanceId);
                        stopped = true;
                    }
                    snapshots.takeInto(region, snapshot, Tasks.part(progress, 0, 0.95));
                } finally {
                    if (stopped) {
                        // Started again even when the image was cancelled: the user's instance stays as it was.
                        boolean cancelled = Thread.interrupted();
                        try {
                            progress.report(0.95, "Starting " + instanceId + " again");
                            instances.start(region, instanceId);
                        } finally {
                            if (cancelled) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                }
                progress.checkCancelled();
                Tasks.uninterrupted(() -> {
                    fill(region, imageId, images.folder(region, source.id()), snapshots.fileOf(region,
                            snapshot.id()));
                    return images.complete(region, imageId);
                });
                return cleanName + " (" + imageId + ") is available, its disk in " + snapshot.id() + ".";
            } catch (Exception | Error e) {
                images.discard(region, imageId);
                snapshots.removeQuietly(region, snapshot.id());
                throw asEngineError("The image " + cleanName + " was not made", e);
            }
        }, () -> {
            images.discard(region, imageId);
            snapshots.removeQuietly(region, snapshot.id());
        });
        return images.get(region, imageId);
    }

    @Override
    public ImageImport.Preview previewImport(Path file) {
        try {
            return ImageImport.preview(file.toAbsolutePath(), scratch());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Server.InternalError", "Reading " + file + " was interrupted.", e);
        }
    }

    @Override
    public Image importImage(String region, ImageImport.Request request) {
        if (request.file() == null) {
            throw EngineException.invalid("Choose the image file to import.");
        }
        Path file = request.file().toAbsolutePath();
        String fileName = file.getFileName().toString();
        ImageImport.Defaults defaults = ImageImport.defaultsFor(fileName);
        String cleanName = checkName(region, request.name() == null || request.name().isBlank() ? defaults.name()
                : request.name());
        String text = checkDescription(request.description());
        String user = request.sshUser() == null || request.sshUser().isBlank() ? defaults.sshUser()
                : request.sshUser().strip();
        if (!user.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw EngineException.invalid("A default user is a Linux user name: up to 32 lower-case letters, digits,"
                    + " '_' and '-', starting with a letter or '_'; '" + user + "' is not.");
        }
        ImageImport.Checked checked;
        try {
            checked = ImageImport.check(file, request.boot(), scratch());
        } catch (IOException e) {
            throw EngineException.invalid("Cannot read " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("Server.InternalError", "The checks of " + file + " were interrupted.", e);
        }
        volumes.checkFreeSpace(region, qcow2Bytes(file, checked.disk()), "Importing " + fileName);
        String imageId = Ids.newId(ResourceKind.IMAGE);
        Image pending = new Image(imageId, cleanName, text, "x86_64", checked.disk().virtualGiB(), 0, Instant.now(),
                "Imported from " + fileName, null, user, List.of(), ImageState.PENDING, null, null, null,
                checked.bootMode());
        images.reserve(region, pending);
        String format = checked.disk().format();
        tasks.start("Import image " + cleanName + " from " + fileName, region, imageId, true, progress -> {
            try {
                // Checked again just before it is read: the file may have been replaced while the task waited.
                ImageImport.Checked again = ImageImport.check(file, request.boot(), scratch());
                if (!again.disk().format().equals(format) || !again.bootMode().equals(checked.bootMode())) {
                    throw new java.io.IOException(fileName + " changed since it was checked; import it again");
                }
                progress.report(0, "Converting " + fileName + " (" + format + ") to qcow2");
                DiskFiles.convertToQcow2(file, format, images.reservedFolder(region, imageId)
                        .resolve(TinyImageBuilder.DISK), f -> progress.report(f * 0.99, "Converting " + fileName
                        + " (" + format + ") to qcow2"));
                progress.checkCancelled();
                Tasks.uninterrupted(() -> images.complete(region, imageId));
                return cleanName + " (" + imageId + ") is available; it boots from its own disk by "
                        + (checked.bootMode().equals(Image.BOOT_UEFI) ? "UEFI" : "BIOS") + ". Its first launch shows"
                        + " whether the guest boots and reads the metadata service.";
            } catch (Exception | Error e) {
                images.discard(region, imageId);
                throw asEngineError("The import of " + fileName + " failed", e);
            }
        }, () -> images.discard(region, imageId));
        return images.get(region, imageId);
    }

    /**
     * What the qcow2 made of {@code file} takes at most ({@code qemu-img measure}): a compressed cloud image grows
     * when converted. Its size on disk when qemu-img cannot tell.
     */
    private static long qcow2Bytes(Path file, ImageImport.DiskInfo disk) {
        try {
            Commands.Result measured = Commands.run(List.of("qemu-img", "measure", "--output=json", "-f",
                    disk.format(), "-O", "qcow2", file.toString()), null, java.time.Duration.ofMinutes(1));
            long required = measured.exit() == 0
                    ? dev.nube.engine.store.Json.mapper().readTree(measured.output()).path("required").asLong(0) : 0;
            if (required > 0) {
                return required;
            }
        } catch (java.io.IOException e) {
            // fall through: the size on disk
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return disk.actualSize();
    }

    /** Where the first sectors of a file to import are read to: the system's temporary folder. */
    private static Path scratch() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The image the instance was launched from, which gives the new image its kernel (if it boots one). */
    private Image sourceImage(String region, Instance instance) {
        try {
            Image source = images.get(region, instance.imageId());
            if (!source.bootsFromDisk() && !Files.isRegularFile(images.folder(region, source.id())
                    .resolve(TinyImageBuilder.KERNEL))) {
                throw new EngineException("InvalidAMIID.Unavailable", "The kernel of " + source.id() + " is missing.");
            }
            return source;
        } catch (EngineException e) {
            throw new EngineException("InvalidAMIID.Unavailable", "Instance " + instance.id() + " was launched from "
                    + instance.imageId() + ", which is gone with its kernel; an image cannot be made of it.", e);
        }
    }

    @Override
    public Image copyImage(String sourceRegion, String imageId, String destinationRegion, String name,
                           String description) {
        Image source = images.get(sourceRegion, imageId);
        if (!source.available()) {
            throw new EngineException("InvalidAMIID.Unavailable", "Image " + imageId + " is still being made; copy it"
                    + " once it is available.");
        }
        String cleanName = checkName(destinationRegion, name == null || name.isBlank() ? source.name() : name);
        String text = description == null || description.isBlank() ? "[Copied " + imageId + " from " + sourceRegion
                + "] " + source.description() : checkDescription(description);
        Task task = startCopy(sourceRegion, source, destinationRegion, cleanName,
                text.length() > 255 ? text.substring(0, 255) : text, null);
        return images.get(destinationRegion, task.resourceId());
    }

    /**
     * Registers the copy and its snapshot and starts the task (whose resource is the new image); {@code then} runs
     * on it once the copy is whole.
     */
    private Task startCopy(String sourceRegion, Image source, String destinationRegion, String name,
                            String description, Then then) {
        Snapshot sourceSnapshot = snapshotOf(sourceRegion, source);
        if (sourceSnapshot != null) {
            snapshots.checkCopyable(sourceRegion, sourceSnapshot.id(), destinationRegion);
        } else {
            volumes.checkFreeSpace(destinationRegion, source.sizeBytes(), "A copy of " + source.id());
        }
        String imageId = Ids.newId(ResourceKind.IMAGE);
        Snapshot snapshot = sourceSnapshot == null ? null : snapshots.registerCopy(sourceRegion, sourceSnapshot,
                destinationRegion, "Copied for " + imageId + " from " + sourceRegion + "/" + source.id(), imageId);
        Image pending = new Image(imageId, name, description, source.architecture(), source.rootDeviceGiB(), 0,
                Instant.now(), "Copied from " + sourceRegion + "/" + source.id(), source.kernelRelease(),
                source.sshUser(), source.manifest(), ImageState.PENDING, snapshot == null ? null : snapshot.id(),
                source.imdsSupport(), source.kernelArgs(), source.bootMode());
        try {
            images.reserve(destinationRegion, pending);
        } catch (RuntimeException e) {
            if (snapshot != null) {
                snapshots.removeQuietly(destinationRegion, snapshot.id());
            }
            throw e;
        }
        String title = then == null ? "Copy image " + source.id() + " to " + destinationRegion
                : "Launch a replica of " + source.id() + " in " + destinationRegion;
        return tasks.start(title, destinationRegion, imageId, true, progress -> {
            try {
                Path from = images.folder(sourceRegion, source.id());
                if (snapshot != null) {
                    snapshots.copyInto(sourceRegion, sourceSnapshot, destinationRegion, snapshot,
                            Tasks.part(progress, 0, 0.95));
                    fill(destinationRegion, imageId, from, snapshots.fileOf(destinationRegion, snapshot.id()));
                } else {
                    // An image built here (not from a snapshot): its disk is copied with its other files.
                    progress.report(-1, "Copying the image's files");
                    fill(destinationRegion, imageId, from, from.resolve(TinyImageBuilder.DISK));
                }
                progress.checkCancelled();
                Tasks.uninterrupted(() -> images.complete(destinationRegion, imageId));
            } catch (Exception | Error e) {
                images.discard(destinationRegion, imageId);
                if (snapshot != null) {
                    snapshots.removeQuietly(destinationRegion, snapshot.id());
                }
                throw asEngineError("The copy of " + source.id() + " to " + destinationRegion + " was not made", e);
            }
            String made = name + " (" + imageId + ") is available in " + destinationRegion + ".";
            return then == null ? made : then.run(imageId, made);
        }, () -> {
            images.discard(destinationRegion, imageId);
            if (snapshot != null) {
                snapshots.removeQuietly(destinationRegion, snapshot.id());
            }
        });
    }

    private interface Then {
        String run(String imageId, String made) throws Exception;
    }

    private Snapshot snapshotOf(String region, Image image) {
        if (image.snapshotId() == null) {
            return null;
        }
        try {
            return snapshots.get(region, image.snapshotId());
        } catch (EngineException e) {
            throw new EngineException("InvalidSnapshot.NotFound", "Image " + image.id() + " has lost its snapshot "
                    + image.snapshotId() + ".", e);
        }
    }

    /** Puts the kernel files of {@code from} and the disk {@code disk} into the reserved image's folder. */
    private void fill(String region, String imageId, Path from, Path disk) throws IOException {
        Path to = images.reservedFolder(region, imageId);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                // Not the boot time measured for the source: the new image has not been launched yet.
                if (Files.isRegularFile(f) && !n.equals(TinyImageBuilder.DISK) && !n.startsWith(".")
                        && !n.equals("resource.json") && !n.equals(Images.BOOT_TIME)) {
                    linkOrCopy(f, to.resolve(n));
                }
            }
        }
        linkOrCopy(disk, to.resolve(TinyImageBuilder.DISK));
    }

    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            PrivateFiles.copy(source, target); // another disk: a copy (the snapshot's checksum was checked when made)
        }
    }

    @Override
    public List<Task> launchReplicas(String region, String imageId, List<String> targets, String instanceType,
                                     String keyName) {
        Image source = images.get(region, imageId);
        if (!source.available()) {
            throw new EngineException("InvalidAMIID.Unavailable", "Image " + imageId + " is still being made.");
        }
        if (targets == null || targets.isEmpty()) {
            throw EngineException.invalid("Choose at least one region to launch a replica in.");
        }
        List<String> chosen = new ArrayList<>(new LinkedHashSet<>(targets));
        chosen.forEach(regions::get);
        if (instances.instanceTypes().stream().noneMatch(t -> t.name().equals(instanceType))) {
            throw EngineException.invalid("There is no instance type '" + instanceType + "'.");
        }
        List<Task> started = new ArrayList<>();
        for (String target : chosen) {
            Then launch = (id, made) -> (made + " " + launchIn(target, id, source, instanceType, keyName)).strip();
            String here = target.equals(region) ? imageId : copyIn(target, region, imageId);
            if (here != null) {
                started.add(tasks.start("Launch a replica of " + imageId + " in " + target, target, here, false,
                        progress -> launch.run(here, here.equals(imageId) ? "" : "Its copy " + here + " was there"
                                + " already.")));
            } else {
                String description = "[Copied " + imageId + " from " + region + "] " + source.description();
                started.add(startCopy(region, source, target, uniqueName(target, source.name()),
                        description.length() > 255 ? description.substring(0, 255) : description, launch));
            }
        }
        return started;
    }

    /** An available copy of {@code region/imageId} that {@code target} holds already, or null. */
    private String copyIn(String target, String region, String imageId) {
        String source = "Copied from " + region + "/" + imageId;
        return images.list(target).items().stream().filter(i -> i.available() && i.source().equals(source))
                .map(Image::id).findFirst().orElse(null);
    }

    private String launchIn(String region, String imageId, Image source, String type, String keyName) {
        String key = null;
        if (keyName != null && !keyName.isBlank()) {
            try {
                key = keyPairs.get(region, keyName).id();
            } catch (EngineException e) {
                key = null;
            }
        }
        Instance launched = instances.run(region, new RunRequest(imageId, type, key, List.of(), 1,
                "Replica of " + source.name(), null, 0, null)).get(0);
        return "Launched " + launched.id() + " in " + region + (keyName != null && !keyName.isBlank() && key == null
                ? " without a key pair (the region has none called '" + keyName + "')" : "") + ".";
    }

    /** {@code name}, or {@code name (2)}, ... when the region has an image of that name already. */
    private String uniqueName(String region, String name) {
        String candidate = name;
        for (int i = 2; images.nameTaken(region, candidate); i++) {
            candidate = name + " (" + i + ")";
        }
        return candidate.length() > 128 ? candidate.substring(0, 128) : candidate;
    }

    private String checkName(String region, String name) {
        String n = name == null ? "" : name.strip();
        if (n.length() < 3 || n.length() > 128) {
            throw EngineException.invalid("An image name has 3 to 128 characters; '" + n + "' has " + n.length()
                    + ".");
        }
        if (!n.matches("[A-Za-z0-9 ()\\[\\]./\\-'@_]+")) {
            throw EngineException.invalid("An image name holds letters, digits, spaces and ( ) [ ] . / - ' @ _"
                    + " only, as EC2 allows.");
        }
        if (images.nameTaken(region, n)) {
            throw new EngineException("InvalidAMIName.Duplicate", "Region " + region + " has an image called '" + n
                    + "' already.");
        }
        return n;
    }

    private static String checkDescription(String description) {
        String d = description == null ? "" : description.strip();
        if (d.length() > 255 || d.chars().anyMatch(c -> c < 0x20)) {
            throw EngineException.invalid("A description has at most 255 characters and no control characters.");
        }
        return d;
    }

    private static Exception asEngineError(String what, Throwable e) {
        if (e instanceof InterruptedException || e instanceof java.util.concurrent.CancellationException) {
            return (Exception) e;
        }
        if (e instanceof Error error) {
            throw error;
        }
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        return new EngineException("ImageFailed", what + ": " + why, e);
    }
}
