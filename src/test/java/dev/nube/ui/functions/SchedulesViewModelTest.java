package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.ScheduleRequest;
import dev.nube.engine.functions.ScheduleStatus;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.UiEvents;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Schedules tab's view model over a real engine, without a toolkit: the expression and the input checked as
 * typed, the next runs in UTC and local time, saving, editing, enabling and deleting, and the engine's refusal shown
 * in the form. Saved schedules run in 2199 (the last year a cron expression takes: it stays in the future) or every
 * few minutes, so none fires while the test runs.
 */
class SchedulesViewModelTest {
    private static final String REGION = "local-1";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T14:30:00Z"), ZoneId.of("Europe/Paris"));
    @TempDir
    Path dir;
    private Engine engine;
    private FunctionScope scope;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
        engine.functions().create(REGION, CreateFunctionRequest.of("timed", PYTHON));
        scope = new FunctionScope(REGION, "timed", engine.functions(), engine.functionCode(), engine.functionMonitor(),
                new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run));
    }

    @AfterEach
    void close() {
        scope.close();
        engine.close();
    }

    @Test
    void theFormChecksAsTypedAndPreviewsTheNextRunsInUtcAndLocalTime() {
        SchedulesViewModel model = new SchedulesViewModel(scope, engine.functionSchedules(), CLOCK);
        model.newSchedule();
        assertTrue(model.editingProperty().get());
        assertEquals("rate(5 minutes)", model.expressionProperty().get());
        assertEquals(List.of("Thu 2026-12-03 14:35 UTC  (Thu 2026-12-03 15:35 CET)",
                "Thu 2026-12-03 14:40 UTC  (Thu 2026-12-03 15:40 CET)",
                "Thu 2026-12-03 14:45 UTC  (Thu 2026-12-03 15:45 CET)",
                "Thu 2026-12-03 14:50 UTC  (Thu 2026-12-03 15:50 CET)",
                "Thu 2026-12-03 14:55 UTC  (Thu 2026-12-03 15:55 CET)"), model.preview());
        assertFalse(model.validProperty().get(), "no name yet");

        model.expressionProperty().set("rate(5 minute)");
        assertTrue(model.expressionProblemProperty().get().contains("plural: rate(5 minutes)"),
                model.expressionProblemProperty().get());
        assertEquals(List.of(), model.preview());
        model.expressionProperty().set("cron(0 23 ? * MON-FRI *)");
        assertEquals("", model.expressionProblemProperty().get());
        assertEquals("Thu 2026-12-03 23:00 UTC  (Fri 2026-12-04 00:00 CET)", model.preview().get(0));
        assertEquals("Mon 2026-12-07 23:00 UTC  (Tue 2026-12-08 00:00 CET)", model.preview().get(2));
        model.expressionProperty().set("cron(0 0 1 1 ? 2020)");
        assertEquals(List.of("It never runs: no time after now matches."), model.preview());

        model.nameProperty().set("nightly");
        model.expressionProperty().set("cron(0 12 1 1 ? 2199)");
        model.inputProperty().set("{\"report\": ");
        assertTrue(model.inputProblemProperty().get().startsWith("Not valid JSON"));
        assertFalse(model.validProperty().get());
        model.inputProperty().set("{\"report\": \"daily\"}");
        assertTrue(model.validProperty().get());
        model.save();
        assertFalse(model.editingProperty().get(), "saved: the form closes");
        assertEquals(1, model.schedules().size());
        ScheduleStatus saved = model.schedules().get(0);
        assertEquals("nightly", saved.schedule().name());
        assertEquals("{\"report\": \"daily\"}", saved.schedule().input());
        assertEquals("Tue 2199-01-01 12:00", SchedulesViewModel.nextRunUtc(saved));
        assertEquals("Tue 2199-01-01 13:00 CET", model.nextRunLocal(saved));
    }

    @Test
    void editEnableAndDeleteReachTheEngineAndItsRefusalIsShown() {
        SchedulesViewModel model = new SchedulesViewModel(scope, engine.functionSchedules(), CLOCK);
        model.newSchedule();
        model.nameProperty().set("bad name");
        model.save();
        assertTrue(model.editingProperty().get(), "refused: the form stays open");
        assertTrue(model.formProblemProperty().get().startsWith("A schedule name may hold only"),
                model.formProblemProperty().get());
        model.nameProperty().set("every-five");
        model.save();
        ScheduleStatus saved = model.schedules().get(0);
        assertNull(saved.schedule().input(), "no input: the Scheduled Event");

        model.edit(saved);
        assertTrue(model.existingProperty().get(), "the name of a saved schedule is fixed");
        assertEquals("rate(5 minutes)", model.expressionProperty().get());
        model.expressionProperty().set("rate(10 minutes)");
        model.save();
        assertEquals("rate(10 minutes)", model.schedules().get(0).schedule().expression());

        model.setEnabled(model.schedules().get(0), false);
        assertFalse(model.schedules().get(0).schedule().enabled());
        assertEquals("Disabled", SchedulesViewModel.nextRunUtc(model.schedules().get(0)));
        assertEquals("", model.nextRunLocal(model.schedules().get(0)));

        engine.functionSchedules().putSchedule(REGION, "timed", new ScheduleRequest("from-elsewhere",
                "cron(0 12 1 1 ? 2199)", true, null));
        assertEquals(List.of("every-five", "from-elsewhere"), model.schedules().stream()
                .map(s -> s.schedule().name()).toList(), "a change made elsewhere shows");

        model.delete(model.schedules().get(0));
        assertEquals(List.of("from-elsewhere"), model.schedules().stream().map(s -> s.schedule().name()).toList());
        assertEquals("Deleted schedule every-five.", model.statusProperty().get());
    }

    @Test
    void aNewScheduleMayNotTakeTheNameOfOneThatExists() {
        SchedulesViewModel model = new SchedulesViewModel(scope, engine.functionSchedules(), CLOCK);
        engine.functionSchedules().putSchedule(REGION, "timed", new ScheduleRequest("nightly", "cron(0 2 * * ? 2199)",
                true, "{\"keep\": true}"));
        model.newSchedule();
        model.nameProperty().set("nightly ");
        assertEquals("The function already has a schedule named nightly. Choose another name, or edit that schedule.",
                model.nameProblemProperty().get());
        assertFalse(model.validProperty().get(), "a taken name cannot be saved");
        model.save();
        assertTrue(model.editingProperty().get(), "refused: the form stays open");
        ScheduleStatus kept = engine.functionSchedules().schedules(REGION, "timed").get(0);
        assertEquals("cron(0 2 * * ? 2199)", kept.schedule().expression(), "the existing schedule is untouched");
        assertEquals("{\"keep\": true}", kept.schedule().input());

        model.nameProperty().set("nightly-2");
        assertEquals("", model.nameProblemProperty().get());
        assertTrue(model.validProperty().get());

        model.edit(model.schedules().get(0));
        assertEquals("", model.nameProblemProperty().get(), "editing keeps the schedule's own name");
        assertTrue(model.validProperty().get());
    }
}
