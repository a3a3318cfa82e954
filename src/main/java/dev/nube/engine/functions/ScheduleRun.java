package dev.nube.engine.functions;

import java.time.Instant;

/**
 * One time a schedule fired.
 *
 * @param time      the time it was due (the Scheduled Event's {@code time})
 * @param requestId the Event invocation's request id, null when the invocation was refused
 * @param message   why it was refused or failed, null otherwise
 */
public record ScheduleRun(Instant time, String requestId, Outcome outcome, String message) {
    /** How the run went, as far as known. */
    public enum Outcome {
        /** Queued as an Event invocation; the function has not finished yet. */
        INVOKED,
        /** The function returned a result. */
        SUCCEEDED,
        /** The function returned an error (Event invocations are retried; a later try may still succeed). */
        FAILED,
        /** The invocation was refused (throttled, the queue full, the function gone). */
        NOT_INVOKED
    }

    ScheduleRun finished(boolean error) {
        return new ScheduleRun(time, requestId, error ? Outcome.FAILED : Outcome.SUCCEEDED, error
                ? "The function returned an error; its log has the request id." : null);
    }
}
