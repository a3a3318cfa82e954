package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionRules;

/** Lambda's memory sizes: 128 to 3008 MB in 64 MB steps. Pure: stateless. */
final class MemorySize {
    static final int MIN = FunctionRules.MIN_MEMORY_MB;
    static final int MAX = FunctionRules.MAX_MEMORY_MB;
    static final int STEP = FunctionRules.MEMORY_STEP_MB;

    private MemorySize() {
    }

    /** The valid size nearest to {@code mb} (halfway rounds up). */
    static int snap(double mb) {
        double clamped = Math.max(MIN, Math.min(MAX, mb));
        return (int) (MIN + Math.round((clamped - MIN) / STEP) * STEP);
    }

    static boolean valid(int mb) {
        return snap(mb) == mb;
    }
}
