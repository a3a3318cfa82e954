package dev.nube.engine.compute.images;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.debian.DebianImageBuilder;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Images stored per region in {@code images/<id>/}: {@code resource.json} beside the kernel, initramfs and root disk.
 * A new image is assembled in a hidden {@code .building-*} folder, document included, and renamed to its id in one
 * step, so a failed or interrupted build never leaves a half image registered. Builds of one image are serialised;
 * deregistering is serialised on this object.
 */
public final class Images implements ImageService, RegionScoped {
    private static final System.Logger LOG = System.getLogger(Images.class.getName());
    private static final String BUILDING = ".building-";
    /** The last boot time measured for an image, in its folder. */
    public static final String BOOT_TIME = "boot-time";

    /** How long an instance of an image took from QEMU's start to SSH, measured here, on which accelerator, when. */
    public record BootTime(long millis, String accelerator, Instant measuredAt) {
    }

    private final RegionService regions;
    private final EventBus events;
    private final Path cache;
    /** One lock per built image's name: a long Debian build does not hold up the tiny image. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> buildLocks =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile BiFunction<String, String, List<String>> usage = (region, imageId) -> List.of();

    /** {@code cache} holds downloaded packages and finished builds, shared by every data folder of this user. */
    public Images(RegionService regions, EventBus events, Path cache) {
        this.regions = regions;
        this.events = events;
        this.cache = cache;
    }

    /** Tells the service which instances use an image, so deregistering one in use is refused with their ids. */
    public void setUsage(BiFunction<String, String, List<String>> usersOfImage) {
        this.usage = usersOfImage;
    }

    private ResourceCollection<Image> collection(String region) {
        return new ResourceCollection<>(ResourceKind.IMAGE, regions.get(region).root(), Image.class);
    }

    /** The folder of an image's files; the image must exist. */
    public Path folder(String region, String id) {
        return collection(region).folderOf(get(region, id).id());
    }

