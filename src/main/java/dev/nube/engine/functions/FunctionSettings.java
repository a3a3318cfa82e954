package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.CpuShare;
import dev.nube.engine.functions.sandbox.SandboxMode;
import java.time.Duration;
import java.util.List;

/**
 * Engine-wide settings of the functions service (stored in {@code $NUBE_HOME/config/functions.json}).
 *
 * @param regionConcurrency  concurrent executions per region (AWS's default quota: 1,000)
 * @param idleKeepAlive      how long an idle warm environment is kept
 * @param asyncQueueCapacity Event invocations waiting per engine; beyond it Invoke is throttled
 * @param asyncRetryDelays   the delays before each retry of a failed Event invocation (AWS: two retries)
 * @param sandboxMode        null to detect the strongest mode; a mode to force it (the watchdog, to test the
 *                           fallback real users may get)
 * @param coldStartLimit     cold starts running at once; more wait for a slot (see {@link #DEFAULT_COLD_STARTS})
 * @param prestarted         runtimes kept started ahead of their function, per runtime, for cold starts (0: none;
 *                           null, in a file from before the setting: {@link #DEFAULT_PRESTARTED})
 * @param cpuFromMemory      CPU in proportion to memory, as on AWS (1,769 MB is one CPU), once a function's init is
 *                           over; false lets every function use the whole machine (null, in a file from before the
 *                           setting: true)
 */
public record FunctionSettings(int regionConcurrency, Duration idleKeepAlive, int asyncQueueCapacity,
        List<Duration> asyncRetryDelays, SandboxMode sandboxMode, int coldStartLimit, Integer prestarted,
        Boolean cpuFromMemory) {
    /**
     * Pre-started runtimes per runtime. Each holds an idle interpreter in its own sandbox (python about 10 MB,
     * node about 40 MB); two let two cold starts in a row skip the interpreter's start.
     */
    public static final int DEFAULT_PRESTARTED = 2;
    /** At most this many per runtime. */
    public static final int MAX_PRESTARTED = 16;

    /**
     * Cold starts at once. An interpreter start is CPU-bound: beyond a few per core they only slow each other down
     * (100 at once on 2 cores take ~100x as long each, and every one of them risks the 10 s init limit), and each
     * holds memory before it is useful. Queuing them in a small window keeps each start fast and bounded.
     */
    public static final int DEFAULT_COLD_STARTS = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());

    public FunctionSettings {
        asyncRetryDelays = List.copyOf(asyncRetryDelays);
        prestarted = prestarted == null ? DEFAULT_PRESTARTED : prestarted;
        cpuFromMemory = cpuFromMemory == null || cpuFromMemory;
        if (prestarted < 0 || prestarted > MAX_PRESTARTED) {
            throw new IllegalArgumentException("pre-started runtimes are 0 to " + MAX_PRESTARTED + ", not "
                    + prestarted);
        }
        if (regionConcurrency < 1 || asyncQueueCapacity < 1 || coldStartLimit < 1 || idleKeepAlive.isNegative()) {
            throw new IllegalArgumentException("function settings must be positive: " + regionConcurrency + ", "
                    + asyncQueueCapacity + ", " + coldStartLimit + ", " + idleKeepAlive);
        }
    }

    public static FunctionSettings defaults() {
        return new FunctionSettings(1000, Duration.ofMinutes(10), 1000,
                List.of(Duration.ofMinutes(1), Duration.ofMinutes(2)), null, DEFAULT_COLD_STARTS,
                DEFAULT_PRESTARTED, true);
    }

    public FunctionSettings withRegionConcurrency(int value) {
        return new FunctionSettings(value, idleKeepAlive, asyncQueueCapacity, asyncRetryDelays, sandboxMode,
                coldStartLimit, prestarted, cpuFromMemory);
    }

    public FunctionSettings withAsyncRetryDelays(List<Duration> value) {
        return new FunctionSettings(regionConcurrency, idleKeepAlive, asyncQueueCapacity, value, sandboxMode,
                coldStartLimit, prestarted, cpuFromMemory);
    }

    public FunctionSettings withSandboxMode(SandboxMode value) {
        return new FunctionSettings(regionConcurrency, idleKeepAlive, asyncQueueCapacity, asyncRetryDelays, value,
                coldStartLimit, prestarted, cpuFromMemory);
    }

    public FunctionSettings withColdStartLimit(int value) {
        return new FunctionSettings(regionConcurrency, idleKeepAlive, asyncQueueCapacity, asyncRetryDelays,
                sandboxMode, value, prestarted, cpuFromMemory);
    }

    public FunctionSettings withPrestarted(int value) {
        return new FunctionSettings(regionConcurrency, idleKeepAlive, asyncQueueCapacity, asyncRetryDelays,
                sandboxMode, coldStartLimit, value, cpuFromMemory);
    }

    public FunctionSettings withCpuFromMemory(boolean value) {
        return new FunctionSettings(regionConcurrency, idleKeepAlive, asyncQueueCapacity, asyncRetryDelays,
                sandboxMode, coldStartLimit, prestarted, value);
    }

    /** The CPUs a function of {@code memoryMb} may use after its init: 0 for no cap. */
    public double cpusFor(int memoryMb) {
        return cpuFromMemory ? cpusOf(memoryMb) : 0;
    }

    /** The CPUs a function of {@code memoryMb} gets with CPU in proportion to memory: 1,769 MB is one. */
    public static double cpusOf(int memoryMb) {
        return CpuShare.cpus(memoryMb);
    }
}
