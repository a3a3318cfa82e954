package dev.nube.ui.functions;

import dev.nube.engine.functions.InvocationResult;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.ui.common.Errors;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One synchronous invocation at a time and its outcome: running (since when, for the elapsed time), the result
 * (response or function error, log tail, REPORT figures), or why it could not run (refused before sending, or
 * refused by the engine, e.g. throttled). The engine call runs on the task executor. FX thread only.
 */
public final class InvocationViewModel {
    private final FunctionScope scope;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyLongWrapper startedAtNanos = new ReadOnlyLongWrapper();
    private final ReadOnlyObjectWrapper<InvocationResult> result = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper subject = new ReadOnlyStringWrapper("");

    InvocationViewModel(FunctionScope scope) {
        this.scope = scope;
    }

    /**
     * Invokes {@code qualifier} (null for $LATEST) with {@code json}; {@code label} says what was sent, e.g.
     * "Test event hello-world on $LATEST". Ignored while an invocation runs.
     */
    void invoke(String qualifier, String label, String json) {
        if (running.get()) {
            return;
        }
        subject.set(label);
        result.set(null);
        failure.set("");
        running.set(true);
        startedAtNanos.set(System.nanoTime());
        InvokeRequest request = InvokeRequest.of(json).qualified(qualifier);
        scope.tasks().submit(() -> scope.functions().invoke(scope.region(), scope.name(), request), done -> {
            running.set(false);
            result.set(done);
        }, error -> {
            running.set(false);
            failure.set(Errors.message(error));
        });
    }

    /** Shows why nothing was sent (e.g. the event is not JSON). */
    void refuse(String label, String reason) {
        if (running.get()) {
            return;
        }
        subject.set(label);
        result.set(null);
        failure.set(reason);
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** {@link System#nanoTime()} when the running invocation was sent. */
    ReadOnlyLongProperty startedAtNanosProperty() {
        return startedAtNanos.getReadOnlyProperty();
    }

    /** The last invocation's result, or null. */
    ReadOnlyObjectProperty<InvocationResult> resultProperty() {
        return result.getReadOnlyProperty();
    }

    /** Why the last invocation did not run or did not answer, or empty. */
    ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    /** What the last invocation sent, e.g. "Test event hello-world on $LATEST". */
    ReadOnlyStringProperty subjectProperty() {
        return subject.getReadOnlyProperty();
    }
}
