package dev.nube.engine.functions;

import java.util.List;

/**
 * The schedule triggers of functions, as EventBridge rules with a schedule expression and a function as target: each
 * enabled schedule invokes its function asynchronously (InvocationType Event) at the times its expression gives, in
 * UTC, while the engine runs; times that pass while it is closed are not made up for, as EventBridge does not. The
 * function receives the constant input if the schedule has one, else EventBridge's Scheduled Event. Schedules are
 * stored with their function and deleted with it. Errors are {@code EngineException}s: ResourceNotFoundException (no
 * such function or schedule), ValidationException (an expression, name or input EventBridge would refuse).
 * Thread-safe; changes publish {@link SchedulesChanged}, as do runs when they start and finish.
 */
public interface ScheduleService {
    /** How many of a schedule's last runs are kept (in memory: a restart starts the list again). */
    int KEPT_RUNS = 10;

    /** The function's schedules by name, with their next run and last runs. */
    List<ScheduleStatus> schedules(String region, String functionName);

    /**
     * Makes a schedule, or replaces the one of the same name (keeping when it was made and its last runs); a rate
     * counts its periods from this call. Refuses a name other than
     * 1-64 letters, digits, '.', '-', '_', an invalid expression, and input that is not JSON or over 8,192 characters.
     */
    Schedule putSchedule(String region, String functionName, ScheduleRequest request);

    /** Turns a schedule on or off; a rate turned on counts its periods from now. */
    Schedule setEnabled(String region, String functionName, String scheduleName, boolean enabled);

    void deleteSchedule(String region, String functionName, String scheduleName);
}
