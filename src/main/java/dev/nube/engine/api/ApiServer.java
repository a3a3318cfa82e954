package dev.nube.engine.api;

import dev.nube.engine.http.HttpFraming;
import dev.nube.engine.http.SocketAcceptor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The AWS API over HTTP/1.1: one listening socket, a thread per connection (keep-alive, TCP_NODELAY; an idle
 * connection is closed after {@link #IDLE_MILLIS}), at most {@link #MAX_CONNECTIONS} at once. Each request is read
 * whole (at most {@link #MAX_BODY_BYTES} for a function's code, {@link #MAX_SMALL_BODY_BYTES} for the rest, and
 * {@link #UNSIGNED_BODY_BYTES} unless its Authorization names a known key), its signature checked against the access keys, its region against the
 * engine's regions, and handed to the service it is for; the service's answer is written back with its request id.
 * Hand-written on {@link HttpFraming} as the engine's other servers are, for the same two-writes-per-exchange reason.
 */
public final class ApiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    /** A function's zipped code may be 50 MB, sent base64-encoded inside JSON (CreateFunction, UpdateFunctionCode). */
    public static final int MAX_BODY_BYTES = 70 * 1024 * 1024;
    /** Every other request: an Invoke's payload is at most 6 MB. */
    public static final int MAX_SMALL_BODY_BYTES = 8 * 1024 * 1024;
    /** A request that is not signed by a known key is refused whatever its body; more than this is not kept. */
    static final int UNSIGNED_BODY_BYTES = 64 * 1024;
    private static final String LARGE_BODY_PATHS = "/2015-03-31/functions/?|/2015-03-31/functions/[^/]+/code/?";
    public static final int MAX_CONNECTIONS = 2048;
    static final int IDLE_MILLIS = 120_000;
    private static final HttpFraming HTTP = new HttpFraming(64 * 1024);

    private final List<ApiProtocol> protocols;
    private final AccessKeys keys;
    private final Supplier<Set<String>> regions;
    private final Consumer<String> requestLog;
    private final Clock clock;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final SocketAcceptor acceptor;

    /**
     * Binds {@code address} and starts serving. {@code regions} names the regions that exist now; {@code requestLog}
     * hears one line per answered request (the service, action, status and time).
     */
    public ApiServer(InetSocketAddress address, List<ApiProtocol> protocols, AccessKeys keys,
            Supplier<Set<String>> regions, Consumer<String> requestLog, Clock clock) throws IOException {
        this.protocols = List.copyOf(protocols);
        this.keys = keys;
        this.regions = regions;
        this.requestLog = requestLog;
        this.clock = clock;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 128);
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "aws-api-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new SocketAcceptor(server, "aws-api-accept", MAX_CONNECTIONS, connections, this::serve);
    }

    /** The bound port (the one chosen when asked for port 0). */
    public int port() {
        return server.getLocalPort();
    }

    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(IDLE_MILLIS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (!acceptor.closed()) {
                HttpFraming.Request request = HTTP.nextRequest(in, out);
                if (request == null) {
                    return;
                }
                // Only a request signed with a key of this folder may make the server hold a large body in memory.
                Optional<String> secret = secretOf(request);
                boolean known = secret != null && secret.isPresent();
                long limit = !known ? UNSIGNED_BODY_BYTES : request.path().matches(LARGE_BODY_PATHS) ? MAX_BODY_BYTES
                        : MAX_SMALL_BODY_BYTES;
                byte[] body;
                try {
                    body = HTTP.readBody(request, in, limit);
                } catch (HttpFraming.BadFraming e) {
                    write(out, request, fallback(request).reject(400, "InvalidRequest", e.getMessage(), newId()),
                            true);
                    return;
                }
                String version = request.version() == null ? "HTTP/1.1" : request.version();
                boolean close = request.wantsClose() || version.equals("HTTP/1.0");
                ApiResponse response;
                if (body == null && !known) {
                    close = true; // refused for its signature, which does not depend on the body it sent
                    response = answer(request, new byte[0], secret);
                } else if (body == null) {
                    ApiProtocol protocol = fallback(request);
                    response = protocol.reject(413, protocol.signingName().equals("ec2") ? "RequestEntityTooLarge"
                            : "RequestTooLargeException", "The request is over " + limit / (1024 * 1024) + " MB.",
                            newId());
                } else {
                    response = answer(request, body, secret);
                }
                write(out, request, response, close);
                if (close) {
                    return;
                }
            }
        } catch (SocketException | EOFException | SocketTimeoutException e) {
            // the client went away, or we closed it
        } catch (IOException e) {
            // a broken request (no target, a head over the limit): the connection closes
        }
    }

    /**
     * The secret of the key a request's Authorization names, looked up once for the request: empty for no key or an
     * unknown one, null when the keys cannot be read (the signature check then reads them again and says so).
     */
    private Optional<String> secretOf(HttpFraming.Request request) {
        try {
            return SignatureV4.scopeOf(request.headers()).flatMap(scope -> keys.secretOf(scope.accessKeyId()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Answers one whole request: unsigned links first, then the signature, the region and the service. */
    ApiResponse answer(HttpFraming.Request request, byte[] body, Optional<String> secret) {
        long started = System.nanoTime();
        String target = request.target();
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? null : target.substring(q + 1);
        String requestId = newId();
        ApiProtocol protocol = fallback(request);
        String action = "-";
        ApiResponse response;
        try {
            Optional<ApiResponse> unsigned = Optional.empty();
            for (ApiProtocol p : protocols) {
                unsigned = p.unsigned(request.method(), rawPath, rawQuery);
                if (unsigned.isPresent()) {
                    protocol = p;
                    break;
                }
            }
            if (unsigned.isPresent()) {
                response = unsigned.get();
            } else {
                Optional<SignatureV4.Signer> scope = SignatureV4.scopeOf(request.headers());
                if (scope.isPresent()) {
                    protocol = protocols.stream().filter(p -> p.signingName().equals(scope.get().service()))
                            .findFirst().orElse(protocol);
                }
                response = signed(protocol, request, rawPath, rawQuery, body, requestId, secret);
                action = response.headers().getOrDefault(ACTION_HEADER, "-");
            }
        } catch (IllegalArgumentException e) {
            // a percent-escape that is not one, in the path, the query or a form
            response = protocol.reject(400, "MalformedQueryString", "The request is not well encoded: "
                    + e.getMessage(), requestId);
        } catch (RuntimeException e) {
            // The path may be a download link, whose token is not for the log.
            LOG.log(System.Logger.Level.WARNING, "the AWS API failed on " + request.method() + " "
                    + (rawPath.startsWith("/nube/") ? "a download link" : rawPath), e);
            response = protocol.reject(500, "InternalFailure", "The request failed inside Nube; the engine's log"
                    + " says why.", requestId);
        }
        long micros = (System.nanoTime() - started) / 1000;
        requestLog.accept(protocol.signingName() + " " + action + " " + response.status() + " "
                + (micros < 10_000 ? micros + " us" : micros / 1000 + " ms"));
        return response;
    }

    /**
     * A header a service may set on its answer to name the action it served (for the request log); the server
     * removes it before the answer is written.
     */
    public static final String ACTION_HEADER = "X-Nube-Action";

    private ApiResponse signed(ApiProtocol protocol, HttpFraming.Request request, String rawPath, String rawQuery,
            byte[] body, String requestId, Optional<String> secret) {
        SignatureV4.Signer signer;
        try {
            signer = SignatureV4.verify(request.method(), rawPath, rawQuery, request.headers(), body, clock.instant(),
                    secret != null ? id -> secret : keys::secretOf);
        } catch (SignatureV4.Refused e) {
            return protocol.refuse(e.problem(), e.getMessage(), requestId);
        }
        if (!signer.service().equals(protocol.signingName())) {
            return protocol.refuse(SignatureV4.Problem.MISMATCH, "Credential should be scoped to correct service: '"
                    + protocol.signingName() + "'.", requestId);
        }
        keys.used(signer.accessKeyId());
        Set<String> known = regions.get();
        if (!known.contains(signer.region())) {
            return protocol.reject(400, "InvalidRegion", "The region '" + signer.region() + "' is not one of Nube's"
                    + " regions here (" + String.join(", ", new java.util.TreeSet<>(known)) + "). Set the region in"
                    + " ~/.aws/config or with --region.", requestId);
        }
        return protocol.handle(new ApiRequest(request.method(), rawPath, rawQuery, request.headers(), body,
                signer.region(), signer.accessKeyId(), requestId));
    }

    /** The service a request is worded for when its signature names none: by its shape, else EC2 (the first). */
    private ApiProtocol fallback(HttpFraming.Request request) {
        String path = request.path();
        for (ApiProtocol p : protocols) {
            if (p.claims(request.method(), path, request.headers())) {
                return p;
            }
        }
        return protocols.get(0);
    }

    private static void write(OutputStream out, HttpFraming.Request request, ApiResponse response, boolean close)
            throws IOException {
        Map<String, String> headers = new java.util.LinkedHashMap<>(response.headers());
        headers.remove(ACTION_HEADER);
        if (close) {
            headers.put("Connection", "close");
        }
        HttpFraming.writeResponse(out, request.version() == null ? "HTTP/1.1" : request.version(), response.status(),
                response.contentType(), headers, response.body(), !request.method().equals("HEAD"));
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Stops listening and closes every connection; a request being answered finishes on its own thread. */
    @Override
    public void close() {
        acceptor.close();
        connections.shutdown();
    }
}
