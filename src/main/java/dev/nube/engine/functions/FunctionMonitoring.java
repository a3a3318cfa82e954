package dev.nube.engine.functions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@link FunctionMonitor} over each function's {@link FunctionMetrics} and {@link FunctionLog}. Thread-safe. */
public final class FunctionMonitoring implements FunctionMonitor {
    private final Functions functions;
    private final FunctionRepository repository;

    public FunctionMonitoring(Functions functions) {
        this.functions = functions;
        this.repository = functions.repository();
    }

    @Override
    public List<MetricPoint> metrics(String region, String name, Instant from, Instant to, Duration period) {
        if (period.toMinutes() < 1 || !to.isAfter(from)) {
            throw FunctionRules.invalid("Metrics need a period of at least one minute and a time range.");
        }
        return repository.metrics(functions.get(region, name)).query(from, to, period);
    }

    @Override
    public java.util.Map<String, Long> invocationsByVersion(String region, String name, Instant from, Instant to) {
        return repository.metrics(functions.get(region, name)).byVersion(from, to);
    }

    @Override
    public List<LogStream> logStreams(String region, String name) {
        return repository.log(functions.get(region, name)).streams();
    }

    @Override
    public List<LogEvent> logEvents(String region, String name, LogQuery query) {
        return repository.log(functions.get(region, name)).query(query);
    }
}
