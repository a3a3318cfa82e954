package dev.nube.ui.functions;

import dev.nube.engine.functions.LayerService;
import dev.nube.engine.functions.LayerVersion;
import dev.nube.engine.functions.PublishLayerRequest;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.TaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The region's layers, for the Layers dialog of the Functions page: every version of every layer (by name, newest
 * first), publishing a new version from a zip, deleting one. Functions that use a deleted version keep running with
 * their copy of it. Engine calls run on the task executor. FX thread only.
 */
final class LayersViewModel {
    private final LayerService layers;
    private final TaskExecutor tasks;
    private final Supplier<String> region;
    private final ObservableList<LayerVersion> versions = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();

    LayersViewModel(LayerService layers, TaskExecutor tasks, Supplier<String> region) {
        this.layers = layers;
        this.tasks = tasks;
        this.region = region;
    }

    void reload() {
        String in = region.get();
        tasks.submit(() -> {
            List<LayerVersion> all = new ArrayList<>();
            for (LayerVersion latest : layers.layers(in)) {
                all.addAll(layers.versions(in, latest.name()));
            }
            return all;
        }, versions::setAll, error -> status.set(Errors.message(error)));
    }

    ObservableList<LayerVersion> versions() {
        return versions;
    }

    /** Runtimes typed as "python3.11, nodejs20.x" (commas or spaces), as a list. */
    static List<String> runtimes(String text) {
        return Arrays.stream(text.split("[,\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Publishes {@code zip} as the next version of layer {@code name}; {@code onPublished} hears the version, and the
     * list is read again. A refusal (a bad zip, a bad name) lands in the status and in {@code onFailure}.
     */
    void publish(String name, String description, String runtimesText, Path zip, Consumer<LayerVersion> onPublished,
            Consumer<Throwable> onFailure) {
        if (zip == null) {
            status.set("Choose the layer's .zip file.");
            onFailure.accept(new IllegalArgumentException("Choose the layer's .zip file."));
            return;
        }
        String in = region.get();
        PublishLayerRequest request = new PublishLayerRequest(name.strip(), description, runtimes(runtimesText),
                List.of(), null);
        busy.set(true);
        status.set("Publishing " + name.strip() + " from " + zip.getFileName() + "...");
        tasks.submit(() -> layers.publish(in, request, zip), published -> {
            busy.set(false);
            status.set("Published " + published.name() + " version " + published.version() + ".");
            reload();
            onPublished.accept(published);
        }, error -> {
            busy.set(false);
            status.set(Errors.message(error));
            onFailure.accept(error);
        });
    }

    /** Deletes one version; functions that have it keep their copy and keep running. */
    void delete(LayerVersion version) {
        busy.set(true);
        tasks.submit(() -> {
            layers.delete(version.region(), version.name(), version.version());
            return version;
        }, deleted -> {
            busy.set(false);
            status.set("Deleted " + deleted.name() + " version " + deleted.version() + ".");
            reload();
        }, error -> {
            busy.set(false);
            status.set(Errors.message(error));
        });
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }
}
