package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A tool's whole tree is stopped, children that left it included, on cancel and when the engine closes. */
class ToolProcessTest {
    private static final String SCRIPT = "( sleep %d >/dev/null 2>&1 & ) ; echo started; sleep %<d";

    private static List<ProcessHandle> sleeping(int seconds) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").endsWith("/sleep " + seconds))
                .toList();
    }

    private static Thread start(ToolProcess.Running running, int seconds, List<String> output,
            AtomicReference<Throwable> outcome) {
        Thread thread = new Thread(() -> {
            try {
                ToolProcess.run(running, new ProcessBuilder("/bin/sh", "-c", SCRIPT.formatted(seconds)), "sh",
                        output::add, new ArrayDeque<>());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        thread.start();
        return thread;
    }

    @Test
    void cancellingStopsTheToolAndAChildThatLeftIt() throws Exception {
        int seconds = 3000 + new java.util.Random().nextInt(50_000); // only this test's processes sleep this long
        List<String> output = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread thread = start(new ToolProcess.Running(), seconds, output, outcome);
        dev.nube.engine.EngineTestSupport.waitUntil("the tool runs", 10, () -> output.contains("started")
                && sleeping(seconds).size() == 2);

        thread.interrupt();
        thread.join(20_000);

        assertFalse(thread.isAlive());
        assertEquals("sh was cancelled; the function's code was not changed.", outcome.get().getMessage());
        dev.nube.engine.EngineTestSupport.waitUntil("the tree has ended", 5, () -> sleeping(seconds).isEmpty());
    }

    @Test
    void closingStopsEveryToolAndRefusesNewOnes() throws Exception {
        int seconds = 3000 + new java.util.Random().nextInt(50_000); // only this test's processes sleep this long
        List<String> output = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        ToolProcess.Running running = new ToolProcess.Running();
        Thread thread = start(running, seconds, output, outcome);
        dev.nube.engine.EngineTestSupport.waitUntil("the tool runs", 10, () -> output.contains("started")
                && sleeping(seconds).size() == 2);

        long started = System.nanoTime();
        running.stopAll(Duration.ofSeconds(10));

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 10);
        thread.join(5_000);
        assertFalse(thread.isAlive(), "the install saw its tool end");
        assertTrue(sleeping(seconds).isEmpty(), "the tree has ended");
        assertTrue(outcome.get() == null, "a tool stopped from outside exits with a signal: " + outcome.get());
        EngineException refused = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class,
                () -> ToolProcess.run(running, new ProcessBuilder("/bin/true"), "true", l -> { }, new ArrayDeque<>()));
        assertTrue(refused.getMessage().startsWith("true was not started: Nube is closing"), refused.getMessage());
    }
}
