package dev.nube.engine.functions.runtime;

import dev.nube.engine.http.HttpFraming;
import dev.nube.engine.http.SocketAcceptor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/**
 * The Lambda Runtime API of one execution environment: a small HTTP/1.1 server on 127.0.0.1 with an ephemeral port
 * (given to the runtime as AWS_LAMBDA_RUNTIME_API), so a request needs no routing to its environment. Hand-written
 * rather than the JDK's HttpServer: a warm invocation is one GET answered and one POST read, and blocking sockets with
 * TCP_NODELAY keep that to two loopback writes (see the functions benchmark). Keep-alive, Content-Length and chunked
 * bodies are supported, which is what AWS's runtime clients, curl and our bootstraps send; {@link HttpFraming} reads
 * and writes the messages.
 * <p>Any local process can connect to a loopback port, so each connection is first put to {@code admit} (on its
 * connection thread) and closed unanswered unless admitted: the environment admits only its own processes, or
 * another process could take the next caller's event from {@code GET /next} and answer in the function's name.
 * <p>Threads: one acceptor per server; each connection is served on {@code connections}, except while its
 * {@code GET /next} waits: then the thread that delivers the invocation reads the runtime's answer (see
 * {@link Connection}). Close ends all of them.
 */
public final class RuntimeApiServer implements AutoCloseable {
    public static final String PREFIX = "/2018-06-01/runtime/";
    /** A request line and headers of 64 KiB at most; a longer head closes the connection unanswered. */
    private static final HttpFraming HTTP = new HttpFraming(64 * 1024);

    /**
     * A GET /next that waited this long (5 s) is looked at before its event is written: a runtime whose HTTP client
     * gave up waiting and asks again on a new connection may have closed it meanwhile.
     */
    private static final long LOOK_AFTER_NANOS = 5_000_000_000L;
    private final long lookAfterNanos;
    private final RuntimeApi api;
    private final Predicate<Socket> admit;
    private final ServerSocket server;
    private final SocketAcceptor acceptor;
    private final java.util.Set<Connection> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param admit says whether a new connection may be served (false: it is closed unanswered) */
    public RuntimeApiServer(RuntimeApi api, ExecutorService connections, String name, Predicate<Socket> admit)
            throws IOException {
        this(api, connections, name, admit, LOOK_AFTER_NANOS);
    }

    /**
     * @param lookAfterNanos how long a GET /next waits before a delivery first looks whether the runtime still holds
     *                       its connection (see {@link Connection#peerGone})
     */
    RuntimeApiServer(RuntimeApi api, ExecutorService connections, String name, Predicate<Socket> admit,
            long lookAfterNanos) throws IOException {
        this.lookAfterNanos = lookAfterNanos;
        this.api = api;
        this.admit = admit;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        this.acceptor = new SocketAcceptor(server, "runtime-api-" + name, Integer.MAX_VALUE, connections,
                this::serve);
    }

    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void serve(Socket socket) {
        Connection connection = null;
        try (socket) {
            if (!admit.test(socket)) {
                return;
            }
            connection = new Connection(socket);
            live.add(connection);
            if (acceptor.closed()) {
                return; // closed while admitting: close() may have missed it
            }
            while (connection.awaitTurn() && connection.step()) {
                // each turn reads and answers one request, unless the reading is lent (see Connection)
            }
        } catch (IOException e) {
            // the runtime went away, or we closed it; or a broken request (no target on the request line, a head
            // over the limit): the connection closes, and the runtime may reconnect
        } finally {
            if (connection != null) {
                live.remove(connection);
                connection.end();
            }
        }
    }

    /**
     * A socket's input whose reads end at a deadline, however the runtime spaces what it sends: a read after it throws
     * {@link java.net.SocketTimeoutException} unless bytes are there already.
     */
    private static final class DeadlineInput extends java.io.FilterInputStream {
        private final Socket socket;
        /** {@link System#nanoTime()} the reads end at; {@code Long.MAX_VALUE}: none (the connection's own thread). */
        private long deadlineNanos = Long.MAX_VALUE;
        /** How long a moment is: see {@link #beforeWaiting}. */
        private static final int MOMENT_MS = 1;
        /** Runs once when a read (with a deadline) has waited a moment and waits on; null: none. */
        private Runnable beforeWaiting;

