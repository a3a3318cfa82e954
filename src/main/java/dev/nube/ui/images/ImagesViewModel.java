package dev.nube.ui.images;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageBuildProgress;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.ResourceListModel;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The images page: the region's images, building the tiny image with progress, and deregistering. FX thread only. */
public final class ImagesViewModel {
    private final ImageService images;
    private final ConsoleContext context;
    private final ResourceListModel<Image> list;
    private final ReadOnlyBooleanWrapper building = new ReadOnlyBooleanWrapper();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");

    public ImagesViewModel(ImageService images, ConsoleContext context) {
        this.images = images;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.IMAGE, new ResourceListModel.Source<>(images::list,
                ResourceListModel.absentOn("InvalidAMIID.NotFound", images::get), Image::id),
                i -> i.name() + " " + i.id() + " " + i.source() + " " + i.architecture());
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

    /** Whether the region has the built-in image already. */
    public boolean hasTinyImage() {
        return list.items().stream().anyMatch(i -> i.name().equals(ImageService.TINY_IMAGE_NAME));
    }

    /** Builds the built-in image (or finds it built); progress arrives through the engine's events. */
    public void buildTinyImage() {
        String region = list.region();
        building.set(true);
        status.set("Starting the build...");
        context.tasks().submit(() -> images.ensureTinyImage(region), image -> {
            building.set(false);
            progress.set(-1);
            status.set(image.name() + " is ready: " + image.id() + ".");
        }, failure -> {
            building.set(false);
            progress.set(-1);
            status.set("The build failed: " + Errors.message(failure));
        });
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
