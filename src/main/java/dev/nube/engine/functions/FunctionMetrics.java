package dev.nube.engine.functions;

import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.UnreadableDocumentException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A function's metrics at minute resolution, kept {@value #KEEP_DAYS} days in {@code metrics.json}: invocations,
 * errors, throttles, invocations per executed version, the longest duration and a reservoir of up to
 * {@value #SAMPLES} durations per minute for the median. Thread-safe: each minute's bucket is updated under its own
 * lock; {@link #save()} writes when changed.
 */
final class FunctionMetrics {
    static final int KEEP_DAYS = 14;
    static final int SAMPLES = 64;

    /**
     * One minute, as stored. {@code versions}: invocations per executed version ($LATEST or a number); null in
     * minutes stored before versions were counted.
     */
    record Minute(long minute, long invocations, long errors, long throttles, double maxMs, double[] samples,
            Map<String, Long> versions) {
    }

    /** The document. */
    record Stored(List<Minute> minutes) {
    }

    private static final class Bucket {
        long invocations;
        long errors;
        long throttles;
        double max;
        double[] samples = new double[0];
        final Map<String, Long> versions = new java.util.TreeMap<>();

        synchronized void add(String version, double durationMs, boolean error) {
            invocations++;
            versions.merge(version, 1L, Long::sum);
            if (error) {
                errors++;
            }
            max = Math.max(max, durationMs);
            if (samples.length < SAMPLES) {
                samples = Arrays.copyOf(samples, samples.length + 1);
                samples[samples.length - 1] = durationMs;
            } else {
                long slot = ThreadLocalRandom.current().nextLong(invocations);
                if (slot < SAMPLES) {
                    samples[(int) slot] = durationMs; // reservoir sampling: every duration equally likely kept
                }
            }
        }

        synchronized Minute snapshot(long minute) {
            return new Minute(minute, invocations, errors, throttles, max, samples.clone(), Map.copyOf(versions));
        }
    }

    private final Path file;
    private final ConcurrentSkipListMap<Long, Bucket> minutes = new ConcurrentSkipListMap<>();
    private volatile boolean dirty;

    FunctionMetrics(Path file) {
        this.file = file;
        try {
            DocumentStore.read(file, Stored.class).ifPresent(stored -> stored.minutes().forEach(m -> {
                Bucket bucket = new Bucket();
                bucket.invocations = m.invocations();
                bucket.errors = m.errors();
                bucket.throttles = m.throttles();
                bucket.max = m.maxMs();
                bucket.samples = m.samples() == null ? new double[0] : m.samples();
                if (m.versions() != null) {
                    bucket.versions.putAll(m.versions());
                }
                minutes.put(m.minute(), bucket);
            }));
        } catch (UnreadableDocumentException e) {
            // metrics are a convenience: a broken file starts them afresh (it is overwritten at the next save)
        }
    }

    private Bucket bucket(Instant at) {
        return minutes.computeIfAbsent(at.getEpochSecond() / 60, m -> new Bucket());
    }

    // dirty is set after the change, and save() clears it before its snapshot: a change is never left unsaved.
    void invoked(Instant at, String version, double durationMs, boolean error) {
        bucket(at).add(version, durationMs, error);
        dirty = true;
    }

    void throttled(Instant at) {
        Bucket bucket = bucket(at);
        synchronized (bucket) {
            bucket.throttles++;
        }
        dirty = true;
    }

    /** {invocations, errors} in the 24 hours before now. */
    long[] last24Hours() {
        long now = Instant.now().getEpochSecond() / 60;
        long invocations = 0;
        long errors = 0;
        for (Map.Entry<Long, Bucket> entry : minutes.tailMap(now - 24 * 60, false).entrySet()) {
            Minute m = entry.getValue().snapshot(entry.getKey());
            invocations += m.invocations();
            errors += m.errors();
        }
        return new long[] {invocations, errors};
    }

    /** Invocations per executed version ($LATEST or a number) in the minutes from {@code from} to {@code to}. */
    Map<String, Long> byVersion(Instant from, Instant to) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (Map.Entry<Long, Bucket> entry : minutes.subMap(from.getEpochSecond() / 60, true,
                to.getEpochSecond() / 60, true).entrySet()) {
            entry.getValue().snapshot(entry.getKey()).versions().forEach((version, n) -> counts.merge(version, n,
                    Long::sum));
        }
        return counts;
    }

    List<MetricPoint> query(Instant from, Instant to, Duration period) {
        long step = Math.max(1, period.toMinutes());
        long first = from.getEpochSecond() / 60 / step * step;
        long last = to.getEpochSecond() / 60;
        if (last - first > 100_000 * step) {
            throw FunctionRules.invalid("That asks for too many points; choose a longer period.");
        }
        List<MetricPoint> points = new ArrayList<>();
        for (long start = first; start <= last; start += step) {
            long invocations = 0;
            long errors = 0;
            long throttles = 0;
            double max = 0;
            List<Double> samples = new ArrayList<>();
            for (Map.Entry<Long, Bucket> entry : minutes.subMap(start, true, start + step, false).entrySet()) {
                Minute m = entry.getValue().snapshot(entry.getKey());
                invocations += m.invocations();
                errors += m.errors();
                throttles += m.throttles();
                max = Math.max(max, m.maxMs());
                for (double sample : m.samples()) {
                    samples.add(sample);
                }
            }
            samples.sort(null);
            double median = samples.isEmpty() ? 0 : samples.get((samples.size() - 1) / 2);
            points.add(new MetricPoint(Instant.ofEpochSecond(start * 60), invocations, errors, throttles, median, max));
        }
        return points;
    }

    /** Writes the document if anything changed, dropping minutes older than the retention. */
    void save() {
        if (!dirty) {
            return;
        }
        dirty = false;
        long oldest = Instant.now().minus(Duration.ofDays(KEEP_DAYS)).getEpochSecond() / 60;
        minutes.headMap(oldest).clear();
        List<Minute> stored = new ArrayList<>();
        minutes.forEach((minute, bucket) -> stored.add(bucket.snapshot(minute)));
        DocumentStore.write(file, new Stored(stored));
    }
}
