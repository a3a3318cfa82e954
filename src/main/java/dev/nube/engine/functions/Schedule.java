package dev.nube.engine.functions;

import java.time.Instant;

/**
 * A schedule trigger of a function, as stored with it ({@code schedules.json} in the function's folder): an EventBridge
 * schedule expression ({@link dev.nube.engine.functions.schedules.ScheduleExpression}) that invokes the function
 * asynchronously, as an EventBridge rule with the function as its target does.
 *
 * @param name      unique among the function's schedules; also the rule name in the event's resources
 * @param input     the constant JSON the function receives instead of the Scheduled Event, or null for that event
 * @param updatedAt when the schedule was made or last changed: a rate counts its periods from here
 */
public record Schedule(String name, String expression, boolean enabled, String input, Instant createdAt,
        Instant updatedAt) {
    /** The same schedule, on or off, changed at {@code now}. */
    Schedule withEnabled(boolean value, Instant now) {
        return new Schedule(name, expression, value, input, createdAt, now);
    }
}
