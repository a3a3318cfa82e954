package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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

    @Test
    void aQuickInvocationsOutputIsReadByTheThreadThatHoldsTheLease() throws Exception {
        fifo = dir.resolve("out");
        OutputPump.makeFifo(fifo);
        List<String> readers = new CopyOnWriteArrayList<>();
        OutputPump pump = new OutputPump(fifo, (at, text) -> {
            lines.add(text);
            readers.add(Thread.currentThread().getName());
        }, "test-pump");
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            endAndRest(pump);
            OutputPump.Lease lease = pump.lease();
            runtime.write("hello\npartial".getBytes(StandardCharsets.UTF_8));
            runtime.flush();
            Thread.sleep(50);
            assertEquals(List.of("END 1"), lines, "nothing is read by the reader thread while the reading is lent");
            OutputPump.Mark next = lease.finish(() -> lines.add("END 2"));
            assertNotNull(next, "the reading was lent: the holder read the output and ran the work");
            assertEquals(List.of("END 1", "hello", "partial", "END 2"), lines, "a partial last line comes before END");
            String caller = Thread.currentThread().getName();
            assertEquals(List.of(caller, caller), readers, "both lines read by the lease's holder");
            next.run(() -> lines.add("START 3 on " + Thread.currentThread().getName()));
            assertEquals("START 3 on " + caller, lines.get(lines.size() - 1), "the next start's mark is reached");
            assertTrue(pump.resting(), "the reader thread rests on, for the next invocation");
        } finally {
            pump.stop();
        }
    }

    @Test
    void aReadingGivenBackIsReadAsTheOutputComes() throws Exception {
        OutputPump pump = pump();
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            endAndRest(pump);
            OutputPump.Lease lease = pump.lease();
            lease.giveBack();
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> writeMoreThanTheFifoHolds(runtime),
                    "the reader thread reads: a runtime writing more than the FIFO holds is not held up");
            assertNull(lease.finish(() -> lines.add("not here")), "given back: the end is marked as always");
            pump.afterThenMark(() -> lines.add("END 2"));
            awaitResting(pump);
            assertEquals(LINES + 2, lines.size());
            assertEquals("END 2", lines.get(lines.size() - 1));
            assertTrue(lines.get(lines.size() - 2).startsWith("line " + (LINES - 1) + " "), "every line, in order");
        } finally {
            pump.stop();
        }
    }

    @Test
    void anInvocationThatCameBeforeTheReaderReachedTheLastEndHasItsOutputReadAsItComes() throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        fifo = dir.resolve("out");
        OutputPump.makeFifo(fifo);
        OutputPump pump = new OutputPump(fifo, (at, text) -> lines.add(text), "test-pump");
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            pump.afterThenMark(() -> {
                lines.add("END 1");
                try {
                    held.await(30, TimeUnit.SECONDS); // the reader stays short of the mark
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            OutputPump.Lease lease = pump.lease(); // waits a moment for the reader, which does not come
            held.countDown();
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> writeMoreThanTheFifoHolds(runtime),
                    "an invocation runs: the reader thread does not rest at the last one's end mark");
            assertNull(lease.finish(() -> lines.add("not here")), "never lent");
            pump.after(() -> lines.add("END 2")).get(30, TimeUnit.SECONDS);
            assertEquals(LINES + 2, lines.size());
            assertEquals("END 1", lines.get(0));
        } finally {
            pump.stop();
        }
    }

    @Test
    void stoppingTakesALentReadingBackAndDeliversWhatCame() throws Exception {
        OutputPump pump = pump();
        OutputPump.Lease lease;
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            endAndRest(pump);
            lease = pump.lease();
            runtime.write("last words\n".getBytes(StandardCharsets.UTF_8));
            runtime.flush();
        }
        pump.stop();
        assertEquals(List.of("END 1", "last words"), lines, "the reader thread read to the end");
        assertNull(lease.finish(() -> lines.add("not here")), "the reading was taken back");
        assertEquals(2, lines.size());
    }

    @Test
    void outputThatFilledTheFifoWhileTheReaderRestedHoldsUpNeitherMarkersNorTheStop() throws Exception {
        for (boolean stop : new boolean[] {false, true}) {
            lines.clear();
            OutputPump pump = pump();
            try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
                pump.afterThenMark(() -> lines.add("END 1"));
                awaitResting(pump);
                var between = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        writeMoreThanTheFifoHolds(runtime); // between invocations: it waits, as if frozen
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(50);
                assertTrue(!between.isDone(), "the FIFO is full and nobody reads it");
                if (stop) {
                    assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), pump::stop, "the stop reads on");
                } else {
                    pump.after(() -> lines.add("END 2")).get(60, TimeUnit.SECONDS);
                }
                between.handle((done, e) -> null).get(60, TimeUnit.SECONDS); // once stopped, a broken pipe
                if (!stop) {
                    pump.after(() -> { }).get(30, TimeUnit.SECONDS);
                    assertEquals(LINES + 2, lines.size(), "every line delivered, and both ends");
                }
                dir.resolve("out").toFile().delete();
            } finally {
                pump.stop();
            }
        }
    }

    @Test
    void aLeaseThatFindsMarkersWaitingLetsTheReaderThreadReadThemAndTheOutput() throws Exception {
        OutputPump pump = pump();
        try (FileOutputStream runtime = new FileOutputStream(fifo.toFile())) {
            endAndRest(pump);
            pump.lease(); // lent, and left so (its invocation went wrong before it ended)
            var queued = pump.after(() -> lines.add("queued"));
            Thread.sleep(50);
            assertTrue(!queued.isDone(), "the reading is lent: nobody else reads the marker");
            OutputPump.Lease next = pump.lease();
            queued.get(30, TimeUnit.SECONDS);
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> writeMoreThanTheFifoHolds(runtime),
                    "the reader thread reads this invocation's output as it comes");
            assertNull(next.finish(() -> lines.add("not here")), "not lent: markers were waiting");
        } finally {
            pump.stop();
        }
    }

    /** Lines of {@link #writeMoreThanTheFifoHolds}. */
    private static final int LINES = 20_000;

    /** Writes {@link #LINES} lines, about 1.2 MB: more than a FIFO holds, so someone must read meanwhile. */
    private static void writeMoreThanTheFifoHolds(FileOutputStream runtime) throws Exception {
        for (int i = 0; i < LINES; i++) {
            runtime.write(("line " + i + " " + "x".repeat(50) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        runtime.flush();
    }

    /** Marks an invocation's end ("END 1") and waits until the reader thread rests there. */
    private void endAndRest(OutputPump pump) throws InterruptedException {
        pump.afterThenMark(() -> lines.add("END 1"));
        awaitResting(pump);
    }

    private static void awaitResting(OutputPump pump) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pump.resting()) {
            assertTrue(System.nanoTime() - until < 0, "the reader thread rests at the end mark");
            Thread.sleep(1);
        }
    }
}
