package dev.nube.engine.functions.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads an environment's output (stdout and stderr share one FIFO) line by line into a {@link LineSink}. The engine
 * also holds a write end of the FIFO, which orders its own lines among the runtime's without anything from the
 * runtime: once the runtime has posted its response, everything it printed before is in the FIFO, and the work
 * given to {@link #after(Runnable)} then runs on the reader's thread when it reaches the marker written after those
 * lines. So START comes before the invocation's own output and END and REPORT after it, for custom runtimes too,
 * and the invoking thread waits for none of it. A partial last line is delivered at a marker.
 * <p>Between invocations the reader thread rests at the mark of the last one's end (see {@link #afterThenMark}),
 * reading nothing (on AWS an environment between invocations is frozen, and writes nothing; here a runtime that
 * writes more than the FIFO holds then waits, as if frozen, until the next invocation or the end). The next
 * invocation then borrows the reading ({@link #lease()}): as long as it is quick, the function's output waits in the
 * FIFO and the invoking thread reads it itself once the answer came ({@link Lease#finish}), with no marker and no
 * thread woken for it; a slower one gives the reading back to the reader thread ({@link Lease#giveBack}), which then
 * reads the output as it comes, as always.
 * <p>Threads: one reader thread per pump, or the holder of a lent reading (the "reader's thread" below is whichever
 * of the two reads); {@link #after(Runnable)} and {@link #stop()} from any thread. Whoever reads holds the reading
 * alone; it changes hands under {@code turn}.
 */
public final class OutputPump {
    /** The longest log event; longer lines are cut into pieces of this size (AWS's 256 KB). */
    static final int MAX_LINE_BYTES = 256 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final System.Logger LOG = System.getLogger(OutputPump.class.getName());

    /** Receives each line of output, without its newline, with the time it was read. */
    public interface LineSink {
        void line(long epochMillis, String text);

        /**
         * The runtime wrote lines and the FIFO is empty for now, or the output ended: a good moment to write out what
         * was buffered.
         */
        default void idle() {
        }
    }

    /** What waits for a marker: it is reached once the reader got there, or once the reader is done. */
    private interface Waiting {
        void reach();
    }

    /** Work queued behind a marker. */
    private record Marked(Runnable action, CompletableFuture<Void> done) implements Waiting {
        @Override
        public void reach() {
            run();
        }

        void run() {
            try {
                runLogged(action);
            } finally {
                done.complete(null);
            }
        }
    }

    private final RandomAccessFile writer;
    private final InputStream reader;
    private final byte[] syncMarker;
    private final byte[] doubleMarker;
    private final byte[] stopMarker;
    private final LineSink sink;
    private final Queue<Waiting> marked = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Guards who reads: the fields below it, and the reading itself while it is lent. */
    private final java.util.concurrent.locks.ReentrantLock turn = new java.util.concurrent.locks.ReentrantLock();
    /** Signalled when who reads changes, or the reader thread came to rest. */
    private final java.util.concurrent.locks.Condition turned = turn.newCondition();
    /** The reader thread rests at the last invocation's end mark and reads nothing. */
    private boolean resting;
    /** An invocation holds a lease: the reader thread must not rest, whatever mark it reaches. */
    private boolean leased;
    /** The reading is lent to the lease's holder (the reader thread rests meanwhile). */
    private boolean lent;
    /** A lease waits for the reader thread to rest. */
    private boolean wanting;
    /** The reader (thread or holder of the lease) reached the stop marker: nothing is read any more. */
    private boolean ended;
    /** Whoever reads: the read buffer, the line being gathered, and the lines given to the sink so far. */
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private long emitted;
    /** Set, under the writer's lock, before the stop marker is written: no marker may follow it. */
    private volatile boolean stopping;

    /**
     * Opens both ends of {@code fifo} (which must exist) and starts reading. The markers carry a random token that
     * only this object knows: a function that prints a marker must not be able to end or fake a barrier (the
     * environment's id, for one, is visible to it at the end of AWS_LAMBDA_LOG_STREAM_NAME).
     */
    public OutputPump(Path fifo, LineSink sink, String threadName) throws IOException {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        this.writer = new RandomAccessFile(fifo.toFile(), "rw"); // O_RDWR never blocks on a FIFO
        this.reader = new FileInputStream(fifo.toFile());
        this.syncMarker = ("\0nube-sync-" + token + "\n").getBytes(StandardCharsets.US_ASCII);
        this.doubleMarker = new byte[2 * syncMarker.length];
        System.arraycopy(syncMarker, 0, doubleMarker, 0, syncMarker.length);
        System.arraycopy(syncMarker, 0, doubleMarker, syncMarker.length, syncMarker.length);
        this.stopMarker = ("\0nube-stop-" + token + "\n").getBytes(StandardCharsets.US_ASCII);
        this.sink = sink;
        Thread thread = new Thread(this::pump, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Creates a FIFO at {@code path} (mkfifo(1); Java has no call for it). */
    public static void makeFifo(Path path) throws IOException {
        Process process = new ProcessBuilder("mkfifo", "-m", "600", path.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0 || !Files.exists(path)) {
                throw new IOException("mkfifo " + path + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making " + path, e);
        }
    }

    /**
     * Runs {@code action} on the reader's thread once every byte written to the FIFO before this call has reached the
     * sink; the future completes when it ran. Once the pump is stopping, it runs on this thread when the reader is
     * done (nothing written before can come after it then).
     */
    public CompletableFuture<Void> after(Runnable action) {
        Marked entry = new Marked(action, new CompletableFuture<>());
        synchronized (writer) {
            if (!stopping) {
                marked.add(entry);
                wakeReader(); // first: a FIFO filled while it rested would block the write
                try {
                    writer.write(syncMarker); // shorter than PIPE_BUF: one atomic write
                    return entry.done();
                } catch (IOException e) {
                    marked.remove(entry);
                }
            }
        }
        awaitReader();
        entry.run();
        return entry.done();
    }

    /**
     * A marker is queued: a resting reader thread reads again (it does not rest while markers wait), unless the
     * reading is lent (its holder reads the marker, or gives the reading back).
     */
    private void wakeReader() {
        turn.lock();
        try {
            if (!lent) {
                rouse();
            }
        } finally {
            turn.unlock();
        }
    }

    /** The reader thread reads again (it rests no longer). Holds {@code turn}. */
    private void rouse() {
        if (resting) {
            resting = false;
            turned.signalAll();
        }
    }

    /**
     * A place in the output marked now, for work that is not known yet: see {@link #afterThenMark(Runnable)}. Work
     * given to {@link #run(Runnable)} runs after every line written before the mark, and before every line that comes
     * after that call.
     */
    public static final class Mark implements Waiting {
        private Runnable action;
        private boolean reached;

        /**
         * Runs {@code action} now when the reader is past the mark already (on this thread), else on the reader's
         * thread when it gets there. Once per mark.
         */
        public void run(Runnable action) {
            synchronized (this) {
                if (!reached) {
                    this.action = action;
                    return;
                }
            }
            runLogged(action);
        }

        @Override
        public void reach() {
            Runnable then;
            synchronized (this) {
                reached = true;
                then = action;
            }
            if (then != null) {
                runLogged(then);
            }
        }
    }

    /** Runs the engine's work for an invocation's lines; a failure is logged, and the output goes on. */
    private static void runLogged(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "writing the engine's lines of an invocation", e);
        }
    }

    /**
     * As {@link #after(Runnable)}, and marks the output just after that point, in the same write, for the next
     * invocation's first line: given then, it needs no marker of its own (nor a wake-up of the reader), as long as
     * the reader is past this one. Lines the runtime writes after the mark and before its next invocation come
     * before that first line, or after it if the reader has not reached them by then, as if the runtime had written
     * them during that invocation (on AWS an environment between invocations is frozen, and writes nothing).
     */
    public Mark afterThenMark(Runnable action) {
        Marked entry = new Marked(action, new CompletableFuture<>());
        Mark mark = new Mark();
        synchronized (writer) {
            if (!stopping) {
                marked.add(entry);
                marked.add(mark);
                wakeReader(); // first: a FIFO filled while it rested would block the write
                try {
                    writer.write(doubleMarker); // shorter than PIPE_BUF: one atomic write
                    return mark;
                } catch (IOException e) {
                    marked.remove(entry);
                    marked.remove(mark);
                }
            }
        }
        awaitReader();
        entry.run();
        mark.reach();
        return mark;
    }

    /**
     * Taken by an invocation before its event goes out, and ended by {@link Lease#finish} or {@link Lease#end}: while
     * it lasts the reader thread does not rest. The reading is lent with it when the reader thread rests at the last
     * invocation's end mark (it may wait a moment for the thread to get there). One at a time.
     */
    public Lease lease() {
        turn.lock();
        try {
            if (!resting && !stopping && endMarkPending()) {
                // The reader thread is on its way to the last invocation's end mark (that invocation took a while, or
                // had no lease): it gets there in a moment, and the reading can be lent from then on.
                wanting = true;
                long left = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1);
                try {
                    while (!resting && !ended && left > 0) {
                        left = turned.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    wanting = false;
                }
            }
            leased = true;
            lent = resting && !stopping && marked.isEmpty();
            if (!lent) {
                rouse(); // markers wait: the reader thread reads them, and this invocation's output
            }
            return new Lease();
        } finally {
            turn.unlock();
        }
    }

    /** True while the reader thread rests (at an invocation's end mark, or with the reading lent). */
    boolean resting() {
        turn.lock();
        try {
            return resting;
        } finally {
            turn.unlock();
        }
    }

    /** True when the reader thread has an invocation's end mark still to reach. */
    private boolean endMarkPending() {
        for (Waiting waiting : marked) {
            if (waiting instanceof Mark) {
                return true;
            }
        }
        return false;
    }

    /** An invocation's hold on the output: see {@link #lease()}. Used by one thread. */
    public final class Lease {
        private Lease() {
        }

        /**
         * The reading goes back to the reader thread, which reads the output as it comes from now on (the invocation
         * takes a while). Does nothing when it is not lent.
         */
        public void giveBack() {
            turn.lock();
            try {
                if (lent) {
                    lent = false;
                    rouse();
                }
            } finally {
                turn.unlock();
            }
        }

        /** Ends the lease without marking the invocation's end: the reader thread reads on. */
        public void end() {
            turn.lock();
            try {
                leased = false;
                giveBack();
            } finally {
                turn.unlock();
            }
        }

        /**
         * Once the runtime answered, with the reading still lent: reads everything in the FIFO (everything the runtime
         * wrote before its answer, a partial last line included) into the sink, runs {@code action} and returns a
         * reached mark for the next invocation's first line; the reader thread rests on. Null when the reading is not
         * lent (given back, or taken by {@link #stop()}): then the reader thread reads, and the caller marks the end
         * with {@link #afterThenMark}. Either way the lease ends.
         */
        public Mark finish(Runnable action) {
            turn.lock();
            try {
                leased = false;
                if (!lent) {
                    return null;
                }
                lent = false;
                try {
                    // At most what the FIFO holds now, in reads that do not wait: what the runtime wrote before its
                    // answer is in it already (nothing else of ours reads it; a function that reads its own output
                    // away between the two calls could make a read wait, until stop() writes its marker).
                    int left = reader.available();
                    while (left > 0 && !ended) {
                        int n = reader.read(buffer, 0, Math.min(left, buffer.length));
                        if (n <= 0) {
                            break;
                        }
                        consume(n);
                        left -= n;
                        if (left > 0) {
                            left = Math.min(left, reader.available());
                        }
                    }
                } catch (IOException e) {
                    // closed under us (stopping): what was read is delivered
                }
                if (!ended) {
                    emitPartial();
                    runLogged(action);
                }
                if (ended || !marked.isEmpty()) {
                    rouse(); // the reader thread ends, or has markers to reach
                }
                if (ended) {
                    return null;
                }
            } finally {
                turn.unlock();
            }
            Mark next = new Mark();
            next.reach(); // nothing to wait for: the reading is past this invocation's end
            return next;
        }
    }

    /**
     * Delivers what is left, then ends the reader thread and closes the FIFO. Returns when done (or after about 5 s,
     * with a reader stuck).
     */
    public void stop() {
        synchronized (writer) {
            stopping = true; // no marker from now on, and the reader thread rests no more
        }
        boolean markerWritten = false;
        try {
            if (!turn.tryLock(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                // A lease's holder reads and does not let go: its read waits for bytes that its function took away
                // (see Lease#finish). The stop marker ends that read.
                writeStopMarker();
                markerWritten = true;
                turn.lock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            turn.lock();
        }
        try { // first (a FIFO filled while the thread rested would block the write), a lent reading taken back
            lent = false;
            rouse();
        } finally {
            turn.unlock();
        }
        if (!markerWritten) {
            writeStopMarker();
        }
        awaitReader();
        closeQuietly();
        runLeft();
    }

    private void writeStopMarker() {
        try {
            synchronized (writer) {
                writer.write(stopMarker);
            }
        } catch (IOException e) {
            // the reader is gone already
        }
    }

    private void awaitReader() {
        try {
            stopped.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // stuck: go on without it
        }
    }

    /** Runs the work whose marker the reader will not reach any more, in order. */
    private void runLeft() {
        Waiting left;
        while ((left = marked.poll()) != null) {
            left.reach();
        }
    }

    private void pump() {
        try {
            while (awaitTurn()) {
                int n = reader.read(buffer);
                if (n <= 0) {
                    break;
                }
                long before = emitted;
                boolean atMark = consume(n);
                if (ended) {
                    break;
                }
                // Only the runtime's lines ask for a flush when it falls silent: markers' work flushes what it needs.
                if (emitted != before && reader.available() == 0) {
                    sink.idle();
                }
                if (atMark) {
                    restUnlessNeeded();
                }
            }
        } catch (IOException e) {
            // closed under us
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the output of an environment could not be delivered", e);
        } finally {
            runLeft();
            sink.idle();
            stopped.complete(null);
        }
    }

    /** Waits while the reader thread rests or the reading is lent; false once the output ended. */
    private boolean awaitTurn() {
        turn.lock();
        try {
            while ((resting || lent) && !ended) {
                try {
                    turned.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !ended;
        } finally {
            turn.unlock();
        }
    }

    /** At an invocation's end mark: the reader thread rests there unless an invocation runs or markers wait. */
    private void restUnlessNeeded() {
        turn.lock();
        try {
            if (!leased && !stopping && marked.isEmpty()) {
                resting = true;
                if (wanting) {
                    turned.signalAll();
                }
            }
        } finally {
            turn.unlock();
        }
    }

    /**
     * Splits the first {@code n} bytes of the buffer into lines for the sink, and reaches the markers among them.
     * True when one of them was an invocation's end mark ({@link Mark}).
     */
    private boolean consume(int n) {
        boolean atMark = false;
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b != '\n') {
                line.write(b);
                if (line.size() >= MAX_LINE_BYTES) {
                    cutLongLine(line);
                }
                continue;
            }
            byte[] bytes = line.toByteArray();
            line.reset();
            if (endsWith(bytes, stopMarker)) {
                emit(bytes, bytes.length - stopMarker.length + 1);
                turn.lock();
                try {
                    ended = true;
                } finally {
                    turn.unlock();
                }
                return atMark;
            }
            if (endsWith(bytes, syncMarker)) {
                emit(bytes, bytes.length - syncMarker.length + 1);
                Waiting next = marked.poll();
                if (next != null) {
                    next.reach();
                    atMark |= next instanceof Mark;
                }
                continue;
            }
            emit(bytes, bytes.length);
        }
        return atMark;
    }

    /** Delivers the line gathered so far, which has no newline yet. */
    private void emitPartial() {
        if (line.size() > 0) {
            byte[] bytes = line.toByteArray();
            line.reset();
            emit(bytes, bytes.length);
        }
    }

    /** True when {@code line} + '\n' ends with {@code marker} (which ends in '\n'). */
    private static boolean endsWith(byte[] line, byte[] marker) {
        int length = marker.length - 1;
        if (line.length < length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[line.length - length + i] != marker[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Delivers a line grown to the longest a log event may be, but keeps back its end from a NUL on when a marker
     * could begin there: a marker must reach the reader whole, however long the line before it.
     */
    private void cutLongLine(ByteArrayOutputStream line) {
        byte[] bytes = line.toByteArray();
        int cut = bytes.length;
        for (int i = Math.max(0, bytes.length - syncMarker.length + 1); i < bytes.length; i++) {
            if (bytes[i] == 0) {
                cut = i;
                break;
            }
        }
        emit(bytes, cut);
        line.reset();
        line.write(bytes, cut, bytes.length - cut);
    }

    private void emit(byte[] bytes, int length) {
        if (length <= 0) {
            return;
        }
        emitted++;
        try {
            sink.line(System.currentTimeMillis(), new String(bytes, 0, length, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a line of a function's output could not be delivered", e);
        }
    }

    private void closeQuietly() {
        try {
            writer.close();
        } catch (IOException e) {
            // closing
        }
        try {
            reader.close();
        } catch (IOException e) {
            // closing
        }
    }
}
