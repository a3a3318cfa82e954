package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionEvents;
import dev.nube.engine.functions.FunctionVersion;
import dev.nube.ui.common.Errors;
import dev.nube.ui.functions.code.CodeViewModel;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import java.time.Duration;
import java.time.Instant;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

/**
 * The Versions tab: published versions (newest first) with the invocations each ran in the last 24 hours (kept up to
 * date as invocations finish), publishing $LATEST, a version's code read-only, and invoking a version with JSON the
 * person picks. Engine calls run on the task executor. FX thread only.
 */
final class VersionsViewModel {
    private final FunctionScope scope;
    private final ObservableList<FunctionVersion> versions = FXCollections.observableArrayList();
    private final InvocationViewModel invocation;
    private final ObservableMap<String, Long> invocations = FXCollections.observableHashMap();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private boolean counting;
    private boolean countAgain;

    VersionsViewModel(FunctionScope scope) {
        this.scope = scope;
        this.invocation = new InvocationViewModel(scope);
        scope.on(FunctionEvents.InvocationFinished.class, finished -> {
            if (scope.is(finished.region(), finished.functionName())) {
                count();
            }
        });
        reload();
    }

    void reload() {
        scope.tasks().submit(() -> scope.functions().versions(scope.region(), scope.name()), found -> {
            versions.setAll(found);
            FXCollections.reverse(versions);
        }, error -> status.set(Errors.message(error)));
        count();
    }

    /**
     * Re-reads the invocations per version; while a read is under way, one more follows it (a burst of invocations
     * makes two reads, not one per invocation).
     */
    private void count() {
        if (counting) {
            countAgain = true;
            return;
        }
        counting = true;
        Instant now = Instant.now();
        scope.tasks().submit(() -> scope.monitor().invocationsByVersion(scope.region(), scope.name(),
                now.minus(Duration.ofHours(24)), now), counted -> {
                    invocations.keySet().retainAll(counted.keySet());
                    invocations.putAll(counted);
                    countDone();
                }, error -> countDone());
    }

    private void countDone() {
        counting = false;
        if (countAgain) {
            countAgain = false;
            count();
        }
    }

    /** Invocations per executed version ($LATEST or a number) in the last 24 hours. */
    ObservableMap<String, Long> invocations() {
        return invocations;
    }

    /** The invocations {@code version} ran in the last 24 hours. */
    long invocationsOf(String version) {
        return invocations.getOrDefault(version, 0L);
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
