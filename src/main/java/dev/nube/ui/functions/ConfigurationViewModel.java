package dev.nube.ui.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.ConfigurationChange;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionRules;
import dev.nube.ui.common.Errors;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * The Configuration tab's form: handler, memory, timeout, environment variables (4 KB in all, reserved names
 * refused), reserved concurrency and description, each checked as typed with AWS's rules, and saved together.
 * Changes reach the next invocation (the engine starts a new environment). FX thread only.
 */
final class ConfigurationViewModel {
    private final FunctionScope scope;
    private final ReadOnlyObjectWrapper<FunctionConfiguration> saved = new ReadOnlyObjectWrapper<>();
    private final StringProperty handler = new SimpleStringProperty("");
    private final IntegerProperty memory = new SimpleIntegerProperty(MemorySize.MIN);
    private final StringProperty timeout = new SimpleStringProperty("");
    private final StringProperty description = new SimpleStringProperty("");
    private final BooleanProperty reserve = new SimpleBooleanProperty();
    private final StringProperty reserved = new SimpleStringProperty("");
    private final ObservableList<EnvironmentVariable> variables = FXCollections.observableArrayList(
            EnvironmentVariable::observables);
    private final ReadOnlyIntegerWrapper environmentBytes = new ReadOnlyIntegerWrapper();
    private final ReadOnlyStringWrapper environmentProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper handlerProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper timeoutProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper reservedProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper saving = new ReadOnlyBooleanWrapper();
    private final BooleanBinding dirty;
    private final BooleanBinding valid;

    ConfigurationViewModel(FunctionScope scope) {
        this.scope = scope;
        handler.addListener((obs, old, text) -> handlerProblem.set(FunctionRules.handlerProblem(text).orElse("")));
        timeout.addListener((obs, old, text) -> timeoutProblem.set(timeoutProblem(text)));
        reserve.addListener((obs, old, on) -> reservedProblem.set(reservedProblem()));
        reserved.addListener((obs, old, text) -> reservedProblem.set(reservedProblem()));
        variables.addListener((ListChangeListener<EnvironmentVariable>) change -> checkVariables());
        dirty = Bindings.createBooleanBinding(() -> saved.get() != null && !change().equals(ConfigurationChange.none())
                || reservedChanged(), saved, handler, memory, timeout, description, variables, reserve, reserved);
        valid = Bindings.createBooleanBinding(() -> handlerProblem.get().isEmpty() && timeoutProblem.get().isEmpty()
                && environmentProblem.get().isEmpty() && reservedProblem.get().isEmpty(), handlerProblem,
                timeoutProblem, environmentProblem, reservedProblem);
    }

    /** A configuration read from the engine: the form shows it, unless it holds edits (they are kept). */
    void load(FunctionConfiguration configuration) {
        boolean keepEdits = dirty.get();
        saved.set(configuration);
        if (!keepEdits) {
            showSaved();
        }
    }

    /** Drops the edits: the form shows the saved configuration again. */
    void reset() {
        showSaved();
        status.set("");
    }

    private void showSaved() {
        FunctionConfiguration c = saved.get();
        if (c == null) {
            return;
        }
        handler.set(c.handler());
        memory.set(c.memoryMb());
        timeout.set(Integer.toString(c.timeoutSeconds()));
        description.set(c.description());
        reserve.set(c.reservedConcurrency() != null);
        reserved.set(c.reservedConcurrency() == null ? "" : c.reservedConcurrency().toString());
        variables.setAll(c.environment().entrySet().stream().map(e -> new EnvironmentVariable(e.getKey(),
                e.getValue())).toList());
    }

    private static String timeoutProblem(String text) {
        int seconds = number(text);
        return seconds >= 1 && seconds <= FunctionRules.MAX_TIMEOUT_SECONDS ? ""
                : "The timeout is a whole number of seconds from 1 to " + FunctionRules.MAX_TIMEOUT_SECONDS + ".";
    }

