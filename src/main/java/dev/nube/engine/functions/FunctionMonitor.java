package dev.nube.engine.functions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a function did: metrics for charts and its logs. Live views listen for {@link FunctionEvents.LogAppended}
 * and {@link FunctionEvents.InvocationFinished}. Thread-safe.
 */
public interface FunctionMonitor {
    /**
     * Invocations, errors, throttles and duration (p50, max) per {@code period} (a whole number of minutes) from
     * {@code from} to {@code to}, one point per period, empty periods included. Kept 14 days, at minute resolution.
     */
    List<MetricPoint> metrics(String region, String name, Instant from, Instant to, Duration period);

    /**
     * Invocations per executed version ($LATEST or a version number) from {@code from} to {@code to}, at minute
     * resolution, kept 14 days; an invocation by alias counts for the version the alias chose.
     */
    java.util.Map<String, Long> invocationsByVersion(String region, String name, Instant from, Instant to);

    /** The function's log streams, the most recently written first. */
    List<LogStream> logStreams(String region, String name);

    /** Log events matching the query, oldest first. */
    List<LogEvent> logEvents(String region, String name, LogQuery query);
}
