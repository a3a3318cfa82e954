package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionVersion;
import dev.nube.ui.common.Errors;
import dev.nube.ui.functions.code.CodeViewModel;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Versions tab: published versions (newest first), publishing $LATEST, a version's code read-only, and
 * invoking a version with JSON the person picks. Engine calls run on the task executor. FX thread only.
 */
final class VersionsViewModel {
    private final FunctionScope scope;
    private final ObservableList<FunctionVersion> versions = FXCollections.observableArrayList();
    private final InvocationViewModel invocation;
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");

    VersionsViewModel(FunctionScope scope) {
        this.scope = scope;
        this.invocation = new InvocationViewModel(scope);
        reload();
    }

    void reload() {
        scope.tasks().submit(() -> scope.functions().versions(scope.region(), scope.name()), found -> {
            versions.setAll(found);
            FXCollections.reverse(versions);
        }, error -> status.set(Errors.message(error)));
    }

    /** Publishes $LATEST as it is saved now (unsaved editor edits are not in it). */
    void publish(String description) {
        scope.tasks().submit(() -> scope.functions().publishVersion(scope.region(), scope.name(), description),
                version -> {
                    status.set("Published version " + version.version());
                    reload();
                }, error -> status.set(Errors.message(error)));
    }

    /** The code of {@code version}, read-only. */
    CodeViewModel code(FunctionVersion version) {
        return new CodeViewModel(scope, version.version());
    }

    /** Invokes {@code version} with {@code json}, unless it is not valid JSON (then nothing is sent). */
    void invoke(FunctionVersion version, String json) {
        String label = "Version " + version.version();
        String problem = JsonText.problem(json).orElse("");
        if (!problem.isEmpty()) {
            invocation.refuse(label, "Not sent: the event is not valid JSON. " + problem);
            return;
        }
        invocation.invoke(version.version(), label, json);
    }

    ObservableList<FunctionVersion> versions() {
        return versions;
    }

    InvocationViewModel invocation() {
        return invocation;
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
