package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.store.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CPU in proportion to memory, as on AWS (1,769 MB is one CPU), from the end of a function's init. The handler
 * burns a fixed amount of CPU time and says how long that took: under a cap the wall time is bounded below by the
 * quota whatever the machine's load, so the lower bounds here hold on a busy machine too (they are a tenth below
 * what the cap gives); the upper bounds are an order of magnitude above an idle machine's.
 */
class CpuShareTest extends SandboxTestBase {
    /** Burns event["cpu_ms"] of CPU; at import, as much (init must not be capped). */
    static final String BURN = """
            import os, time
            def burn(ms):
                cpu, wall = time.process_time(), time.monotonic()
                while time.process_time() - cpu < ms / 1000:
                    pass
                return (time.monotonic() - wall) / (time.process_time() - cpu)
            init_stretch = burn(100)
            init_nice = os.nice(0)
            def lambda_handler(event, context):
                return {"stretch": burn(event["cpu_ms"]), "init_stretch": init_stretch, "nice": os.nice(0),
                        "init_nice": init_nice}
            """;

    private static final java.util.Set<String> CREATED = new java.util.HashSet<>();

    private static JsonNode burn(String name, int memoryMb, int cpuMs) throws Exception {
        if (CREATED.add(name)) {
            f.function(CreateFunctionRequest.of(name, PYTHON).withMemory(memoryMb).withTimeout(60),
                    Map.of("lambda_function.py", BURN));
        }
        InvocationResult result = f.invoke(name, "{\"cpu_ms\": " + cpuMs + "}");
        assertNull(result.error(), result.payloadText());
        return Json.mapper().readTree(result.payload());
    }

    @Test
    void aFunctionGetsCpuInProportionToItsMemoryOnceItsInitIsOver() throws Exception {
        assertTrue(f.functions.capsCpu(), "this machine's cgroup v1 cpu hierarchy is writable");
        assertTrue(f.functions.settings().cpuFromMemory(), "on by default, as on AWS");
        JsonNode small = burn("cpu-128", 128, 200);
        JsonNode oneCpu = burn("cpu-1792", 1792, 200);
        // 128 MB is 7.2% of a CPU: 200 ms of CPU take about 2.8 s.
        assertTrue(small.get("stretch").asDouble() >= 10, "capped at 128 MB: " + small);
        assertTrue(small.get("init_stretch").asDouble() < 5, "the init ran at full speed: " + small);
        // One CPU is no cap for a single thread.
        assertTrue(oneCpu.get("stretch").asDouble() < 5, "a CPU at 1,792 MB: " + oneCpu);
        double ratio = small.get("stretch").asDouble() / oneCpu.get("stretch").asDouble();
        assertTrue(ratio >= 3, "128 MB against 1,792 MB: " + ratio);
        System.out.printf("CPU-bound work at 128 MB took %.1fx as long as at 1,792 MB%n", ratio);
    }

    @Test
    void turnedOffEveryFunctionUsesTheWholeCpuAndIdleEnvironmentsTakeTheChange() throws Exception {
        burn("cpu-off", 128, 50);
        f.functions.updateSettings(f.functions.settings().withCpuFromMemory(false));
        try {
            InvocationResult check = f.invoke("cpu-off", "{\"cpu_ms\": 200}");
            assertTrue(check.coldStart(), "the capped idle environment was stopped");
            JsonNode free = Json.mapper().readTree(check.payload());
            assertTrue(free.get("stretch").asDouble() < 5, "no cap: " + free);
        } finally {
            f.functions.updateSettings(f.functions.settings().withCpuFromMemory(true));
        }
        assertTrue(f.invoke("cpu-off", "{\"cpu_ms\": 1}").coldStart(), "turned on again: a fresh environment");
    }

    @Test
    void withoutACpuControllerTheShareIsALowerPriorityFromTheEndOfInit() throws Exception {
        f.functions.updateSettings(f.functions.settings().withSandboxMode(SandboxMode.WATCHDOG));
        try {
            assertEquals(false, f.functions.capsCpu());
            JsonNode small = burn("cpu-nice", 128, 1);
            assertEquals(0, small.get("init_nice").asInt(), "init at normal priority: " + small);
            assertEquals(12, small.get("nice").asInt(), "7% of a CPU is nice 12 (each level ~1.25x): " + small);
            JsonNode big = burn("cpu-nice-big", 1792, 1);
            assertEquals(0, big.get("nice").asInt(), "a CPU or more: normal priority: " + big);
        } finally {
            f.functions.updateSettings(f.functions.settings().withSandboxMode(null));
        }
    }
}
