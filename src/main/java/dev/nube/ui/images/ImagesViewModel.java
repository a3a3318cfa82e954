package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageBuildProgress;
import dev.nube.engine.compute.images.ImageImport;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.storage.ImageBackupService;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.ResourceListModel;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The images page: the region's images, building the tiny image with progress, importing a cloud image file, copying
 * an image to a region,
 * launching replicas of it in several regions, and deregistering. Engine calls run in the background. FX thread only.
 */
public final class ImagesViewModel {
    /** What the replica dialog offers: every region, the instance types (each with why it does not fit, or null), and
     * the key pairs of the image's region. */
    public record ReplicaChoices(List<Region> regions, List<TypeChoice> types, List<KeyPair> keyPairs) {
    }

    /** An instance type, and why this machine cannot run it (null when it can). */
    public record TypeChoice(InstanceType type, String whyNot) {
    }

    private final ImageService images;
    private final ImageBackupService backups;
    private final RegionService regions;
    private final InstanceService instances;
    private final KeyPairService keyPairs;
    private final ConsoleContext context;
    private final ResourceListModel<Image> list;
    private final ReadOnlyBooleanWrapper building = new ReadOnlyBooleanWrapper();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");

    public ImagesViewModel(ImageService images, ImageBackupService backups, RegionService regions,
                           InstanceService instances, KeyPairService keyPairs, ConsoleContext context) {
        this.images = images;
        this.backups = backups;
        this.regions = regions;
        this.instances = instances;
        this.keyPairs = keyPairs;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.IMAGE, new ResourceListModel.Source<>(images::list,
                ResourceListModel.absentOn("InvalidAMIID.NotFound", images::get), Image::id),
                i -> i.name() + " " + i.id() + " " + i.source() + " " + i.architecture() + " "
                        + i.state().awsName());
        context.events().on(ImageBuildProgress.class, update -> {
            if (update.region().equals(context.region().get())) {
                building.set(!update.finished());
                progress.set(update.finished() ? -1 : update.fraction());
                status.set(update.finished() ? (update.error() == null ? "Built " + update.imageName() + "."
                        : "The build failed: " + update.error()) : update.step());
            }
        });
    }

    public ResourceListModel<Image> list() {
        return list;
    }

    /** Whether the region has the built-in image {@code name} already (or is making it). */
    public boolean hasImage(String name) {
        return list.items().stream().anyMatch(i -> i.name().equals(name));
    }

    /** Builds the built-in image {@code name} (or finds it built); progress arrives through the engine's events. */
    public void build(String name) {
        String region = list.region();
        building.set(true);
        status.set("Starting the build of " + name + "...");
        context.tasks().submit(() -> images.ensureImage(region, name), image -> {
            building.set(false);
            progress.set(-1);
            status.set(image.name() + " is ready: " + image.id() + ".");
        }, failure -> {
            building.set(false);
            progress.set(-1);
            status.set("The build failed: " + Errors.message(failure));
        });
    }

    /** What importing {@code file} would give: the defaults read from its name, and what the checks say of it. */
    public void previewImport(java.nio.file.Path file, Consumer<ImageImport.Preview> onRead,
                              Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> backups.previewImport(file), onRead, onFailure);
    }

    /**
     * Starts importing a cloud image file into the selected region; returns the image, pending while its disk is
     * converted (a task in Tasks).
     */
    public void importImage(ImageImport.Request request, Consumer<Image> onStarted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> backups.importImage(region, request), onStarted, onFailure);
    }

    /** Every region, the selected one included (a copy into the same region needs another name). */
    public void regions(Consumer<List<Region>> onRead, Consumer<Throwable> onFailure) {
        context.tasks().submit(regions::list, onRead, onFailure);
    }

    /**
     * Starts copying {@code image} to {@code destination}; returns the copy there, pending. An empty name keeps the
     * image's, an empty description takes the engine's.
     */
    public void copy(Image image, String destination, String name, String description, Consumer<Image> onStarted,
                     Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> backups.copyImage(region, image.id(), destination, blankAsNull(name),
                blankAsNull(description)), onStarted, onFailure);
    }

    /** The regions, instance types and this region's key pairs, for launching replicas. */
    public void replicaChoices(Consumer<ReplicaChoices> onRead, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> new ReplicaChoices(regions.list(), instances.instanceTypes().stream()
                .map(t -> new TypeChoice(t, instances.whyTypeDoesNotFit(t))).toList(),
                keyPairs.list(region).items()), onRead, onFailure);
    }

    /** Starts one task per region, each launching an instance of {@code image} there; {@code keyName} may be null. */
    public void launchReplicas(Image image, List<String> targets, String instanceType, String keyName,
                               Consumer<List<Task>> onStarted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> backups.launchReplicas(region, image.id(), List.copyOf(targets), instanceType,
                keyName), onStarted, onFailure);
    }

    private static String blankAsNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    public void deregister(Image image, Runnable onDone, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            images.deregister(region, image.id());
            return null;
        }, ignored -> onDone.run(), onFailure);
    }

    public ReadOnlyBooleanProperty buildingProperty() {
        return building.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
