package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.sandbox.EnvironmentState;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The region's real quota, not a lowered one: 1,000 invocations run at once, each in its own sandboxed environment,
 * and the 1,001st is throttled. The 1,000 python processes take about 9 GB, so the test needs
 * {@value #NEEDED_GIB} GiB of available memory and is skipped, saying so, on a smaller machine, or where the limits
 * are not kernel-enforced. Closing the engine ends them all.
 */
@Tag("sandbox")
@Tag("slow")
class FullConcurrencyTest {
    private static final int QUOTA = 1000;
    private static final long NEEDED_GIB = 12;

    @TempDir
    Path dir;

    @Test
    void theThousandAndFirstConcurrentInvocationIsThrottled() throws Exception {
        long availableGib = availableMemoryKib() / (1024 * 1024);
        assumeTrue(availableGib >= NEEDED_GIB, "1,000 environments need " + NEEDED_GIB + " GiB of available memory;"
                + " this machine has " + availableGib + " GiB");
        FunctionsFixture f = new FunctionsFixture(dir);
        if (!f.functions.sandboxMode().kernelEnforced()) {
            f.close();
            assumeTrue(false, "the watchdog's pass over /proc takes about 50 ms with 2,000 processes, most of a core"
                    + " on a small machine; this runs only where cgroups enforce the limits");
        }
        ExecutorService callers = Executors.newFixedThreadPool(QUOTA);
        Set<Long> processes = new HashSet<>();
        List<Future<?>> held = new ArrayList<>();
        try {
            assertEquals(QUOTA, f.functions.settings().regionConcurrency(), "AWS's default quota");
            f.function(CreateFunctionRequest.of("held", PYTHON).withTimeout(300), Map.of("lambda_function.py",
                    "import time\ndef lambda_handler(event, context):\n    time.sleep(event['s'])\n"
                    + "    return 'done'\n"));
            for (int i = 0; i < QUOTA; i++) {
                held.add(callers.submit(() -> f.invoke("held", "{\"s\": 280}")));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            int invoking = 0;
            while (invoking < QUOTA && System.nanoTime() < deadline) {
                Thread.sleep(250);
                invoking = invoking(f);
            }
            assertEquals(QUOTA, invoking, "environments running the handler at once");
            for (ExecutionEnvironment environment : LimitsTest.engineFunctions(f).liveEnvironments()) {
                processes.addAll(environment.processes());
            }
            assertTrue(processes.size() >= QUOTA, "each environment has its own processes: " + processes.size());

            EngineException throttled = assertThrows(EngineException.class, () -> f.invoke("held", "{\"s\": 0}"));
            assertEquals("TooManyRequestsException", throttled.code());
            assertTrue(throttled.getMessage().contains("concurrency"), throttled.getMessage());
        } finally {
            f.close();
            callers.shutdown();
        }
        for (Future<?> invocation : held) {
            try {
                invocation.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // the engine closed under it: an error is the right end, a hang is not
            }
        }
        assertTrue(callers.awaitTermination(60, TimeUnit.SECONDS), "every caller returned");
        LimitsTest.assertAllGone(processes);
    }

    private static long availableMemoryKib() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static int invoking(FunctionsFixture f) {
        int count = 0;
        for (ExecutionEnvironment environment : LimitsTest.engineFunctions(f).liveEnvironments()) {
            if (environment.state() == EnvironmentState.INVOKING) {
                count++;
            }
        }
        return count;
    }
}
