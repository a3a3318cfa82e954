package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.sandbox.SandboxMode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback users without a writable cgroup get, forced through the settings: the watchdog still kills a
 * function over its memory or over 1,024 processes and threads, measures Max Memory Used, and the timeout still
 * takes the whole environment.
 */
@Tag("sandbox")
class WatchdogModeTest {
    @TempDir
    Path dir;

    private static Set<Thread> watchdogThreads() {
        Set<Thread> threads = new HashSet<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("nube-functions-watchdog"))
                .forEach(threads::add);
        return threads;
    }

    @Test
    void theWatchdogEnforcesMemoryAndTimeouts() throws Exception {
        Set<Thread> before = watchdogThreads();
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            f.functions.updateSettings(f.functions.settings().withSandboxMode(SandboxMode.WATCHDOG));
            assertEquals(SandboxMode.WATCHDOG, f.functions.sandboxMode());
            assertTrue(f.engine.hostStatus().sandbox().contains("watchdog"), f.engine.hostStatus().sandbox());

            f.function(CreateFunctionRequest.of("wd-memory", PYTHON).withMemory(256), Map.of(
                    "lambda_function.py", LimitsTest.ALLOCATE));
            InvocationResult under = f.invoke("wd-memory", "{\"mb\": 150}");
            assertNull(under.error(), under.payloadText());
            assertTrue(under.maxMemoryUsedMb() >= 150 && under.maxMemoryUsedMb() < 256,
                    "sampled peak near the 150 MB allocated: " + under.maxMemoryUsedMb());
            InvocationResult over = LimitsTest.invokeAndCheckNothingLeft(f, "wd-memory", "{\"mb\": 600}");
            assertEquals("Runtime.ExitError", over.error().type());
            assertTrue(over.error().message().contains("signal: killed (out of memory"), over.error().message());

            f.function(CreateFunctionRequest.of("wd-loop", PYTHON).withTimeout(1), Map.of("lambda_function.py",
                    "def lambda_handler(e, c):\n    while True:\n        pass\n"));
            InvocationResult loop = LimitsTest.invokeAndCheckNothingLeft(f, "wd-loop", "{}");
            assertEquals("Sandbox.Timedout", loop.error().type());

            f.function(CreateFunctionRequest.of("wd-threads", PYTHON).withTimeout(30).withMemory(1024),
                    Map.of("lambda_function.py", LimitsTest.THREADS));
            InvocationResult threads = LimitsTest.invokeAndCheckNothingLeft(f, "wd-threads", "{\"threads\": 1100}");
            assertEquals("Runtime.ExitError", threads.error().type(), "threads count against the 1,024: "
                    + threads.payloadText());
            assertTrue(threads.error().message().endsWith("signal: killed (the function reached its limit of 1,024"
                    + " processes and threads)"), threads.error().message());

            assertNull(f.invoke("wd-memory", "{\"mb\": 10}").error(), "one environment stays warm");
            f.functions.updateSettings(f.functions.settings().withSandboxMode(null));
            assertEquals(SandboxMode.CGROUP_V1, f.functions.sandboxMode(), "detection again picks the cgroup");
            // The replaced watchdog is closed once its environments are gone: its sampling thread ends.
            Set<Thread> left = watchdogThreads();
            left.removeAll(before);
            for (int i = 0; i < 300 && !left.isEmpty(); i++) {
                Thread.sleep(100);
                left.removeIf(thread -> !thread.isAlive());
            }
            assertEquals(Set.of(), left, "the old watchdog's thread");
            assertTrue(f.invoke("wd-memory", "{\"mb\": 10}").coldStart(), "its warm environment was stopped");
        }
    }
}
