package dev.nube.bench;

import java.util.Arrays;

/** Percentiles over samples, for benchmark output. */
public final class Stats {
    private final double[] sorted;

    public Stats(double[] samples) {
        this.sorted = samples.clone();
        Arrays.sort(sorted);
    }

    /** The p-th percentile (0..100), nearest rank. */
    public double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public double median() {
        return percentile(50);
    }

    public int count() {
        return sorted.length;
    }
}
