package dev.nube.engine.functions.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * The Lambda Runtime API of one execution environment: a small HTTP/1.1 server on 127.0.0.1 with an ephemeral port
 * (given to the runtime as AWS_LAMBDA_RUNTIME_API), so a request needs no routing to its environment. Hand-written
 * rather than the JDK's HttpServer: a warm invocation is one GET answered and one POST read, and blocking sockets with
 * TCP_NODELAY keep that to two loopback writes (see the functions benchmark). Keep-alive, Content-Length and chunked
 * bodies are supported, which is what AWS's runtime clients, curl and our bootstraps send.
 * <p>Any local process can connect to a loopback port, so each connection is first put to {@code admit} (on its
 * connection thread) and closed unanswered unless admitted: the environment admits only its own processes, or
 * another process could take the next caller's event from {@code GET /next} and answer in the function's name.
 * <p>Threads: one acceptor per server; each connection is served on {@code connections}. Close ends both.
 */
public final class RuntimeApiServer implements AutoCloseable {
    public static final String PREFIX = "/2018-06-01/runtime/";
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final RuntimeApi api;
    private final Predicate<Socket> admit;
    private final ExecutorService connections;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param admit says whether a new connection may be served (false: it is closed unanswered) */
    public RuntimeApiServer(RuntimeApi api, ExecutorService connections, String name, Predicate<Socket> admit)
            throws IOException {
        this.api = api;
        this.admit = admit;
        this.connections = connections;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        Thread acceptor = new Thread(this::acceptLoop, "runtime-api-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    sleep(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            open.add(socket);
            try {
                socket.setTcpNoDelay(true);
                connections.execute(() -> serve(socket));
            } catch (IOException | RejectedExecutionException e) {
                open.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            if (!admit.test(socket)) {
                return;
            }
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            try {
                while (!closed) {
                    Request request = Request.read(in);
                    if (request == null) {
                        return;
                    }
                    if (!handle(request, in, out) || "close".equalsIgnoreCase(request.header("connection"))) {
                        return;
                    }
                }
            } catch (BadRequest e) {
                // where the body ends is unknown: answer, then close
                write(out, 400, Map.of("Connection", "close"), json(e.getMessage(), "InvalidRequest"));
            }
        } catch (SocketException | EOFException e) {
            // the runtime went away, or we closed it
        } catch (IOException e) {
            // a broken request: the connection closes, the runtime may reconnect
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(socket);
        }
    }

    /** Answers one request; false when the connection must close afterwards. */
    private boolean handle(Request request, InputStream in, OutputStream out) throws IOException, InterruptedException {
        String path = request.path();
        if (request.method().equals("GET") && path.equals(PREFIX + "invocation/next")) {
            request.discardBody(in);
            return api.next(next -> writeNext(out, next));
        }
        if (!request.method().equals("POST")) {
            request.discardBody(in);
            write(out, 405, Map.of(), json("Method not allowed", "MethodNotAllowed"));
            return true;
        }
        if (path.equals(PREFIX + "init/error")) {
            byte[] body = request.readBody(in, RuntimeApi.MAX_RESPONSE_BYTES);
            reply(out, body == null ? tooLarge() : api.initError(body, request.header("lambda-runtime-function-error-type")));
            return true;
        }
        String invocation = PREFIX + "invocation/";
        if (path.startsWith(invocation) && (path.endsWith("/response") || path.endsWith("/error"))) {
            String rest = path.substring(invocation.length());
            String requestId = rest.substring(0, rest.lastIndexOf('/'));
            byte[] body = request.readBody(in, RuntimeApi.MAX_RESPONSE_BYTES);
            if (body == null) {
                api.responseTooLarge(requestId, request.contentLength());
                reply(out, tooLarge());
            } else if (path.endsWith("/response")) {
                reply(out, api.response(requestId, body));
            } else {
                reply(out, api.error(requestId, body, request.header("lambda-runtime-function-error-type")));
            }
            return true;
        }
        request.discardBody(in);
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

    private static void reply(OutputStream out, RuntimeApi.Reply reply) throws IOException {
        try {
            write(out, reply.status(), Map.of(), reply.json().getBytes(StandardCharsets.UTF_8));
        } finally {
            reply.then().run(); // an answer counts even if the runtime hung up before reading our 202
        }
    }

    private static void write(OutputStream out, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Payload Too Large";
            default -> "Status";
        };
    }

    /** Stops accepting and closes every connection (a runtime blocked in /next sees its connection drop). */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request whose framing cannot be read (a bad Content-Length or chunk size): answered with 400. */
    static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /** One parsed request line and its headers (names in lower case); the body is read on demand. */
    record Request(String method, String path, Map<String, String> headers) {
        static Request read(InputStream in) throws IOException {
            String line = readLine(in, true);
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                throw new IOException("bad request line: " + line);
            }
            Map<String, String> headers = new java.util.HashMap<>();
            int total = line.length();
            for (String header = readLine(in, false); !header.isEmpty(); header = readLine(in, false)) {
                total += header.length();
                if (total > MAX_HEADER_BYTES) {
                    throw new IOException("headers too large");
                }
                int colon = header.indexOf(':');
                if (colon > 0) {
                    headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).strip());
                }
            }
            String length = headers.get("content-length");
            if (length != null && !length.matches("[0-9]{1,18}")) {
                throw new BadRequest("Content-Length is not a number: " + length);
            }
            String target = parts[1];
            int query = target.indexOf('?');
            return new Request(parts[0], query < 0 ? target : target.substring(0, query), headers);
        }

        String header(String name) {
            return headers.get(name);
        }

        long contentLength() {
            String value = headers.get("content-length");
            return value == null ? -1 : Long.parseLong(value); // checked by read
        }

        boolean chunked() {
            String value = headers.get("transfer-encoding");
            return value != null && value.toLowerCase(Locale.ROOT).contains("chunked");
        }

        /** The body, or null when it is longer than {@code limit} (then it was read and dropped). */
        byte[] readBody(InputStream in, long limit) throws IOException {
            if (chunked()) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                boolean over = false;
                for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                    over |= body.size() + size > limit;
                    copy(in, over ? OutputStream.nullOutputStream() : body, size);
                    readLine(in, false);
                }
                for (String trailer = readLine(in, false); !trailer.isEmpty(); trailer = readLine(in, false)) {
                    // trailers are not used
                }
                return over ? null : body.toByteArray();
            }
            long length = Math.max(0, contentLength());
            if (length > limit) {
                copy(in, OutputStream.nullOutputStream(), length);
                return null;
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
            }
            return body;
        }

        void discardBody(InputStream in) throws IOException {
            if (chunked() || contentLength() > 0) {
                readBody(in, 0);
            }
        }

        private static long chunkSize(InputStream in) throws IOException {
            String line = readLine(in, false);
            int semicolon = line.indexOf(';');
            String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
            if (!size.matches("[0-9a-fA-F]{1,15}")) {
                throw new BadRequest("a chunk size is not a hexadecimal number: " + size);
            }
            return Long.parseLong(size, 16);
        }

        private static void copy(InputStream in, OutputStream out, long count) throws IOException {
            byte[] buffer = new byte[8192];
            while (count > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
                if (n < 0) {
                    throw new EOFException();
                }
                out.write(buffer, 0, n);
                count -= n;
            }
        }

        /** A CRLF (or LF) terminated line; null at a clean end of stream before a request when {@code first}. */
        private static String readLine(InputStream in, boolean first) throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    if (first && line.length() == 0) {
                        return null;
                    }
                    throw new EOFException();
                }
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() > MAX_HEADER_BYTES) {
                    throw new IOException("line too long");
                }
                line.append((char) b);
            }
        }
    }
}
