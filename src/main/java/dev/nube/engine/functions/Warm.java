package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.OutputPump;
import dev.nube.engine.functions.sandbox.Sandbox;
import java.util.List;

/**
 * An execution environment together with its log stream and the tail of the current invocation's log (the last
 * 4 KB, for X-Amz-Log-Result). The environment's output pump writes here. Thread-safe.
 */
final class Warm implements OutputPump.LineSink {
    static final int TAIL_BYTES = 4096;

    private final WarmPool.Key key;
    private final FunctionLog.Stream stream;
    private final Sandbox sandbox;
    private final StringBuilder tail = new StringBuilder();
    private volatile ExecutionEnvironment environment;
    private volatile long idleSince;
    /** Where the next invocation's START goes in the output, marked when the last one ended; null when not marked. */
    private volatile OutputPump.Mark nextStart;
    /** An invocation's START was written, and its END not yet (see {@link #invocationLines}). */
    private volatile boolean invoking;

    Warm(WarmPool.Key key, FunctionLog.Stream stream, Sandbox sandbox) {
        this.key = key;
        this.stream = stream;
        this.sandbox = sandbox;
    }

    /** The sandbox the environment was started in. */
    Sandbox sandbox() {
        return sandbox;
    }

    void attach(ExecutionEnvironment value) {
        environment = value;
    }

    WarmPool.Key key() {
        return key;
    }

    ExecutionEnvironment environment() {
        return environment;
    }

    FunctionLog.Stream stream() {
        return stream;
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    void nextStart(OutputPump.Mark mark) {
        nextStart = mark;
    }

    /** The mark for the next invocation's START, once: null when there is none. */
    OutputPump.Mark takeNextStart() {
        OutputPump.Mark mark = nextStart;
        nextStart = null;
        return mark;
    }

    @Override
    public void line(long epochMillis, String text) {
        synchronized (tail) {
            tail.append(text).append('\n');
            trim();
        }
        stream.append(epochMillis, List.of(text));
    }

    /**
     * Writes out what the runtime printed once it falls silent between invocations; during one, its END does (a query
     * of the log reads what is still buffered: see {@link FunctionLog#query}).
     */
    @Override
    public void idle() {
        if (!invoking) {
            stream.flush();
        }
    }

    /**
     * The engine's lines that open ({@code opens}) or close an invocation: between them, the runtime's lines are
     * written out with the END.
     */
    void invocationLines(boolean opens, String... lines) {
        invoking = opens;
        engineLines(lines);
    }

    /** Lines the engine writes (START, END, REPORT, errors). */
    void engineLines(String... lines) {
        synchronized (tail) {
            for (String line : lines) {
                tail.append(line).append('\n');
            }
            trim();
        }
        stream.append(System.currentTimeMillis(), List.of(lines));
    }

    private void trim() {
        if (tail.length() > 2 * TAIL_BYTES) {
            tail.delete(0, tail.length() - TAIL_BYTES);
        }
    }

    /** Starts a new invocation's tail. */
    void beginInvocation() {
        synchronized (tail) {
            tail.setLength(0);
        }
    }

    /** The last 4 KB of the invocation's log. */
    String tail() {
        synchronized (tail) {
            byte[] bytes = tail.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length <= TAIL_BYTES) {
                return tail.toString();
            }
            return new String(bytes, bytes.length - TAIL_BYTES, TAIL_BYTES, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
