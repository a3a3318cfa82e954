package dev.nube.ui.functions;

import dev.nube.engine.functions.ScheduleRequest;
import dev.nube.engine.functions.ScheduleRun;
import dev.nube.engine.functions.ScheduleService;
import dev.nube.engine.functions.ScheduleStatus;
import dev.nube.engine.functions.SchedulesChanged;
import dev.nube.engine.functions.schedules.ScheduleExpression;
import dev.nube.ui.common.Errors;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * The Schedules tab: the function's schedule triggers with their next and last runs, and a form that makes a new
 * one or edits one (the name stays), checking the expression and the constant input as they are typed and showing
 * the next five runs in UTC and in local time. Engine calls run on the task executor; the list reloads when the
 * engine says the schedules changed or ran. FX thread only.
 */
final class SchedulesViewModel {
    /** How many future runs the form shows. */
    static final int PREVIEW_RUNS = 5;
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter UTC_SHORT = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm zzz");

    private final FunctionScope scope;
    private final ScheduleService service;
    private final Clock clock;
    private final ObservableList<ScheduleStatus> schedules = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper editing = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper existing = new ReadOnlyBooleanWrapper(false);
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty expression = new SimpleStringProperty("");
    private final BooleanProperty enabled = new SimpleBooleanProperty(true);
    private final StringProperty input = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper nameProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper expressionProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper inputProblem = new ReadOnlyStringWrapper("");
    private final ObservableList<String> preview = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper formProblem = new ReadOnlyStringWrapper("");
    private final BooleanBinding valid;

    /** @param clock gives "now" for the preview and the local time zone its times are shown in */
    SchedulesViewModel(FunctionScope scope, ScheduleService service, Clock clock) {
        this.scope = scope;
        this.service = service;
        this.clock = clock;
        expression.addListener((obs, old, text) -> updatePreview());
        input.addListener((obs, old, text) -> inputProblem.set(text == null || text.isBlank() ? ""
                : JsonText.problem(text).map(p -> "Not valid JSON: " + p).orElse("")));
        name.addListener((obs, old, text) -> updateNameProblem());
        existing.addListener((obs, old, now) -> updateNameProblem());
        schedules.addListener((ListChangeListener<ScheduleStatus>) change -> updateNameProblem());
        valid = Bindings.createBooleanBinding(() -> !name.get().isBlank() && !expression.get().isBlank()
                && nameProblem.get().isEmpty() && expressionProblem.get().isEmpty() && inputProblem.get().isEmpty(),
                name, expression, nameProblem, expressionProblem, inputProblem);
        scope.on(SchedulesChanged.class, changed -> {
            if (scope.is(changed.region(), changed.functionName())) {
                reload();
            }
        });
        reload();
    }

    void reload() {
        scope.tasks().submit(() -> service.schedules(scope.region(), scope.name()), schedules::setAll,
                error -> status.set(Errors.message(error)));
    }

    /** Opens the form for a new schedule, every 5 minutes by default. */
    void newSchedule() {
        existing.set(false);
        name.set("");
        expression.set("rate(5 minutes)");
        enabled.set(true);
        input.set("");
        formProblem.set("");
        updatePreview();
        editing.set(true);
    }

    /** Opens the form on {@code schedule}; its name cannot change (delete it and make another to rename it). */
    void edit(ScheduleStatus schedule) {
        existing.set(true);
        name.set(schedule.schedule().name());
        expression.set(schedule.schedule().expression());
        enabled.set(schedule.schedule().enabled());
        input.set(schedule.schedule().input() == null ? "" : schedule.schedule().input());
        formProblem.set("");
        updatePreview();
        editing.set(true);
    }

    void cancel() {
        editing.set(false);
    }

    /** Saves the form; it closes when the engine took it, else it shows why not. */
    void save() {
        if (!valid.get()) {
            return;
        }
        ScheduleRequest request = new ScheduleRequest(name.get().strip(), expression.get(), enabled.get(),
                input.get());
        scope.tasks().submit(() -> service.putSchedule(scope.region(), scope.name(), request), saved -> {
            editing.set(false);
            status.set("Saved schedule " + saved.name() + ".");
            reload();
        }, error -> formProblem.set(Errors.message(error)));
    }

    void setEnabled(ScheduleStatus schedule, boolean on) {
        String scheduleName = schedule.schedule().name();
        scope.tasks().submit(() -> service.setEnabled(scope.region(), scope.name(), scheduleName, on), saved -> {
            status.set((on ? "Enabled" : "Disabled") + " schedule " + scheduleName + ".");
            reload();
        }, error -> status.set(Errors.message(error)));
    }

