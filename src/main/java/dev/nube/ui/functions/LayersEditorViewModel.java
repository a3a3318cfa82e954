package dev.nube.ui.functions;

import dev.nube.engine.functions.ConfigurationChange;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionLayer;
import dev.nube.engine.functions.LayerService;
import dev.nube.engine.functions.LayerVersion;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Layers section of the Configuration tab: the function's layers in order (merged under /opt, a later one's files
 * over an earlier one's), edited here (add a layer version, remove, move up and down, at most five) and saved on their
 * own. What Lambda would refuse is said before anything is sent: a sixth layer, a second version of a layer already
 * there, a layer that does not list the function's runtime. The layer versions to choose from are the region's, read
 * from the engine. Engine calls run on the task executor. FX thread only.
 */
final class LayersEditorViewModel {
    static final int MAX_LAYERS = 5;

    private final FunctionScope scope;
    private final LayerService layers;
    private final ObservableList<String> chosen = FXCollections.observableArrayList();
    private final ObservableList<LayerVersion> available = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper saving = new ReadOnlyBooleanWrapper();
    private final BooleanBinding dirty;
    private FunctionConfiguration saved;
    private final ReadOnlyStringWrapper savedArns = new ReadOnlyStringWrapper("");

    LayersEditorViewModel(FunctionScope scope, LayerService layers) {
        this.scope = scope;
        this.layers = layers;
        dirty = Bindings.createBooleanBinding(() -> saved != null && !String.join("\n", chosen).equals(
                savedArns.get()), chosen, savedArns);
    }

    /** The function as the engine has it: the list shows its layers, unless it holds edits (they are kept). */
    void load(FunctionConfiguration configuration) {
        boolean keepEdits = dirty.get();
        saved = configuration;
        savedArns.set(String.join("\n", arns(configuration)));
        if (!keepEdits) {
            chosen.setAll(arns(configuration));
        }
    }

    private static List<String> arns(FunctionConfiguration configuration) {
        return configuration.layers().stream().map(FunctionLayer::arn).toList();
    }

    /** Reads the region's layer versions to choose from, newest first per layer. */
    void reloadAvailable() {
        scope.tasks().submit(() -> {
            List<LayerVersion> all = new ArrayList<>();
            for (LayerVersion latest : layers.layers(scope.region())) {
                all.addAll(layers.versions(scope.region(), latest.name()));
            }
            return all;
        }, available::setAll, error -> status.set(Errors.message(error)));
    }

    ObservableList<String> chosen() {
        return chosen;
    }

    ObservableList<LayerVersion> available() {
        return available;
    }

    /** The layer versions the function may have next to those chosen: those whose runtimes allow the function's. */
    List<LayerVersion> choices() {
        String runtime = saved == null ? null : saved.runtime();
        return available.stream().filter(v -> runtime == null || v.allows(runtime)).toList();
    }

    /** "name:version" and what it is, for a list of choices. */
    static String describe(LayerVersion version) {
        String runtimes = version.compatibleRuntimes().isEmpty() ? "any runtime"
                : String.join(", ", version.compatibleRuntimes());
        return version.name() + " : " + version.version() + " (" + runtimes + ")"
                + (version.description().isEmpty() ? "" : " - " + version.description());
    }

    /** The shorter name of a chosen ARN: "name:version". */
    static String shortName(String arn) {
        int layer = arn.indexOf(":layer:");
        return layer < 0 ? arn : arn.substring(layer + ":layer:".length());
    }

    /** Why {@code version} cannot be added now, or empty. */
    Optional<String> whyNot(LayerVersion version) {
        if (version == null) {
            return Optional.of("Choose a layer version to add.");
        }
        if (chosen.size() >= MAX_LAYERS) {
            return Optional.of("A function has at most " + MAX_LAYERS + " layers: remove one first.");
        }
        String prefix = version.layerArn() + ":";
        Optional<String> same = chosen.stream().filter(arn -> arn.startsWith(prefix)).findFirst();
        if (same.isPresent()) {
            return Optional.of("The function has " + shortName(same.get()) + " already: a layer is there once."
                    + " Remove it first to use another version.");
        }
        if (saved != null && !version.allows(saved.runtime())) {
            return Optional.of(version.name() + ":" + version.version() + " is not compatible with "
                    + saved.runtime() + ": it lists " + String.join(", ", version.compatibleRuntimes()) + ".");
        }
        return Optional.empty();
    }

    /** Adds {@code version} last (its files over those of the layers before it), or says why not. */
    boolean add(LayerVersion version) {
        Optional<String> why = whyNot(version);
        problem.set(why.orElse(""));
        if (why.isPresent()) {
            return false;
        }
        chosen.add(version.arn());
        status.set("");
        return true;
    }

    void remove(int index) {
        if (index >= 0 && index < chosen.size()) {
            chosen.remove(index);
            problem.set("");
        }
    }

    /** Moves the layer at {@code index} one place earlier (its files then lie under the next one's). */
    void moveUp(int index) {
        if (index > 0 && index < chosen.size()) {
            chosen.add(index - 1, chosen.remove(index));
        }
    }

    void moveDown(int index) {
        if (index >= 0 && index < chosen.size() - 1) {
            chosen.add(index + 1, chosen.remove(index));
        }
    }

    /** Drops the edits. */
    void reset() {
        if (saved != null) {
            chosen.setAll(arns(saved));
        }
        problem.set("");
        status.set("");
    }

    /** Saves the layers in their order; the next invocation finds them under /opt. */
    void save(Runnable onSaved, java.util.function.Consumer<Throwable> onFailure) {
        if (!dirty.get()) {
            onSaved.run();
            return;
        }
        List<String> arns = List.copyOf(chosen);
        saving.set(true);
        status.set("");
        scope.tasks().submit(() -> scope.functions().updateConfiguration(scope.region(), scope.name(),
                ConfigurationChange.none().layers(arns)), updated -> {
                    saving.set(false);
                    saved = updated;
                    savedArns.set(String.join("\n", arns(updated)));
                    chosen.setAll(arns(updated));
                    problem.set("");
                    status.set(arns.isEmpty() ? "Saved: the function has no layers." : "Saved. The next invocation"
                            + " finds the layers under /opt.");
                    onSaved.run();
                }, error -> {
                    saving.set(false);
                    problem.set(Errors.message(error));
                    onFailure.accept(error);
                });
    }

    ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty savingProperty() {
        return saving.getReadOnlyProperty();
    }

    BooleanBinding dirtyProperty() {
        return dirty;
    }
}
