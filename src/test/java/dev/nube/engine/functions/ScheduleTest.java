package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Schedules firing real sandboxed functions on a clock the test moves: the Scheduled Event a handler receives, the
 * constant input instead, a disabled schedule staying quiet, runs missed while closed not made up for, and schedules
 * going with their function.
 */
class ScheduleTest extends SandboxTestBase {
    private static final Instant START = Instant.parse("2026-12-03T14:30:00Z");
    private static final String PRINTS_EVENT = """
            import json
            def lambda_handler(event, context):
                print("EVENT " + json.dumps(event))
                return "ok"
            """;

    private static FunctionSchedules scheduler(ManualScheduleTime time) {
        FunctionSchedules schedules = new FunctionSchedules((Functions) f.functions, time);
        schedules.start();
        return schedules;
    }

    private static ScheduleStatus status(FunctionSchedules schedules, String function, String name) {
        return schedules.schedules(REGION, function).stream().filter(s -> s.schedule().name().equals(name))
                .findFirst().orElseThrow();
    }

    /** The events the function printed, oldest first. */
    private static List<JsonNode> printedEvents(String function) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (LogEvent line : f.monitor.logEvents(REGION, function, LogQuery.all().containing("EVENT "))) {
            events.add(Json.mapper().readTree(line.message().substring(line.message().indexOf("EVENT ") + 6)));
        }
        return events;
    }

    private static void awaitOutcome(FunctionSchedules schedules, String function, String name,
            ScheduleRun.Outcome outcome) throws Exception {
        waitUntil("the run of " + name + " is " + outcome, 60,
                () -> status(schedules, function, name).lastRuns().get(0).outcome() == outcome);
    }

    @Test
    void aRateOfOneMinuteInvokesTheFunctionWithTheScheduledEvent() throws Exception {
        f.python("sched-rate", PRINTS_EVENT);
        ManualScheduleTime time = new ManualScheduleTime(START);
        try (FunctionSchedules schedules = scheduler(time)) {
            schedules.putSchedule(REGION, "sched-rate", new ScheduleRequest("every-minute", "rate(1 minute)", true,
                    null));
            assertEquals(Instant.parse("2026-12-03T14:31:00Z"), status(schedules, "sched-rate", "every-minute")
                    .nextRun());
            time.awaitIdle();
            assertEquals(List.of(), status(schedules, "sched-rate", "every-minute").lastRuns(), "not due yet");

            time.advance(Duration.ofMinutes(1));
            time.awaitIdle();
            ScheduleStatus fired = status(schedules, "sched-rate", "every-minute");
            assertEquals(1, fired.lastRuns().size());
            ScheduleRun run = fired.lastRuns().get(0);
            assertEquals(Instant.parse("2026-12-03T14:31:00Z"), run.time());
            assertNotNull(run.requestId(), "invoked");
            assertEquals(Instant.parse("2026-12-03T14:32:00Z"), fired.nextRun());
            awaitOutcome(schedules, "sched-rate", "every-minute", ScheduleRun.Outcome.SUCCEEDED);

            List<JsonNode> events = printedEvents("sched-rate");
            assertEquals(1, events.size());
            JsonNode event = events.get(0);
            List<String> fields = new ArrayList<>();
            event.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("version", "id", "detail-type", "source", "account", "time", "region", "resources",
                    "detail"), fields);
            assertEquals("0", event.get("version").asText());
            assertTrue(event.get("id").asText().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                    + "-[0-9a-f]{12}"), event.get("id").asText());
            assertEquals("Scheduled Event", event.get("detail-type").asText());
            assertEquals("aws.events", event.get("source").asText());
            assertEquals("000000000000", event.get("account").asText());
            assertEquals("2026-12-03T14:31:00Z", event.get("time").asText());
            assertEquals(REGION, event.get("region").asText());
            assertEquals(Json.mapper().readTree("[\"arn:aws:events:" + REGION + ":000000000000:rule/every-minute\"]"),
                    event.get("resources"));
            assertEquals(Json.mapper().createObjectNode(), event.get("detail"));
            assertEquals(1, f.monitor.logEvents(REGION, "sched-rate", LogQuery.all().containing("START RequestId: "
                    + run.requestId())).size(), "the log names the run's request id");

            time.advance(Duration.ofMinutes(1));
            time.awaitIdle();
            assertEquals(Instant.parse("2026-12-03T14:32:00Z"), status(schedules, "sched-rate", "every-minute")
                    .lastRuns().get(0).time(), "the newest run first");
            awaitOutcome(schedules, "sched-rate", "every-minute", ScheduleRun.Outcome.SUCCEEDED);
        }
    }

    @Test
    void aRunWhoseFunctionFailsIsRecordedAsFailed() throws Exception {
        f.python("sched-fails", """
                def lambda_handler(event, context):
                    raise ValueError("no " + event["detail-type"])
                """);
        ManualScheduleTime time = new ManualScheduleTime(START);
        FunctionSettings settings = f.functions.settings();
        f.functions.updateSettings(settings.withAsyncRetryDelays(List.of())); // no retry left queued for minutes
        try (FunctionSchedules schedules = scheduler(time)) {
            schedules.putSchedule(REGION, "sched-fails", new ScheduleRequest("daily", "cron(0 15 * * ? *)", true,
                    null));
            time.advance(Duration.ofMinutes(30));
            time.awaitIdle();
            awaitOutcome(schedules, "sched-fails", "daily", ScheduleRun.Outcome.FAILED);
            ScheduleRun run = status(schedules, "sched-fails", "daily").lastRuns().get(0);
            assertEquals(Instant.parse("2026-12-03T15:00:00Z"), run.time());
            assertTrue(run.message().contains("its log has the request id"), run.message());
            assertFalse(f.monitor.logEvents(REGION, "sched-fails", LogQuery.all().containing("no Scheduled Event"))
                    .isEmpty(), "the handler saw the Scheduled Event and failed on it");
        } finally {
            f.functions.updateSettings(settings);
        }
    }

    @Test
    void aDisabledScheduleStaysQuietAndEnablingItSendsTheConstantInput() throws Exception {
        f.python("sched-off", PRINTS_EVENT);
        ManualScheduleTime time = new ManualScheduleTime(START);
        try (FunctionSchedules schedules = scheduler(time)) {
            schedules.putSchedule(REGION, "sched-off", new ScheduleRequest("quiet", "rate(1 minute)", false,
                    "{\"hello\": \"world\"}"));
            time.advance(Duration.ofMinutes(5));
            time.awaitIdle();
            ScheduleStatus off = status(schedules, "sched-off", "quiet");
            assertNull(off.nextRun());
            assertEquals(List.of(), off.lastRuns());

            Schedule on = schedules.setEnabled(REGION, "sched-off", "quiet", true);
            assertEquals(START.plus(Duration.ofMinutes(5)), on.updatedAt(), "a rate counts from when it was enabled");
            assertEquals(START.plus(Duration.ofMinutes(6)), status(schedules, "sched-off", "quiet").nextRun());
            time.advance(Duration.ofMinutes(1));
            time.awaitIdle();
            awaitOutcome(schedules, "sched-off", "quiet", ScheduleRun.Outcome.SUCCEEDED);
            assertEquals(List.of(Json.mapper().readTree("{\"hello\": \"world\"}")), printedEvents("sched-off"));

            schedules.setEnabled(REGION, "sched-off", "quiet", false);
            time.advance(Duration.ofMinutes(3));
            time.awaitIdle();
            assertEquals(1, status(schedules, "sched-off", "quiet").lastRuns().size(), "off again: no new run");
        }
    }

    @Test
    void runsMissedWhileClosedAreNotMadeUpAndASchedulerThatOpensLaterFindsTheStoredSchedules() throws Exception {
        f.python("sched-restart", PRINTS_EVENT);
        ManualScheduleTime time = new ManualScheduleTime(START);
        try (FunctionSchedules first = scheduler(time)) {
            first.putSchedule(REGION, "sched-restart", new ScheduleRequest("hourly", "cron(0 * * * ? *)", true, null));
        }
        time.advance(Duration.ofHours(3)); // three runs due while nothing runs
        try (FunctionSchedules second = new FunctionSchedules((Functions) f.functions, time)) {
            second.regionOpened(f.engine.regions().get(REGION));
            second.start();
            time.awaitIdle();
            ScheduleStatus reopened = status(second, "sched-restart", "hourly");
            assertEquals("cron(0 * * * ? *)", reopened.schedule().expression());
            assertEquals(List.of(), reopened.lastRuns(), "nothing made up");
            assertEquals(Instant.parse("2026-12-03T18:00:00Z"), reopened.nextRun());
            time.advance(Duration.ofMinutes(30));
            time.awaitIdle();
            assertEquals(1, status(second, "sched-restart", "hourly").lastRuns().size());
            awaitOutcome(second, "sched-restart", "hourly", ScheduleRun.Outcome.SUCCEEDED);
        }
        assertEquals(1, printedEvents("sched-restart").size());
    }

    @Test
    void deletingTheFunctionDeletesItsSchedules() throws Exception {
        FunctionConfiguration function = f.python("sched-gone", PRINTS_EVENT);
        Path folder = ((Functions) f.functions).repository().folder(function);
        ManualScheduleTime time = new ManualScheduleTime(START);
        try (FunctionSchedules schedules = scheduler(time)) {
            schedules.putSchedule(REGION, "sched-gone", new ScheduleRequest("soon", "rate(2 minutes)", true, null));
            assertTrue(Files.exists(folder.resolve("schedules.json")));
            f.functions.delete(REGION, "sched-gone");
            assertFalse(Files.exists(folder), "the schedules went with the function's folder");
            EngineException gone = assertThrows(EngineException.class, () -> schedules.schedules(REGION,
                    "sched-gone"));
            assertEquals("ResourceNotFoundException", gone.code());

            f.python("sched-gone", PRINTS_EVENT);
            assertEquals(List.of(), schedules.schedules(REGION, "sched-gone"), "a new function of the name has none");
            List<String> invoked = new CopyOnWriteArrayList<>();
            try (AutoCloseable counting = ((Functions) f.functions).events().subscribe(event -> {
                if (event instanceof FunctionEvents.InvocationFinished finished
                        && finished.functionName().equals("sched-gone")) {
                    invoked.add(finished.requestId());
                }
            })) {
                time.advance(Duration.ofMinutes(2));
                time.awaitIdle(); // an invocation the old schedule made is queued by now; wait for it to end
                waitUntil("no Event invocation is left", 60, () -> ((Functions) f.functions).queuedEvents() == 0);
                assertEquals(List.of(), invoked, "the old schedule did not invoke the new function");
            }
        }
        try (FunctionSchedules reopened = new FunctionSchedules((Functions) f.functions, time)) {
            reopened.regionOpened(f.engine.regions().get(REGION));
            assertEquals(List.of(), reopened.schedules(REGION, "sched-gone"));
        }
    }

    @Test
    void invalidSchedulesAreRefusedWithTheReason() {
        f.python("sched-checks", PRINTS_EVENT);
        ManualScheduleTime time = new ManualScheduleTime(START);
        try (FunctionSchedules schedules = scheduler(time)) {
            EngineException expression = assertThrows(EngineException.class, () -> schedules.putSchedule(REGION,
                    "sched-checks", new ScheduleRequest("bad", "rate(5 minute)", true, null)));
            assertEquals("ValidationException", expression.code());
            assertTrue(expression.getMessage().contains("rate(5 minutes)"), expression.getMessage());
            EngineException name = assertThrows(EngineException.class, () -> schedules.putSchedule(REGION,
                    "sched-checks", new ScheduleRequest("no spaces", "rate(5 minutes)", true, null)));
            assertTrue(name.getMessage().startsWith("A schedule name may hold only"), name.getMessage());
            EngineException input = assertThrows(EngineException.class, () -> schedules.putSchedule(REGION,
                    "sched-checks", new ScheduleRequest("nightly", "cron(0 2 * * ? *)", true, "{not json")));
            assertTrue(input.getMessage().startsWith("The constant input is not valid JSON"), input.getMessage());
            EngineException trailing = assertThrows(EngineException.class, () -> schedules.putSchedule(REGION,
                    "sched-checks", new ScheduleRequest("nightly", "cron(0 2 * * ? *)", true, "{\"a\": 1} x")));
            assertEquals("The constant input has more after its JSON value (from line 1, column 9); it must be one"
                    + " JSON value, such as {\"key\": \"value\"}.", trailing.getMessage());
            EngineException second = assertThrows(EngineException.class, () -> schedules.putSchedule(REGION,
                    "sched-checks", new ScheduleRequest("nightly", "cron(0 2 * * ? *)", true, "{} {}")));
            assertTrue(second.getMessage().startsWith("The constant input has more after its JSON value"),
                    second.getMessage());
            EngineException missing = assertThrows(EngineException.class, () -> schedules.deleteSchedule(REGION,
                    "sched-checks", "nightly"));
            assertEquals("ResourceNotFoundException", missing.code());
            assertEquals(List.of(), schedules.schedules(REGION, "sched-checks"), "nothing refused was kept");

            Schedule first = schedules.putSchedule(REGION, "sched-checks", new ScheduleRequest("nightly",
                    " cron(0 2 * * ? *) ", true, ""));
            assertEquals("cron(0 2 * * ? *)", first.expression());
            assertNull(first.input(), "blank input means the Scheduled Event");
            time.advance(Duration.ofMinutes(10));
            Schedule replaced = schedules.putSchedule(REGION, "sched-checks", new ScheduleRequest("nightly",
                    "cron(0 3 * * ? *)", true, null));
            assertEquals(first.createdAt(), replaced.createdAt(), "replacing keeps when it was made");
            assertEquals(Instant.parse("2026-12-04T03:00:00Z"), status(schedules, "sched-checks", "nightly")
                    .nextRun());
            schedules.deleteSchedule(REGION, "sched-checks", "nightly");
            assertEquals(List.of(), schedules.schedules(REGION, "sched-checks"));
        }
    }
}
