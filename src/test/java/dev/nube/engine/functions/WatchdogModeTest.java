package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.NODE;
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
 * takes the whole environment. A fast allocation is stopped close to the limit (the per-process data limit) and
 * said to be out of memory, and a short peak between two samples is still in Max Memory Used.
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

    /** Allocates event["mb"] MB at once ("whole") or 1 MB at a time ("chunks"), touching every page. */
    static final String PYTHON_ALLOCATE = """
            def lambda_handler(event, context):
                if event["how"] == "whole":
                    block = bytearray(event["mb"] << 20)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                    return len(block)
                chunks = [b"x" * (1 << 20) for _ in range(event["mb"])]
                return len(chunks)
            """;
    /** The same in Node.js, after a file read (which starts libuv's threads, as real functions do). */
    static final String NODE_ALLOCATE = """
            const fs = require('fs');
            exports.handler = async (event) => {
              await fs.promises.readFile('/var/task/index.js');
              if (event.how === 'whole') return Buffer.alloc(event.mb * 1048576, 1).length;
              const chunks = [];
              for (let i = 0; i < event.mb; i++) chunks.push(Buffer.alloc(1048576, 1));
              return chunks.length;
            };
            """;
    /** The most Max Memory Used may say for a 128 MB function stopped while allocating 200 MB. */
    static final int BOUND_MB = 140;

    private static FunctionsFixture watchdog(Path dir) throws Exception {
        FunctionsFixture f = new FunctionsFixture(dir);
        f.functions.updateSettings(f.functions.settings().withSandboxMode(SandboxMode.WATCHDOG));
        assertEquals(SandboxMode.WATCHDOG, f.functions.sandboxMode());
        return f;
    }

    @Test
    void aFastAllocationIsStoppedCloseToTheLimitAndSaidToBeOutOfMemory() throws Exception {
        try (FunctionsFixture f = watchdog(dir)) {
            f.function(CreateFunctionRequest.of("wd-py", PYTHON).withMemory(128), Map.of(
                    "lambda_function.py", PYTHON_ALLOCATE));
            f.function(CreateFunctionRequest.of("wd-node", NODE).withMemory(128), Map.of("index.js", NODE_ALLOCATE));
            for (String name : new String[] {"wd-py", "wd-node"}) {
                for (String how : new String[] {"whole", "chunks"}) {
                    String event = "{\"mb\": 200, \"how\": \"" + how + "\"}";
                    InvocationResult over = LimitsTest.invokeAndCheckNothingLeft(f, name, event);
                    String what = name + " " + how + ": " + over.payloadText();
                    assertEquals("Runtime.ExitError", over.error() == null ? null : over.error().type(), what);
                    assertTrue(over.error().message().contains("(out of memory: the function used more than its 128"
                            + " MB)"), what);
                    assertTrue(over.maxMemoryUsedMb() <= BOUND_MB, what + ", Max Memory Used "
                            + over.maxMemoryUsedMb() + " MB");
                }
            }
        }
    }

    @Test
    void normalFunctionsRunUnderTheDataLimitAndAShortPeakIsMeasured() throws Exception {
        try (FunctionsFixture f = watchdog(dir)) {
            f.function(CreateFunctionRequest.of("wd-py", PYTHON).withMemory(128), Map.of(
                    "lambda_function.py", PYTHON_ALLOCATE));
            // 60 MB touched and let go at once: over in a few ms, between two samples of the process table.
            InvocationResult brief = f.invoke("wd-py", "{\"mb\": 60, \"how\": \"whole\"}");
            assertNull(brief.error(), brief.payloadText());
            assertTrue(brief.maxMemoryUsedMb() >= 60 && brief.maxMemoryUsedMb() <= 128,
                    "the short peak is measured: " + brief.maxMemoryUsedMb());
            assertNull(f.invoke("wd-py", "{\"mb\": 60, \"how\": \"chunks\"}").error());

            f.function(CreateFunctionRequest.of("wd-node", NODE).withMemory(128), Map.of("index.js", NODE_ALLOCATE));
            for (String how : new String[] {"whole", "chunks"}) {
                InvocationResult node = f.invoke("wd-node", "{\"mb\": 60, \"how\": \"" + how + "\"}");
                assertNull(node.error(), node.payloadText());
                assertTrue(node.maxMemoryUsedMb() >= 60, "node " + how + ": " + node.maxMemoryUsedMb());
            }

            // Large functions keep their room: 2,500 MB of 3,008 (python may be a runtime started ahead at 128 MB,
            // raised when taken).
            f.function(CreateFunctionRequest.of("wd-py-large", PYTHON).withMemory(3008).withTimeout(60), Map.of(
                    "lambda_function.py", LimitsTest.ALLOCATE));
            InvocationResult large = f.invoke("wd-py-large", "{\"mb\": 2500}");
            assertNull(large.error(), large.payloadText());
            assertTrue(large.maxMemoryUsedMb() >= 2500, "python 2,500 MB: " + large.maxMemoryUsedMb());
            f.function(CreateFunctionRequest.of("wd-node-large", NODE).withMemory(3008).withTimeout(60), Map.of(
                    "index.js", NODE_ALLOCATE));
            InvocationResult largeNode = f.invoke("wd-node-large", "{\"mb\": 2500, \"how\": \"whole\"}");
            assertNull(largeNode.error(), largeNode.payloadText());
            assertTrue(largeNode.maxMemoryUsedMb() >= 2500, "node 2,500 MB: " + largeNode.maxMemoryUsedMb());
        }
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
