package dev.nube.engine.functions.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Runtime API server's HTTP handling, against a recording API (no sandbox). */
class RuntimeApiServerTest {
    private static final String RESPONSE = RuntimeApiServer.PREFIX + "invocation/abc/response";
    /** A bound that only a broken server reaches (it would leave the connection open); never a measured time. */
    private static final int SAFETY_TIMEOUT_MS = 30_000;

    private static final String NEXT = RuntimeApiServer.PREFIX + "invocation/next";

    private final List<String> answers = new CopyOnWriteArrayList<>();
    /** Deliveries of GET /next requests, as the server left them; and those it gave up. */
    private final List<RuntimeApi.Delivery> waiting = new CopyOnWriteArrayList<>();
    private final List<RuntimeApi.Delivery> abandoned = new CopyOnWriteArrayList<>();
    /** How many GET /next requests were waiting when each answer counted. */
    private final List<Integer> waitingWhenCounted = new CopyOnWriteArrayList<>();
    /** The thread each answer counted on. */
    private final List<Thread> countedOn = new CopyOnWriteArrayList<>();
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private RuntimeApiServer server;

    private final RuntimeApi api = new RuntimeApi() {
        @Override
        public boolean next(Delivery delivery) {
            waiting.add(delivery);
            return true;
        }

        @Override
        public void nextAbandoned(Delivery delivery) {
            abandoned.add(delivery);
        }

        @Override
        public Reply response(String requestId, byte[] body) {
            answers.add(requestId + ":" + new String(body, StandardCharsets.UTF_8));
            return Reply.accepted(() -> {
                waitingWhenCounted.add(waiting.size());
                countedOn.add(Thread.currentThread());
            });
        }

        @Override
        public Reply error(String requestId, byte[] body, String errorTypeHeader) {
            answers.add(requestId + " error:" + new String(body, StandardCharsets.UTF_8));
            return Reply.ACCEPTED;
        }

        @Override
        public Reply initError(byte[] body, String errorTypeHeader) {
            return Reply.ACCEPTED;
        }

        @Override
        public void responseTooLarge(String requestId, long bytes) {
        }
    };

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        connections.shutdownNow();
    }

    private RuntimeApiServer start(ExecutorService executor) throws IOException {
        server = new RuntimeApiServer(api, executor, "test", socket -> true);
        return server;
    }

    /** Sends {@code request} (then half-closes when {@code endInput}) and returns all the server wrote. */
    private String exchange(String request, boolean endInput) throws IOException {
        String[] address = server.address().split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address[0], Integer.parseInt(address[1])));
            socket.setSoTimeout(SAFETY_TIMEOUT_MS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            if (endInput) {
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all); // until the server closes
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    private Socket connect() throws IOException {
        String[] address = server.address().split(":");
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(address[0], Integer.parseInt(address[1])));
        socket.setSoTimeout(SAFETY_TIMEOUT_MS);
        return socket;
    }

    /** Sends GET /next on {@code socket} and waits until the server keeps it waiting. */
    private void askForTheNext(Socket socket) throws Exception {
        send(socket, "GET " + NEXT + " HTTP/1.1\r\n\r\n");
        dev.nube.engine.EngineTestSupport.waitUntil("the GET waits", 30, () -> waiting.size() == 1);
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** One response: its head and its Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed after: " + head);
            }
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip());
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static RuntimeApi.NextInvocation invocation(String id) {
        return new RuntimeApi.NextInvocation(id, 0, "arn:aws:lambda:local-1:000000000000:function:f", "Root=1-0-0",
                null, null, "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAnswerSentWithTheNextGetCountsOnceThatGetWaits() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            send(socket, "POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: 4\r\n\r\n\"ok\"GET " + NEXT
                    + " HTTP/1.1\r\n\r\n");
            InputStream in = socket.getInputStream();
            dev.nube.engine.EngineTestSupport.waitUntil("the answer counted", 30, () -> !waitingWhenCounted.isEmpty());
            assertEquals(List.of(1), waitingWhenCounted, "the pipelined GET /next was waiting when the answer counted");
            assertEquals(0, in.available(), "the 202 waits for the next event, to go out with it");
            waiting.get(0).deliver(invocation("second"));
            assertTrue(readResponse(in).startsWith("HTTP/1.1 202"));
            String next = readResponse(in);
            assertTrue(next.startsWith("HTTP/1.1 200") && next.contains("Lambda-Runtime-Aws-Request-Id: second"),
                    next);
        }
    }

    @Test
    void aGetNextThatAsksForCloseIsClosedOnceAnswered() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            send(socket, "GET " + NEXT + " HTTP/1.1\r\nConnection: close\r\n\r\n");
            dev.nube.engine.EngineTestSupport.waitUntil("the GET waits", 30, () -> waiting.size() == 1);
            waiting.get(0).deliver(invocation("only"));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all); // ends only when the server closes its side
            String reply = all.toString(StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 200") && reply.endsWith("{}"), reply);
        }
        assertEquals(List.of(), abandoned);
    }

    @Test
    void aRequestSentWhileTheNextWaitsIsAnsweredAfterIt() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            askForTheNext(socket);
            send(socket, "POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: 4\r\n\r\n\"ok\"");
            waiting.get(0).deliver(invocation("first"));
            InputStream in = socket.getInputStream();
            String first = readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 200") && first.contains("Lambda-Runtime-Aws-Request-Id: first"),
                    first);
            assertTrue(readResponse(in).startsWith("HTTP/1.1 202"), "answered in the order asked");
        }
        assertEquals(List.of("abc:\"ok\""), answers);
        assertEquals(List.of(), abandoned);
    }

    @Test
    void theDelivererReadsTheAnswerAndFindsTheNextGetWaiting() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            askForTheNext(socket);
            java.util.List<Exception> failed = new CopyOnWriteArrayList<>();
            Thread runtime = answersWithTheNextGet(socket, 0, failed);
            assertTrue(waiting.get(0).deliverAndServe(invocation("abc"), answeredBy(Thread.currentThread()),
                    System.nanoTime() + 30_000_000_000L, null), "the answer read before the deadline");
            runtime.join();
            assertEquals(List.of(), failed);
            assertEquals(List.of(Thread.currentThread()), countedOn, "the answer counted on the delivering thread");
            assertEquals(List.of(2), waitingWhenCounted, "the pipelined GET /next was waiting when it counted");
            assertEquals(0, socket.getInputStream().available(), "the 202 waits for the next event");
            waiting.get(1).deliver(invocation("second"));
            assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 202"));
            assertTrue(readResponse(socket.getInputStream()).contains("Lambda-Runtime-Aws-Request-Id: second"));
        }
    }

    @Test
    void aDelivererWaitingForASlowAnswerRunsItsWorkForTheWaitOnceBeforeTheAnswerCounts() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            askForTheNext(socket);
            java.util.List<Exception> failed = new CopyOnWriteArrayList<>();
            Thread runtime = answersWithTheNextGet(socket, 200, failed); // a while: longer than a moment
            List<String> ran = new CopyOnWriteArrayList<>();
            assertTrue(waiting.get(0).deliverAndServe(invocation("abc"), answeredBy(Thread.currentThread()),
                    System.nanoTime() + 30_000_000_000L, () -> ran.add(Thread.currentThread().getName()
                            + (answers.isEmpty() ? " before" : " after"))), "the answer read");
            runtime.join();
            assertEquals(List.of(), failed);
            assertEquals(List.of(Thread.currentThread().getName() + " before"), ran,
                    "once, on the delivering thread, while the answer had not come");
            assertEquals(List.of("abc:\"ok\""), answers);
        }
    }

    @Test
    void aDelivererStopsReadingAtTheDeadlineHoweverSlowlyTheAnswerComes() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            askForTheNext(socket);
            Thread runtime = new Thread(() -> {
                try {
                    readResponse(socket.getInputStream());
                    send(socket, "POST " + RESPONSE + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
                    for (int i = 0; i < 40; i++) { // a chunk each 200 ms: each read is quick, the body never ends
                        send(socket, "1\r\nx\r\n");
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection at the deadline
                }
            });
            runtime.start();
            long started = System.nanoTime();
            assertTrue(!waiting.get(0).deliverAndServe(invocation("abc"), answeredBy(Thread.currentThread()),
                    started + 1_000_000_000L, null), "no answer by the deadline");
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs < 4_000, "back at the 1 s deadline, not when the 8 s body ends: " + tookMs + " ms");
            runtime.interrupt();
            runtime.join();
        }
        assertEquals(List.of(), answers);
    }

    @Test
    void aWaitingGetWhoseRuntimeClosedTheConnectionRefusesTheEvent() throws Exception {
        server = new RuntimeApiServer(api, connections, "test", socket -> true, 0);
        try (Socket socket = connect()) {
            askForTheNext(socket);
        } // the runtime gave up waiting: its HTTP client closed the connection
        Thread.sleep(100); // the close reaches the server's side (loopback: at once)
        assertThrows(IOException.class, () -> waiting.get(0).deliverAndServe(invocation("abc"),
                answeredBy(Thread.currentThread()), System.nanoTime() + 30_000_000_000L, null),
                "not written to a connection nobody reads: the environment keeps it for the next GET /next");
    }

    /**
     * A runtime, started: it reads the event, waits {@code afterMs}, then sends its answer and its next GET in one
     * write. What goes wrong goes to {@code failed}.
     */
    private static Thread answersWithTheNextGet(Socket socket, long afterMs, List<Exception> failed) {
        Thread runtime = new Thread(() -> {
            try {
                readResponse(socket.getInputStream());
                Thread.sleep(afterMs);
                send(socket, "POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: 4\r\n\r\n\"ok\"GET " + NEXT
                        + " HTTP/1.1\r\n\r\n");
            } catch (IOException | InterruptedException e) {
                failed.add(e);
            }
        });
        runtime.start();
        return runtime;
    }

    /** A future done once an answer counted on {@code thread}. */
    private java.util.concurrent.Future<?> answeredBy(Thread thread) {
        return new java.util.concurrent.CompletableFuture<Void>() {
            @Override
            public boolean isDone() {
                return countedOn.contains(thread);
            }
        };
    }

    @Test
    void aWaitingGetReleasedLetsItsConnectionThreadSeeTheRuntimeGo() throws Exception {
        start(connections);
        try (Socket socket = connect()) {
            askForTheNext(socket);
            waiting.get(0).release(); // another GET /next took its place
        }
        dev.nube.engine.EngineTestSupport.waitUntil("the GET given up", 30, () -> abandoned.size() == 1);
        assertEquals(waiting, abandoned);
        assertThrows(IOException.class, () -> waiting.get(0).deliver(invocation("late")));
    }

    @Test
    void aCompleteResponseIsTaken() throws Exception {
        start(connections);
        String reply = exchange("POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"
                + "\"ok\"", false);
        assertTrue(reply.startsWith("HTTP/1.1 202"), reply);
        assertEquals(List.of("abc:\"ok\""), answers);
    }

    @Test
    void aBodyThatEndsEarlyIsNotAResponse() throws Exception {
        start(connections);
        String reply = exchange("POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"partial\"", true);
        assertEquals("", reply, "the connection closes without an answer");
        assertEquals(List.of(), answers, "a runtime that died mid-POST answered nothing");
        String chunked = exchange("POST " + RESPONSE + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "40\r\n{\"partial\"", true);
        assertEquals("", chunked);
        assertEquals(List.of(), answers);
    }

    @Test
    void aContentLengthOrChunkSizeThatIsNoNumberGetsBadRequest() throws Exception {
        start(connections);
        String length = exchange("POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: ten\r\n\r\n0123456789", false);
        assertTrue(length.startsWith("HTTP/1.1 400 Bad Request"), length);
        assertTrue(length.contains("Content-Length is not a number: ten"), length);
        String negative = exchange("POST " + RESPONSE + " HTTP/1.1\r\nContent-Length: -5\r\n\r\n", false);
        assertTrue(negative.startsWith("HTTP/1.1 400"), negative);
        String chunk = exchange("POST " + RESPONSE + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n"
                + "0\r\n\r\n", false);
        assertTrue(chunk.startsWith("HTTP/1.1 400"), chunk);
        assertEquals(List.of(), answers);
    }

    @Test
    void errorBodiesAreJsonWhateverTheMessageHolds() throws Exception {
        start(connections);
        String path = RuntimeApiServer.PREFIX + "a\"b\\c\u0001";
        String reply = exchange("POST " + path + " HTTP/1.1\r\nConnection: close\r\n\r\n", false);
        assertTrue(reply.startsWith("HTTP/1.1 404 Not Found"), reply);
        com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
        assertEquals("Unknown path " + path, body.get("errorMessage").asText());
        assertEquals("InvalidRequest", body.get("errorType").asText());
        List<String> fields = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("errorMessage", "errorType"), fields, "AWS's field order");
    }

    @Test
    void aConnectionTheExecutorRefusesIsClosed() throws Exception {
        ExecutorService refusing = Executors.newSingleThreadExecutor();
        refusing.shutdown();
        start(refusing);
        assertEquals("", exchange("", false), "closed, not left open");
    }
}