    private String reservedProblem() {
        return !reserve.get() || number(reserved.get()) >= 0 ? ""
                : "Reserved concurrency is a whole number of concurrent executions (0 stops all invocations).";
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Re-checks every row (a duplicate depends on the others) and the 4 KB total. */
    private void checkVariables() {
        Set<String> seen = new HashSet<>();
        boolean rowProblem = false;
        for (EnvironmentVariable variable : variables) {
            String problem;
            if (variable.key().isBlank()) {
                problem = "Enter a name.";
            } else if (FunctionRules.reservedVariable(variable.key())) {
                problem = variable.key() + " is reserved: Lambda sets it itself.";
            } else if (!seen.add(variable.key())) {
                problem = variable.key() + " is defined twice.";
            } else {
                problem = FunctionRules.environmentProblem(Map.of(variable.key(), "")).orElse("");
            }
            variable.setProblem(problem);
            rowProblem |= !problem.isEmpty();
        }
        Map<String, String> map = environment();
        environmentBytes.set(FunctionRules.environmentBytes(map));
        environmentProblem.set(rowProblem ? "Fix the variables marked above."
                : FunctionRules.environmentProblem(map).orElse(""));
    }

    private Map<String, String> environment() {
        Map<String, String> map = new LinkedHashMap<>();
        variables.forEach(v -> map.putIfAbsent(v.key(), v.value()));
        return map;
    }

    /** What differs from the saved configuration (fields left null are unchanged). */
    private ConfigurationChange change() {
        FunctionConfiguration c = saved.get();
        if (c == null) {
            return ConfigurationChange.none();
        }
        ConfigurationChange change = ConfigurationChange.none();
        if (!handler.get().equals(c.handler())) {
            change = change.handler(handler.get());
        }
        if (memory.get() != c.memoryMb()) {
            change = change.memory(memory.get());
        }
        if (number(timeout.get()) != c.timeoutSeconds()) {
            change = change.timeout(number(timeout.get()));
        }
        if (!description.get().equals(c.description())) {
            change = change.description(description.get());
        }
        Map<String, String> environment = environment();
        if (!environment.equals(c.environment()) || variables.size() != c.environment().size()) {
            change = change.environment(environment);
        }
        return change;
    }

    private Integer reservedValue() {
        return reserve.get() ? Integer.valueOf(Math.max(0, number(reserved.get()))) : null;
    }

    private boolean reservedChanged() {
        return saved.get() != null && !Objects.equals(reservedValue(), saved.get().reservedConcurrency());
    }

    /** Saves the edits; the next invocation runs them. */
    void save(Runnable onSaved, Consumer<Throwable> onFailure) {
        if (!dirty.get()) {
            onSaved.run();
            return;
        }
        if (!valid.get()) {
            onFailure.accept(new EngineException("InvalidParameterValueException", "The configuration holds values"
                    + " Lambda refuses (marked in the Configuration tab): fix them or discard the edits."));
            return;
        }
        ConfigurationChange change = change();
        boolean reservedChanged = reservedChanged();
        Integer reservedValue = reservedValue();
        saving.set(true);
        scope.tasks().submit(() -> {
            FunctionConfiguration updated = null; // saving runs only when something changed: one of these runs
            if (!change.equals(ConfigurationChange.none())) {
                updated = scope.functions().updateConfiguration(scope.region(), scope.name(), change);
            }
            if (reservedChanged) {
                updated = scope.functions().putReservedConcurrency(scope.region(), scope.name(), reservedValue);
            }
            return updated;
        }, updated -> {
            saving.set(false);
            saved.set(updated);
            showSaved();
            status.set("Saved. The next invocation runs with this configuration.");
            onSaved.run();
        }, error -> {
            saving.set(false);
            status.set(Errors.message(error));
            onFailure.accept(error);
        });
    }

    void addVariable() {
        variables.add(new EnvironmentVariable("", ""));
    }

    void removeVariable(EnvironmentVariable variable) {
        variables.remove(variable);
    }

    ObservableList<EnvironmentVariable> variables() {
        return variables;
    }

    StringProperty handlerProperty() {
        return handler;
    }

    IntegerProperty memoryProperty() {
        return memory;
    }

    StringProperty timeoutProperty() {
        return timeout;
    }

    StringProperty descriptionProperty() {
        return description;
    }

    BooleanProperty reserveProperty() {
        return reserve;
    }

    StringProperty reservedProperty() {
        return reserved;
    }

    ReadOnlyIntegerProperty environmentBytesProperty() {
        return environmentBytes.getReadOnlyProperty();
    }

    ReadOnlyStringProperty environmentProblemProperty() {
        return environmentProblem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty handlerProblemProperty() {
        return handlerProblem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty timeoutProblemProperty() {
        return timeoutProblem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty reservedProblemProperty() {
        return reservedProblem.getReadOnlyProperty();
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

    BooleanBinding validProperty() {
        return valid;
    }
}
