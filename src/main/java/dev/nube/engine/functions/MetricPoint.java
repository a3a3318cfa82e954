package dev.nube.engine.functions;

import java.time.Instant;

/**
 * A function's metrics over one period starting at {@code start}, for the Monitor charts. Durations are in ms;
 * {@code durationP50Ms} and {@code durationMaxMs} are 0 in a period without invocations.
 */
public record MetricPoint(Instant start, long invocations, long errors, long throttles, double durationP50Ms,
        double durationMaxMs) {
}