    void delete(ScheduleStatus schedule) {
        String scheduleName = schedule.schedule().name();
        scope.tasks().submit(() -> {
            service.deleteSchedule(scope.region(), scope.name(), scheduleName);
            return scheduleName;
        }, deleted -> {
            status.set("Deleted schedule " + deleted + ".");
            reload();
        }, error -> status.set(Errors.message(error)));
    }

    /**
     * A new schedule may not take the name of one the function has: the engine would replace that one (its put
     * makes or replaces), so the form refuses it and points to editing instead.
     */
    private void updateNameProblem() {
        String typed = name.get() == null ? "" : name.get().strip();
        boolean taken = !existing.get() && schedules.stream().anyMatch(s -> s.schedule().name().equals(typed));
        nameProblem.set(taken ? "The function already has a schedule named " + typed + ". Choose another name, or"
                + " edit that schedule." : "");
    }

    private void updatePreview() {
        String text = expression.get();
        String problem = text == null || text.isBlank() ? "" : ScheduleExpression.problem(text);
        expressionProblem.set(problem);
        if (text == null || text.isBlank() || !problem.isEmpty()) {
            preview.clear();
            return;
        }
        Instant now = clock.instant(); // a saved rate counts from when it is saved: about now
        List<Instant> next = ScheduleExpression.parse(text).nextTimes(now, now, PREVIEW_RUNS);
        preview.setAll(next.isEmpty() ? List.of("It never runs: no time after now matches.")
                : next.stream().map(this::both).toList());
    }

    /** A time in UTC and in the local zone: "Fri 2026-12-04 12:00 UTC  (Fri 2026-12-04 13:00 CET)". */
    String both(Instant time) {
        return utc(time) + "  (" + local(time) + ")";
    }

    static String utc(Instant time) {
        return UTC.format(time);
    }

    /** A time in the local zone: "Fri 2026-12-04 13:00 CET". */
    String local(Instant time) {
        return LOCAL.withZone(clock.getZone()).format(time);
    }

    /** The run in words: "Succeeded", "Failed: ...", for the runs table. */
    static String outcome(ScheduleRun run) {
        String word = switch (run.outcome()) {
            case INVOKED -> "Invoked, running";
            case SUCCEEDED -> "Succeeded";
            case FAILED -> "Failed";
            case NOT_INVOKED -> "Not invoked";
        };
        return run.message() == null ? word : word + ": " + run.message();
    }

    /** The schedule's next run in UTC (the column says so), or why there is none, for the table. */
    static String nextRunUtc(ScheduleStatus schedule) {
        if (!schedule.schedule().enabled()) {
            return "Disabled";
        }
        return schedule.nextRun() == null ? "Never again" : UTC_SHORT.format(schedule.nextRun());
    }

    /** The schedule's next run in local time, or empty when there is none, for the table. */
    String nextRunLocal(ScheduleStatus schedule) {
        return schedule.schedule().enabled() && schedule.nextRun() != null ? local(schedule.nextRun()) : "";
    }

    ObservableList<ScheduleStatus> schedules() {
        return schedules;
    }

    ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** True while the form is open. */
    ReadOnlyBooleanProperty editingProperty() {
        return editing.getReadOnlyProperty();
    }

    /** True when the form edits a saved schedule (its name is fixed). */
    ReadOnlyBooleanProperty existingProperty() {
        return existing.getReadOnlyProperty();
    }

    StringProperty nameProperty() {
        return name;
    }

    StringProperty expressionProperty() {
        return expression;
    }

    BooleanProperty enabledProperty() {
        return enabled;
    }

    StringProperty inputProperty() {
        return input;
    }

    /** What is wrong with the name as typed (a new schedule's name taken by another), or empty. */
    ReadOnlyStringProperty nameProblemProperty() {
        return nameProblem.getReadOnlyProperty();
    }

    /** What is wrong with the expression as typed, or empty. */
    ReadOnlyStringProperty expressionProblemProperty() {
        return expressionProblem.getReadOnlyProperty();
    }

    /** What is wrong with the constant input as typed, or empty (blank means the Scheduled Event). */
    ReadOnlyStringProperty inputProblemProperty() {
        return inputProblem.getReadOnlyProperty();
    }

    /** The next runs of the expression as typed, in UTC and local time (empty while it is invalid). */
    ObservableList<String> preview() {
        return preview;
    }

    /** Why the engine refused the form, or empty. */
    ReadOnlyStringProperty formProblemProperty() {
        return formProblem.getReadOnlyProperty();
    }

    BooleanBinding validProperty() {
        return valid;
    }
}
