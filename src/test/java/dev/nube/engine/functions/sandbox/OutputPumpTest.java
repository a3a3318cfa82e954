package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's own lines take their place among a runtime's output, through the FIFO's markers. */
class OutputPumpTest {
    @TempDir
    Path dir;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Path fifo;

    /** A pump that adds every line to {@link #lines}, reading a new FIFO at {@link #fifo}. */
    private OutputPump pump() throws Exception {
        fifo = dir.resolve("out");
        OutputPump.makeFifo(fifo);
        return new OutputPump(fifo, (at, text) -> lines.add(text), "test-pump");
    }

    @Test
    void aMarkerBehindALineOfTheLongestLengthStillReachesTheReaderWhole() throws Exception {
        OutputPump pump = pump();
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            for (int shortBy = 1; shortBy < 50; shortBy += 7) {
                lines.clear();
                runtime.write("y".repeat(OutputPump.MAX_LINE_BYTES - shortBy).getBytes(StandardCharsets.UTF_8));
                runtime.flush();
                pump.after(() -> lines.add("END")).get(30, TimeUnit.SECONDS);
                pump.after(() -> lines.add("END2")).get(30, TimeUnit.SECONDS);
                assertEquals("END2", lines.get(lines.size() - 1), "each marker ran its own work");
                assertEquals("END", lines.get(lines.size() - 2));
                String output = String.join("", lines.subList(0, lines.size() - 2));
                assertEquals("y".repeat(OutputPump.MAX_LINE_BYTES - shortBy), output, "nothing of a marker shows");
            }
        } finally {
            pump.stop();
        }
    }

    @Test
    void workAfterTheOutputRunsOnceWhatCameBeforeIsDelivered() throws Exception {
        OutputPump pump = pump();
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            pump.after(() -> lines.add("START")).get(30, TimeUnit.SECONDS);
            runtime.write("one\ntwo\npartial".getBytes(StandardCharsets.UTF_8));
            runtime.flush();
            pump.after(() -> lines.add("END")).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("START", "one", "two", "partial", "END"), lines);

            for (int i = 0; i < 100; i++) {
                runtime.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                int n = i;
                pump.after(() -> lines.add("after " + n));
            }
            pump.after(() -> { }).get(30, TimeUnit.SECONDS);
            List<String> tail = lines.subList(5, lines.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(List.of("line " + i, "after " + i), tail.subList(2 * i, 2 * i + 2));
            }
        }
        pump.stop();
        var late = pump.after(() -> lines.add("late"));
        assertTrue(late.isDone(), "once stopped, the work runs on the caller's thread");
        assertEquals("late", lines.get(lines.size() - 1));
    }
}
