package dev.nube.engine.tasks;

import java.time.Instant;

/**
 * A long operation the engine runs in the background (a snapshot, a copy to another region, an image being made),
 * as the tasks panel shows it. {@code fraction} is from 0 to 1, or negative while the amount of work is not known;
 * {@code step} says what it does now. A finished task keeps its outcome ({@code message}: the failure's reason, or
 * what was made) until it is cleared.
 */
public record Task(String id, String title, String region, String resourceId, double fraction, String step,
                   Status status, String message, Instant startedAt, Instant endedAt, boolean cancellable) {

    public enum Status {
        RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean finished() {
            return this != RUNNING;
        }
    }

    Task progressed(double newFraction, String newStep) {
        return new Task(id, title, region, resourceId, newFraction, newStep, status, message, startedAt, endedAt,
                cancellable);
    }

    Task ended(Status newStatus, String newMessage) {
        return new Task(id, title, region, resourceId, newStatus == Status.SUCCEEDED ? 1 : fraction, step, newStatus,
                newMessage, startedAt, Instant.now(), false);
    }
}
