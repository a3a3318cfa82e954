package dev.nube.engine.functions;

/**
 * What makes or replaces a schedule ({@link ScheduleService#putSchedule}).
 *
 * @param expression {@code rate(...)} or {@code cron(...)}
 * @param input      constant JSON for the function instead of the Scheduled Event; null or blank for that event
 */
public record ScheduleRequest(String name, String expression, boolean enabled, String input) {
}
