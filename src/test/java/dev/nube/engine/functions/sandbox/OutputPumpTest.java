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
    @Test
    void aMarkGivenItsWorkLaterKeepsItsPlace() throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        fifo = dir.resolve("out");
        OutputPump.makeFifo(fifo);
        OutputPump pump = new OutputPump(fifo, (at, text) -> {
            lines.add(text);
            if (text.equals("before")) {
                try {
                    held.await(30, TimeUnit.SECONDS); // the reader stays short of the mark
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "test-pump");
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            runtime.write("before\n".getBytes(StandardCharsets.UTF_8));
            runtime.flush();
            OutputPump.Mark mark = pump.afterThenMark(() -> lines.add("END"));
            mark.run(() -> lines.add("START"));
            runtime.write("during\n".getBytes(StandardCharsets.UTF_8));
            runtime.flush();
            held.countDown();
            pump.after(() -> { }).get(30, TimeUnit.SECONDS);
            assertEquals(List.of("before", "END", "START", "during"), lines, "the work given late ran at its mark");

            OutputPump.Mark passed = pump.afterThenMark(() -> lines.add("END 2"));
            pump.after(() -> { }).get(30, TimeUnit.SECONDS); // the reader is past the mark now
            String caller = Thread.currentThread().getName();
            passed.run(() -> lines.add("START 2 on " + Thread.currentThread().getName()));
            assertEquals("START 2 on " + caller, lines.get(lines.size() - 1), "a mark passed runs its work at once");
            assertEquals("END 2", lines.get(lines.size() - 2));
        } finally {
            pump.stop();
        }
    }
}