        DeadlineInput(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        void until(long nanos) throws IOException {
            deadlineNanos = nanos;
            socket.setSoTimeout(0);
        }

        /** {@code action} runs once, when a read has waited {@value #MOMENT_MS} ms and waits on; null: nothing. */
        void beforeWaiting(Runnable action) {
            beforeWaiting = action;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (deadlineNanos != Long.MAX_VALUE) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 && in.available() == 0) {
                    throw new java.net.SocketTimeoutException("the invocation's deadline passed");
                }
                Runnable then = beforeWaiting;
                if (then != null) {
                    socket.setSoTimeout(MOMENT_MS);
                    try {
                        return in.read(b, off, len);
                    } catch (java.net.SocketTimeoutException e) {
                        beforeWaiting = null;
                        then.run();
                        left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            throw e;
                        }
                    }
                }
                socket.setSoTimeout(millis(left));
            }
            return in.read(b, off, len);
        }

        /** A socket timeout (ms) no shorter than {@code nanos}, and never 0 (which would mean none). */
        private static int millis(long nanos) {
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos) + 1));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** A connection's buffered input, which can tell whether a whole request head came already. */
    private static final class RequestInput extends BufferedInputStream {
        private final DeadlineInput deadline;

        RequestInput(DeadlineInput in) {
            super(in, 16 * 1024);
            this.deadline = in;
        }

        /** Reads from now on end at {@code nanos} ({@link System#nanoTime()}); {@code Long.MAX_VALUE}: never. */
        void until(long nanos) throws IOException {
            deadline.until(nanos);
        }

        /** See {@link DeadlineInput#beforeWaiting}. */
        void beforeWaiting(Runnable action) {
            deadline.beforeWaiting(action);
        }

        /**
         * True when a whole request head is already in this buffer or the socket's: reading it cannot wait for the
         * runtime. A head already in the buffer (a request sent along with the last one) is found without a system
         * call.
         */
        boolean wholeRequestBuffered() throws IOException {
            if (endOfHead(buf, pos, count)) {
                return true;
            }
            int available = available();
            if (available < 4) {
                return false;
            }
            mark(available);
            try {
                byte[] bytes = readNBytes(available);
                return endOfHead(bytes, 0, bytes.length);
            } finally {
                reset();
            }
        }

        private static boolean endOfHead(byte[] bytes, int from, int to) {
            for (int i = from + 3; i < to; i++) {
                if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One connection of a runtime. Its requests are read by its own thread, except while a {@code GET /next} waits:
     * then the reading is lent to whoever delivers the invocation. The environment's invoking thread writes the event
     * and reads the runtime's answer itself ({@link #deliverAndServe}), so no thread is woken to hand the answer over;
     * with a {@code GET /next} sent along with the answer (pipelined, as our bootstraps send it) the connection is
     * waiting again when the answer counts, and stays lent. Anything else gives the reading back to the connection's
     * thread. The lock keeps writers apart and hands the reading over; a request sent while a {@code GET /next} waits
     * unread is read, and answered in order, after the invocation that answers the GET.
     */
    private final class Connection extends java.io.FilterOutputStream implements RuntimeApi.Delivery {
        /** The longest a lent reader waits before it looks whether the answer came by another connection. */
        private static final int LONGEST_LOOK_MS = 100;
        private final Socket socket;
        private final RequestInput in;
        private boolean awaiting;
        /** The reading belongs to the deliverer of the waiting GET /next, not to the connection's thread. */
        private boolean lent;
        private boolean closeAfterDelivery;
        private boolean abandoned;
        private boolean holdingBack;
        private boolean ended;
        /** A deliverer reads the runtime's requests now. */
        private boolean serving;
        /** The connection's own thread is between requests (not waiting for its turn). */
        private boolean stepping;
        /** When the GET /next that waits came ({@link System#nanoTime()}). */
        private long awaitingSince;
        /** What taking the answer just replied to does, not run yet. */
        private Runnable answer;
        /** An answer taken, not yet counted: the runtime's next request came with it. */
        private Runnable held;
        /** The request just answered came with the whole head of the next one. */
        private boolean nextBuffered;

        Connection(Socket socket) throws IOException {
            super(new BufferedOutputStream(socket.getOutputStream(), 16 * 1024));
            this.socket = socket;
            this.in = new RequestInput(new DeadlineInput(socket));
        }

        /**
         * Waits while the reading is lent or a deliverer reads; true when this connection's thread reads on, false
         * when the connection ended, the server is closing or the thread was interrupted.
         */
        synchronized boolean awaitTurn() {
            stepping = false;
            notifyAll(); // a deliverer may read now
            while (serving || (lent && !ended && !acceptor.closed())) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            stepping = !ended && !acceptor.closed();
            return stepping;
        }

        /** Reads one request and answers it; false when the connection closes. */
        boolean step() throws IOException {
            try {
                HttpFraming.Request request = null;
                try {
                    request = HTTP.readRequest(in);
                } finally {
                    if (abandon()) {
                        api.nextAbandoned(this); // closed, or read again after a newer GET /next took its place
                        request = null;
                    }
                }
                if (request == null) {
                    return false;
                }
                nextBuffered = false;
                boolean goOn = handle(request, in, this) && !(request.wantsClose() && !awaiting());
                countHeld();
                held = takeAnswer();
                if (!(goOn && nextBuffered)) {
                    countHeld();
                }
                // else: a runtime that sent its GET /next with its answer (pipelined) is waiting for the next
                // invocation once that GET is read, before the answer counts, so the invoking thread finds it waiting.
                return goOn; // a GET /next that wants the connection closed has it closed once answered
            } catch (HttpFraming.BadFraming e) {
                // where the body ends is unknown: answer, then close
                RuntimeApiServer.write(this, 400, Map.of("Connection", "close"), json(e.getMessage(),
                        "InvalidRequest"));
                return false;
            }
        }

        /**
         * The connection is done with: a GET /next still waiting is given up, and answers taken count even if the
         * runtime hung up before reading our 202.
         */
        void end() {
            synchronized (this) {
                ended = true;
                stepping = false;
                notifyAll();
            }
            try {
                flush(); // a 202 held back for the next event that will not come
            } catch (IOException e) {
                // the runtime went away
            }
            if (abandon()) {
                api.nextAbandoned(this);
            }
            countHeld();
            held = takeAnswer();
            countHeld();
        }

        /** Counts the answer held back for the request that came with it, if any. */
        private void countHeld() {
            Runnable then = held;
            held = null;
            if (then != null) {
                then.run();
            }
        }

        /** Wakes a thread waiting for its turn: the server is closing. */
        synchronized void wake() {
            notifyAll();
        }

        synchronized void await(boolean close) {
            awaiting = true;
            awaitingSince = System.nanoTime();
            lent = true;
            closeAfterDelivery = close;
        }

        synchronized boolean awaiting() {
            return awaiting;
        }

        /** What taking the answer just replied to does; the connection's thread runs it. */
        void answered(Runnable then) {
            answer = then;
        }

        Runnable takeAnswer() {
            Runnable then = answer;
            answer = null;
            return then;
        }

        /** True, once, when a GET /next was still unanswered: it never will be, and the connection closes. */
        synchronized boolean abandon() {
            abandoned = awaiting;
            awaiting = false;
            return abandoned;
        }

        @Override
        public void deliver(RuntimeApi.NextInvocation next) throws IOException {
            synchronized (this) {
                try {
                    writeInvocation(next);
                } finally {
                    giveBack();
                }
            }
        }

        @Override
        public boolean deliverAndServe(RuntimeApi.NextInvocation next, java.util.concurrent.Future<?> answered,
                long deadlineNanos, Runnable beforeWaiting) throws IOException {
            synchronized (this) {
                boolean serve = lent && !closeAfterDelivery;
                try {
                    writeInvocation(next);
                } catch (IOException e) {
                    giveBack();
                    throw e;
                }
                if (!serve) {
                    giveBack();
                    return false;
                }
                // The connection's thread may still be finishing the request that made it wait (it published the
                // waiter from inside it): it reads nothing more, but its last steps use the fields a reader uses.
                while (stepping && !ended) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        giveBack();
                        return false;
                    }
                }
                if (ended) {
                    return false; // its thread saw the runtime go, and closes the connection
                }
                serving = true;
            }
            boolean goOn = true;
            boolean received = false; // false: the connection was reset before anything came back
            in.beforeWaiting(beforeWaiting);
            try {
                while (goOn && !answered.isDone() && !awaiting()) {
                    boolean sent = dataBefore(deadlineNanos, answered);
                    received = true; // the runtime sent something, or ended the connection cleanly (as curl does once
                                     // it read the event)
                    if (!sent) {
                        break;
                    }
                    in.until(deadlineNanos);
                    goOn = step();
                }
                received = true;
            } catch (IOException e) {
                // a reset before anything came: the runtime had closed the connection, and never read the event
                // (the kernel resets a connection that gets data after its end); else the deadline passed within a
                // request, or the runtime went away
                goOn = false;
            } finally {
                in.beforeWaiting(null);
                try {
                    in.until(Long.MAX_VALUE);
                } catch (IOException e) {
                    goOn = false;
                }
                countHeld(); // an answer whose pipelined request the deadline cut off still counts
                synchronized (this) {
                    serving = false;
                    if (!goOn) {
                        ended = true; // its thread closes it
                    }
                    if (!goOn || !awaiting || !lent) {
                        giveBack();
                    } else if (acceptor.closed()) {
                        notifyAll(); // its thread waits for this reader before it ends
                    }
                }
            }
            if (!received) {
                throw new IOException("the runtime had closed the connection its GET /next came by");
            }
            return answered.isDone();
        }

        /**
         * Waits until the runtime sent something (true), the deadline passed or the answer came by another connection
         * (false), looking at the answer now and then (at 1, 3, 7, ... ms, then each {@value #LONGEST_LOOK_MS} ms).
         * Reads nothing. A reset of the connection is thrown.
         */
        private boolean dataBefore(long deadlineNanos, java.util.concurrent.Future<?> answered) throws IOException {
            int look = 1;
            while (!answered.isDone() && deadlineNanos - System.nanoTime() > 0) {
                in.until(Math.min(deadlineNanos, System.nanoTime() + look * 1_000_000L));
                in.mark(1);
                try {
                    in.read();
                    in.reset();
                    return true; // or the end, which the next read sees
                } catch (java.net.SocketTimeoutException e) {
                    look = Math.min(2 * look + 1, LONGEST_LOOK_MS);
                }
            }
            return false;
        }

        /**
         * True when the runtime closed the connection of a GET /next that waited a while: nobody reads a lent
         * connection, so its end is not seen otherwise, and an event written to it would be lost. Looks for at most
         * 1 ms, only while the connection's thread waits for its turn (else that thread sees the end itself). Holds
         * the lock.
         */
        private boolean peerGone() throws IOException {
            if (!lent || stepping || serving || ended || System.nanoTime() - awaitingSince < lookAfterNanos) {
                return false;
            }
            in.until(System.nanoTime() + 1_000_000L);
            in.mark(1);
            try {
                if (in.read() < 0) {
                    return true;
                }
                in.reset(); // a request sent while the GET waits: answered after it
                return false;
            } catch (java.net.SocketTimeoutException e) {
                return false; // nothing: the runtime waits
            } finally {
                in.until(Long.MAX_VALUE);
            }
        }

        /** The reading goes back to the connection's thread. Holds the lock. */
        private void giveBack() {
            lent = false;
            notifyAll();
        }

        /** Writes the invocation to the waiting GET /next. Holds the lock. */
        private void writeInvocation(RuntimeApi.NextInvocation next) throws IOException {
            if (abandoned || peerGone()) {
                abandoned = true;
                awaiting = false;
                throw new IOException("the runtime's connection was given up");
            }
            awaiting = false;
            writeNext(out, next);
            if (closeAfterDelivery) {
                socket.shutdownOutput(); // the runtime sees the end; its thread then sees the runtime close
            }
        }

        @Override
        public void release() {
            synchronized (this) {
                giveBack();
            }
        }

        /** While true, {@link #flush()} leaves what was written in the buffer for the next reply's flush. */
        synchronized void holdBack(boolean value) {
            holdingBack = value;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            if (!holdingBack) {
                out.flush();
            }
        }
    }

    /** Answers one request; false when the connection must close afterwards. */
    private boolean handle(HttpFraming.Request request, RequestInput in, Connection out)
            throws IOException {
        String path = request.path();
        if (request.method().equals("GET") && path.equals(PREFIX + "invocation/next")) {
            HTTP.discardBody(request, in);
            out.await(request.wantsClose());
            return api.next(out);
        }
        if (!request.method().equals("POST")) {
            HTTP.discardBody(request, in);
            write(out, 405, Map.of(), json("Method not allowed", "MethodNotAllowed"));
            return true;
        }
        if (path.equals(PREFIX + "init/error")) {
            byte[] body = HTTP.readBody(request, in, RuntimeApi.MAX_RESPONSE_BYTES);
            reply(out, body == null ? tooLarge()
                    : api.initError(body, request.header("lambda-runtime-function-error-type")));
            return true;
        }
        String invocation = PREFIX + "invocation/";
        if (path.startsWith(invocation) && (path.endsWith("/response") || path.endsWith("/error"))
                && path.substring(invocation.length()).indexOf('/') > 0) {
            String rest = path.substring(invocation.length());
            String requestId = rest.substring(0, rest.lastIndexOf('/'));
            byte[] body = HTTP.readBody(request, in, RuntimeApi.MAX_RESPONSE_BYTES);
            // A runtime that sent its next request with its answer (pipelined: our bootstraps send GET /next) reads
            // this 202 only once that request is answered too: it goes out with that answer, in one write, rather
            // than waking the runtime once more now.
            out.nextBuffered = in.wholeRequestBuffered();
            out.holdBack(out.nextBuffered);
            try {
                if (body == null) {
                    api.responseTooLarge(requestId, request.contentLength());
                    reply(out, tooLarge());
                } else if (path.endsWith("/response")) {
                    reply(out, api.response(requestId, body));
                } else {
                    reply(out, api.error(requestId, body, request.header("lambda-runtime-function-error-type")));
                }
            } finally {
                out.holdBack(false);
            }
            return true;
        }
        HTTP.discardBody(request, in);
        write(out, 404, Map.of(), json("Unknown path " + path, "InvalidRequest"));
        return true;
    }

    private static RuntimeApi.Reply tooLarge() {
        return RuntimeApi.Reply.error(413, "RequestEntityTooLarge", "Exceeded maximum allowed payload size ("
                + RuntimeApi.MAX_RESPONSE_BYTES + " bytes).");
    }

    private static void writeNext(OutputStream out, RuntimeApi.NextInvocation next) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        headers.put("Lambda-Runtime-Aws-Request-Id", next.requestId());
        headers.put("Lambda-Runtime-Deadline-Ms", Long.toString(next.deadlineEpochMillis()));
        headers.put("Lambda-Runtime-Invoked-Function-Arn", next.invokedFunctionArn());
        headers.put("Lambda-Runtime-Trace-Id", next.traceId());
        if (next.clientContext() != null) {
            headers.put("Lambda-Runtime-Client-Context", next.clientContext());
        }
        if (next.cognitoIdentity() != null) {
            headers.put("Lambda-Runtime-Cognito-Identity", next.cognitoIdentity());
        }
        write(out, 200, headers, next.payload());
    }

    private static byte[] json(String message, String type) {
        return RuntimeApi.Reply.errorBody(type, message).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the reply; its {@code then} is left to the connection's loop, which runs it even if the write fails. */
    private static void reply(Connection out, RuntimeApi.Reply reply) throws IOException {
        out.answered(reply.then());
        write(out, reply.status(), Map.of(), reply.json().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(OutputStream out, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        HttpFraming.writeResponse(out, "HTTP/1.1", status, "application/json", headers, body, true);
    }

    /** Stops accepting and closes every connection (a runtime blocked in /next sees its connection drop). */
    @Override
    public void close() {
        acceptor.close();
        live.forEach(Connection::wake);
    }
}
