package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionRules;
import dev.nube.engine.functions.TestEvent;
import dev.nube.ui.common.Errors;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Test tab: the function's saved test events, the event being edited (name and JSON, checked as typed), event
 * templates, and invoking $LATEST with the event; the invocation's outcome is shared with the Code tab's Test
 * button. Engine calls run on the task executor. FX thread only.
 */
public final class TestViewModel {
    private final FunctionScope scope;
    private final ObservableList<TestEvent> events = FXCollections.observableArrayList();
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty json = new SimpleStringProperty("");
    /** The name and JSON as saved (or as the template gave them): edits beyond these are unsaved. */
    private final ReadOnlyStringWrapper baselineName = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper baselineJson = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper jsonProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper nameProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final BooleanBinding dirty;
    private final InvocationViewModel invocation;

    TestViewModel(FunctionScope scope) {
        this.scope = scope;
        this.invocation = new InvocationViewModel(scope);
        json.addListener((obs, old, text) -> jsonProblem.set(JsonText.problem(text).orElse("")));
        name.addListener((obs, old, text) -> nameProblem.set(FunctionRules.testEventNameProblem(text).orElse("")));
        dirty = Bindings.createBooleanBinding(() -> !name.get().equals(baselineName.get())
                || !json.get().equals(baselineJson.get()), name, json, baselineName, baselineJson);
        edit(EventTemplate.HELLO_WORLD.eventName(), EventTemplate.HELLO_WORLD.json());
        reload(true);
    }

    /** Re-reads the saved events; {@code selectFirst} shows the first of them in the editor. */
    void reload(boolean selectFirst) {
        scope.tasks().submit(() -> scope.functions().testEvents(scope.region(), scope.name()), saved -> {
            events.setAll(saved);
            if (selectFirst && !saved.isEmpty() && !dirty.get()) {
                select(saved.get(0));
            }
        }, error -> status.set(Errors.message(error)));
    }

    ObservableList<TestEvent> events() {
        return events;
    }

    public StringProperty nameProperty() {
        return name;
    }

    StringProperty jsonProperty() {
        return json;
    }

    /** Why the JSON cannot be sent, with line and column, or empty. */
    ReadOnlyStringProperty jsonProblemProperty() {
        return jsonProblem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty nameProblemProperty() {
        return nameProblem.getReadOnlyProperty();
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** True when the name or JSON differ from what was saved (or from the template they came from). */
    BooleanBinding dirtyProperty() {
        return dirty;
    }

    public InvocationViewModel invocation() {
        return invocation;
    }

    /** Shows a saved event (the view asks first when the current one has unsaved edits). */
    void select(TestEvent event) {
        edit(event.name(), event.json());
    }

    /** Starts a new event from a template, named after it (the view asks first about unsaved edits). */
    void newFrom(EventTemplate template) {
        String base = template.eventName();
        String candidate = base;
        for (int i = 2; taken(candidate); i++) {
            candidate = base + "-" + i;
        }
        edit(candidate, template.json()); // an untouched template is no unsaved edit
    }

    private boolean taken(String candidate) {
        return events.stream().anyMatch(e -> e.name().equals(candidate));
    }

    private void edit(String eventName, String text) {
        name.set(eventName);
        json.set(text);
        baselineName.set(eventName);
        baselineJson.set(text);
        status.set("");
    }

    /** Indents the JSON two spaces a level (left as it is when it is not JSON). */
    void format() {
        json.set(JsonText.pretty(json.get()));
    }

    /** Saves the event under its name (replacing one of that name). */
    void save(Runnable onSaved, Consumer<Throwable> onFailure) {
        TestEvent event = new TestEvent(name.get(), json.get());
        scope.tasks().submit(() -> scope.functions().saveTestEvent(scope.region(), scope.name(), event), saved -> {
            baselineName.set(saved.name());
            baselineJson.set(saved.json());
            status.set("Saved test event " + saved.name());
            reload(false);
            onSaved.run();
        }, error -> {
            status.set(Errors.message(error));
            onFailure.accept(error);
        });
    }

    /** Deletes the saved event of the current name. */
    void delete() {
        String eventName = name.get();
        scope.tasks().submit(() -> {
            scope.functions().deleteTestEvent(scope.region(), scope.name(), eventName);
            return null;
        }, ignored -> {
            status.set("Deleted test event " + eventName);
            events.removeIf(e -> e.name().equals(eventName));
            if (events.isEmpty()) {
                edit(EventTemplate.HELLO_WORLD.eventName(), EventTemplate.HELLO_WORLD.json());
            } else {
                select(events.get(0));
            }
        }, error -> status.set(Errors.message(error)));
    }

    /** Invokes $LATEST with the event, unless its JSON is invalid: then nothing is sent and the result says why. */
    public void invoke() {
        String label = "Test event " + name.get() + " on $LATEST";
        if (!jsonProblem.get().isEmpty()) {
            invocation.refuse(label, "Not sent: the event is not valid JSON. " + jsonProblem.get());
            return;
        }
        invocation.invoke(null, label, json.get());
    }
}