    @Override
    public void regionOpened(Region region) {
        // Leftovers of builds that were interrupted (the console quit): never an image, so removed.
        Path dir = region.root().resolve(ResourceKind.IMAGE.folder());
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, BUILDING + "*")) {
            for (Path leftover : entries) {
                ResourceCollection.deleteTree(leftover);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clean unfinished image builds in " + dir, e);
        }
        // Images left pending by an engine that stopped are removed, with their snapshots, by their maker
        // (compute/storage/ImageBackups).
    }

    /**
     * Registers an image that is being made ({@code PENDING}): its folder and document, listed from now on. The
     * maker fills the folder and calls {@link #complete}, or {@link #discard} when it fails; one cut short by a crash
     * is removed at the next start.
     */
    public Image reserve(String region, Image pending) {
        if (pending.available()) {
            throw new IllegalArgumentException("a reserved image is pending");
        }
        ResourceCollection<Image> images = collection(region);
        try {
            PrivateFiles.createDirectories(images.folderOf(pending.id()));
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot create the image's folder: " + e.getMessage(), e);
        }
        images.put(pending.id(), pending);
        events.publish(new ResourceChanged(region, ResourceKind.IMAGE, pending.id(), Change.CREATED));
        return pending;
    }

    /** The folder of a reserved image, to fill before {@link #complete}. */
    public Path reservedFolder(String region, String id) {
        return collection(region).folderOf(id);
    }

    /** Makes a reserved image available, its size read from its folder. */
    public Image complete(String region, String id) {
        ResourceCollection<Image> images = collection(region);
        Image pending = get(region, id);
        try {
            Image done = pending.withState(ImageState.AVAILABLE, sizeOf(images.folderOf(id)));
            images.put(id, done);
            events.publish(new ResourceChanged(region, ResourceKind.IMAGE, id, Change.UPDATED));
            return done;
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot read the files of image " + id + ": " + e.getMessage(),
                    e);
        }
    }

    /** Removes a reserved image that will not be completed, with its files. */
    public void discard(String region, String id) {
        collection(region).delete(id);
        events.publish(new ResourceChanged(region, ResourceKind.IMAGE, id, Change.DELETED));
    }

    /**
     * Keeps the boot time just measured for {@code imageId} (a launch or start of one of its instances), to show
     * beside the image. An image deregistered meanwhile is left alone.
     */
    public void noteBootTime(String region, String imageId, BootTime time) {
        Path folder = collection(region).folderOf(imageId);
        if (!Files.isDirectory(folder)) {
            return;
        }
        String text = time.millis() + " " + time.accelerator() + " " + time.measuredAt() + "\n";
        try {
            dev.nube.engine.store.AtomicFiles.write(folder.resolve(BOOT_TIME), text.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot note the boot time of " + imageId, e);
        }
    }

    @Override
    public java.util.Optional<BootTime> bootTime(String region, String imageId) {
        try {
            String[] f = Files.readString(collection(region).folderOf(imageId).resolve(BOOT_TIME)).strip().split(" ");
            return java.util.Optional.of(new BootTime(Long.parseLong(f[0]), f[1], Instant.parse(f[2])));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty(); // never measured, or unreadable: shown as not measured
        }
    }

    /** True when an image of the region has {@code name} (names are unique in a region, as EC2 keeps them). */
    public boolean nameTaken(String region, String name) {
        return collection(region).list().items().stream().anyMatch(i -> i.name().equals(name));
    }

    @Override
    public List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 0, "image", "images");
    }

    @Override
    public Listing<Image> list(String region) {
        return collection(region).list();
    }

    @Override
    public Image get(String region, String id) {
        return collection(region).find(id).orElseThrow(() -> new EngineException("InvalidAMIID.NotFound",
                "The image '" + id + "' does not exist in region " + region + "."));
    }

    @Override
    public String whyCannotBuild(String name) {
        return switch (name) {
            case TINY_IMAGE_NAME -> null;
            case DEBIAN_IMAGE_NAME -> DebianImageBuilder.unavailable();
            default -> throw unknown(name);
        };
    }

    @Override
    public Image ensureImage(String region, String name) {
        if (!BUILT_IMAGES.contains(name)) {
            throw unknown(name);
        }
        ResourceCollection<Image> images = collection(region);
        java.util.Optional<Image> built = builtImage(images, name);
        if (built.isPresent()) {
            return built.get();
        }
        synchronized (buildLocks.computeIfAbsent(name, n -> new Object())) {
            built = builtImage(images, name); // made by the caller that held the lock before
            if (built.isPresent()) {
                return built.get();
            }
            Path work = images.dir().resolve(BUILDING + System.nanoTime());
            try {
                PrivateFiles.createDirectories(work);
                String id = Ids.newId(ResourceKind.IMAGE);
                Image image = name.equals(TINY_IMAGE_NAME) ? buildTiny(region, id, work) : buildDebian(region, id, work);
                DocumentStore.write(work.resolve(ResourceCollection.DOCUMENT), image);
                Files.move(work, images.folderOf(id), StandardCopyOption.ATOMIC_MOVE);
                events.publish(new ResourceChanged(region, ResourceKind.IMAGE, id, Change.CREATED));
                events.publish(new ImageBuildProgress(region, name, 1, "Ready", true, id, null));
                return image;
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                events.publish(new ImageBuildProgress(region, name, 0, "Failed", true, null, why));
                throw new EngineException("ImageBuildFailed", "Could not build " + name + ": " + why, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                events.publish(new ImageBuildProgress(region, name, 0, "Cancelled", true, null, "cancelled"));
                throw new EngineException("ImageBuildFailed", "The build of " + name + " was cancelled.", e);
            } finally {
                try {
                    ResourceCollection.deleteTree(work);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove " + work, e);
                }
            }
        }
    }

    private static java.util.Optional<Image> builtImage(ResourceCollection<Image> images, String name) {
        return images.list().items().stream().filter(i -> i.name().equals(name) && i.available()).findFirst();
    }

    private Image buildTiny(String region, String id, Path work) throws IOException, InterruptedException {
        TinyImageBuilder.Built built = new TinyImageBuilder(cache).build(work, (fraction, step) -> events.publish(
                new ImageBuildProgress(region, TINY_IMAGE_NAME, fraction, step, false, null, null)));
        // Packages taken from a cache without apt's word on their version are named where the image is shown.
        String cached = built.cachedWithoutApt().isEmpty() ? "" : ". Built without apt's package lists from"
                + " cached packages: " + String.join("; ", built.cachedWithoutApt());
        return new Image(id, TINY_IMAGE_NAME, "BusyBox, Dropbear SSH and Debian's Linux " + built.kernelRelease()
                + "; user-data scripts, metadata service, root volume growth" + cached, "x86_64",
                (int) (TinyImageBuilder.DISK_BYTES >> 30), sizeOf(work), Instant.now(),
                "Built by Nube from Debian packages", built.kernelRelease(), "root", built.packages(),
                ImageState.AVAILABLE, null, Image.IMDS_V2, null, null);
    }

    private Image buildDebian(String region, String id, Path work) throws IOException, InterruptedException {
        DebianImageBuilder.Built built = new DebianImageBuilder(cache).build(work, (fraction, step) -> events.publish(
                new ImageBuildProgress(region, DEBIAN_IMAGE_NAME, fraction, step, false, null, null)));
        return new Image(id, DEBIAN_IMAGE_NAME, "Debian GNU/Linux 12 with systemd, OpenSSH, sudo, apt and cloud-init"
                + " (user data, key pair for user " + DebianImageBuilder.DEFAULT_USER + ", hostname, root volume"
                + " growth); Debian's cloud kernel " + built.kernelRelease(), "x86_64",
                (int) (DebianImageBuilder.DISK_BYTES >> 30), sizeOf(work), Instant.now(),
                "Built by Nube from Debian's archive", built.kernelRelease(), DebianImageBuilder.DEFAULT_USER,
                built.packages(), ImageState.AVAILABLE, null, Image.IMDS_V2, DebianImageBuilder.KERNEL_ARGS,
                null);
    }

    private static EngineException unknown(String name) {
        return new EngineException("InvalidParameterValue", "Nube builds no image named '" + name + "': it builds "
                + String.join(" and ", BUILT_IMAGES) + ".");
    }

    @Override
    public synchronized void deregister(String region, String id) {
        Image image = get(region, id);
        if (!image.available()) {
            throw new EngineException("InvalidAMIID.Unavailable", "Image " + id + " is being made; cancel its task"
                    + " in the tasks panel to stop it.");
        }
        List<String> users = usage.apply(region, image.id());
        if (!users.isEmpty()) {
            throw new EngineException("InvalidAMIID.InUse", "Image '" + image.name() + "' (" + image.id()
                    + ") is the base of " + String.join(", ", users) + ". Terminate them first.");
        }
        collection(region).delete(image.id());
        events.publish(new ResourceChanged(region, ResourceKind.IMAGE, image.id(), Change.DELETED));
    }

    private static long sizeOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    /** True when {@code id} has the form of an image id. */
    public static boolean isImageId(String id) {
        return Ids.isId(ResourceKind.IMAGE, id);
    }
}
