package dev.nube.engine.functions.schedules;

import dev.nube.engine.EngineException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An EventBridge schedule expression: {@code rate(N unit)} ({@link RateExpression}) or
 * {@code cron(Minutes Hours Day-of-month Month Day-of-week Year)} ({@link CronExpression}), times in UTC. Parsing
 * refuses what EventBridge refuses, with a message that says what is wrong and where, so a console can show it as the
 * expression is typed. Values are immutable and thread-safe.
 */
public sealed interface ScheduleExpression permits RateExpression, CronExpression {
    /** EventBridge's error code for an expression it refuses. */
    String INVALID = "ValidationException";

    /**
     * The expression as written (trimmed), e.g. {@code rate(5 minutes)}.
     */
    String text();

    /**
     * The first time after {@code after} at which the schedule fires, or empty when it never fires again (a cron
     * expression whose years have passed, or a day that no month has). A rate counts its periods from
     * {@code anchor}, the time the schedule was made or last changed; a cron expression ignores it.
     */
    Optional<Instant> nextAfter(Instant after, Instant anchor);

    /** Up to {@code count} fire times after {@code after}, in order (fewer when the schedule ends). */
    default List<Instant> nextTimes(Instant after, Instant anchor, int count) {
        List<Instant> times = new ArrayList<>();
        Instant from = after;
        while (times.size() < count) {
            Optional<Instant> next = nextAfter(from, anchor);
            if (next.isEmpty()) {
                break;
            }
            times.add(next.get());
            from = next.get();
        }
        return times;
    }

    /** Reads {@code text}; throws a ValidationException {@link EngineException} that says what is wrong. */
    static ScheduleExpression parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid("Enter a schedule expression: rate(5 minutes) or cron(0 12 * * ? *), for example.");
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("rate(")) {
            return RateExpression.parse(trimmed);
        }
        if (trimmed.startsWith("cron(")) {
            return CronExpression.parse(trimmed);
        }
        throw invalid("A schedule expression starts with rate( or cron(; '" + trimmed + "' does not.");
    }

    /** Why {@code text} is not a schedule expression, or empty when it is one (for checks as the user types). */
    static String problem(String text) {
        try {
            parse(text);
            return "";
        } catch (EngineException e) {
            return e.getMessage();
        }
    }

    private static EngineException invalid(String message) {
        return new EngineException(INVALID, message);
    }
}
