package dev.nube.engine.functions.urls;

import dev.nube.engine.EngineException;
import dev.nube.engine.api.SignatureV4;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionUrlConfig;
import dev.nube.engine.functions.InvocationResult;
import dev.nube.engine.functions.InvocationType;
import dev.nube.engine.functions.InvokeRequest;
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
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoint of every function URL: one HTTP/1.1 socket on 127.0.0.1, each request routed by its Host,
 * {@code <url-id>.lambda-url.<region>.localhost[:port]}, to its function, which is invoked ($LATEST, synchronously) with the
 * payload format 2.0 event ({@link UrlEvent}); its result becomes the answer ({@link UrlAnswer}). An AWS_IAM URL takes
 * only requests signed (SigV4, service {@code lambda}, the URL's region) with an access key of this data folder; CORS
 * settings answer preflights (unsigned, as browsers send them) and decorate answers ({@link UrlCors}). A request body
 * is at most 6 MB, as Lambda's. A thread per connection (keep-alive, an idle one closed after {@link #IDLE_MILLIS}),
 * at most {@link #MAX_CONNECTIONS} at once; an invocation holds its connection's thread until the function answers.
 * Hand-written on {@link HttpFraming} as the engine's other servers are.
 */
public final class FunctionUrlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FunctionUrlServer.class.getName());
    /** The host name of a function URL; a port may follow. */
    private static final Pattern HOST = Pattern.compile("(([a-z0-9]{32})\\.lambda-url\\.([a-z0-9-]+)\\.localhost)"
            + "\\.?(?::\\d+)?");
    static final int MAX_CONNECTIONS = 1024;
    static final int IDLE_MILLIS = 120_000;
    private static final HttpFraming HTTP = new HttpFraming(64 * 1024, true);

    /**
     * What a URL's host leads to: the function (by name, in the region), the alias it invokes through (null for
     * $LATEST) and the URL's settings.
     */
    public record Route(String region, String functionName, String qualifier, FunctionUrlConfig config) {
    }

    /** Finds the route of a URL id in a region. */
    @FunctionalInterface
    public interface Routes {
        Optional<Route> find(String region, String urlId);
    }

    private final Routes routes;
    private final FunctionService functions;
    private final Function<String, Optional<String>> secrets;
    private final Consumer<String> keyUsed;
    private final Clock clock;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final SocketAcceptor acceptor;

    /**
     * Binds 127.0.0.1 at {@code port} (0 for a free one) and starts serving.
     *
     * @param secrets the secret of an active access key by its id, empty for an unknown or inactive one
     * @param keyUsed hears the id of each key that signed an accepted request
     */
    public FunctionUrlServer(int port, Routes routes, FunctionService functions,
            Function<String, Optional<String>> secrets, Consumer<String> keyUsed, Clock clock) throws IOException {
        this.routes = routes;
        this.functions = functions;
        this.secrets = secrets;
        this.keyUsed = keyUsed;
        this.clock = clock;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 128);
        AtomicInteger count = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "function-url-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new SocketAcceptor(server, "function-url-accept", MAX_CONNECTIONS, connections, this::serve);
    }

    /** The bound port. */
    public int port() {
        return server.getLocalPort();
    }

    /** The address of URL {@code urlId} in {@code region} on this server, as a user calls it. */
    public String url(String region, String urlId) {
        return "http://" + urlId + ".lambda-url." + region + ".localhost:" + port() + "/";
    }

    /** Request bodies read and held at once, at most (KiB): 64 MiB. */
    static final int BODY_BUDGET_KIB = 64 * 1024;
    private static final long BODY_WAIT_SECONDS = 10;
    private final java.util.concurrent.Semaphore bodies = new java.util.concurrent.Semaphore(BODY_BUDGET_KIB);

    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(IDLE_MILLIS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            String sourceIp = socket.getInetAddress().getHostAddress();
            while (!acceptor.closed()) {
                HttpFraming.Request request = HTTP.nextRequest(in, out);
                if (request == null) {
                    return;
                }
                String version = request.version() == null ? "HTTP/1.1" : request.version();
                boolean close = request.wantsClose() || version.equals("HTTP/1.0");
                UrlAnswer answer;
                int kib = bodyKib(request);
                if (!bodies.tryAcquire(kib, BODY_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                    // Its body is not read: the connection cannot go on.
                    answer = UrlAnswer.message(503, "Too many large requests at once; try again.");
                    close = true;
                } else {
                    try {
                        byte[] body = HTTP.readBody(request, in, InvokeRequest.MAX_PAYLOAD_BYTES);
                        answer = body == null ? UrlAnswer.message(413, "Request must be smaller than "
                                + InvokeRequest.MAX_PAYLOAD_BYTES + " bytes for the InvokeFunction operation")
                                : answer(request, body, sourceIp);
                    } catch (HttpFraming.BadFraming e) {
                        answer = UrlAnswer.message(400, e.getMessage());
                        close = true;
                    } finally {
                        bodies.release(kib);
                    }
                }
                if (close) {
                    answer = answer.withHeader("Connection", "close");
                }
                HttpFraming.writeResponse(out, version, answer.status(), answer.contentType(), answer.headers(),
                        answer.body(), !request.method().equals("HEAD"));
                if (close) {
                    return;
                }
            }
        } catch (SocketException | EOFException | SocketTimeoutException e) {
            // the client went away, or we closed it
        } catch (IOException e) {
            // a broken request (no target, a head over the limit): the connection closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is closing
        }
    }

    /**
     * What a request's body may take while it is read and its function runs, in KiB: its Content-Length, or the most a
     * body may be when it comes in chunks. All requests at once take at most {@link #BODY_BUDGET_KIB}, so many large
     * requests cannot exhaust the engine's memory.
     */
    private static int bodyKib(HttpFraming.Request request) {
        String length = request.header("content-length");
        long bytes;
        if (length != null && length.matches("\\d{1,12}")) {
            bytes = Math.min(Long.parseLong(length), InvokeRequest.MAX_PAYLOAD_BYTES + 1L);
        } else {
            bytes = request.header("transfer-encoding") != null ? InvokeRequest.MAX_PAYLOAD_BYTES + 1L : 0;
        }
        return (int) ((bytes + 1023) / 1024);
    }

    /** Answers one whole request: the route, CORS preflight, the signature, then the function. */
    UrlAnswer answer(HttpFraming.Request request, byte[] body, String sourceIp) {
        String requestId = UUID.randomUUID().toString();
        String host = request.header("host") == null ? "" : request.header("host").toLowerCase(Locale.ROOT);
        Matcher m = HOST.matcher(host);
        if (!m.matches()) {
            return UrlAnswer.message(404, "This is Nube's function URL endpoint: call a function URL, e.g. http://"
                    + "<url-id>.lambda-url.<region>.localhost:" + port() + "/ (the function's Configuration tab"
                    + " shows it), not " + (host.isEmpty() ? "a request without a Host" : host) + ".")
                    .withHeader("x-amzn-RequestId", requestId);
        }
        String domain = m.group(1);
        String urlId = m.group(2);
        String region = m.group(3);
        Optional<Route> found = routes.find(region, urlId);
        if (found.isEmpty()) {
            return UrlAnswer.message(404, "There is no function URL " + domain + " (it was deleted, or is of"
                    + " another data folder).").withHeader("x-amzn-RequestId", requestId);
        }
        Route route = found.get();
        FunctionUrlConfig config = route.config();
        String origin = request.header("origin");
        if (config.cors() != null && UrlCors.isPreflight(request.method(), origin,
                request.header("access-control-request-method"))) {
            return UrlCors.preflight(config.cors(), origin).withHeader("x-amzn-RequestId", requestId);
        }
        UrlEvent.Caller caller = null;
        if (config.authType() == FunctionUrlConfig.AuthType.AWS_IAM) {
            Optional<String> signer = signer(request, body, region);
            if (signer.isEmpty()) {
                return UrlAnswer.message(403, "Forbidden").withHeader("x-amzn-RequestId", requestId);
            }
            caller = new UrlEvent.Caller(signer.get());
        }
        UrlAnswer answer = invoke(route, UrlEvent.of(request, body, urlId, domain, sourceIp, caller, requestId,
                Instant.now(clock)).toString().getBytes(StandardCharsets.UTF_8));
        if (config.cors() != null) {
            answer = UrlCors.apply(answer, config.cors(), origin);
        }
        return answer.withHeader("x-amzn-RequestId", requestId);
    }

    /** The access key that signed a request for Lambda in {@code region}, or empty when it is not so signed. */
    private Optional<String> signer(HttpFraming.Request request, byte[] body, String region) {
        String target = request.target();
        int q = target.indexOf('?');
        try {
            SignatureV4.Signer signer = SignatureV4.verify(request.method(), q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), request.headers(), body, clock.instant(), secrets);
            if (!signer.service().equals("lambda") || !signer.region().equals(region)) {
                return Optional.empty();
            }
            keyUsed.accept(signer.accessKeyId());
            return Optional.of(signer.accessKeyId());
        } catch (SignatureV4.Refused | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Invokes the route's function with {@code event}; its result, or the refusal, as Lambda answers it. */
    private UrlAnswer invoke(Route route, byte[] event) {
        InvocationResult result;
        try {
            result = functions.invoke(route.region(), route.functionName(), new InvokeRequest(route.qualifier(),
                    InvocationType.REQUEST_RESPONSE, event, null, false));
        } catch (EngineException e) {
            return switch (e.code()) {
                case "TooManyRequestsException" -> UrlAnswer.message(429, "Rate Exceeded.");
                case "RequestTooLargeException" -> UrlAnswer.message(413, "Request must be smaller than "
                        + InvokeRequest.MAX_PAYLOAD_BYTES + " bytes for the InvokeFunction operation");
                case "ResourceNotFoundException" -> UrlAnswer.message(404, e.getMessage());
                default -> {
                    LOG.log(System.Logger.Level.WARNING, "function URL of " + route.functionName() + " in "
                            + route.region() + ": " + e.getMessage());
                    yield UrlAnswer.message(500, e.getMessage());
                }
            };
        }
        if (result.error() != null) {
            return UrlAnswer.badGateway();
        }
        return UrlAnswer.of(result.payload());
    }

    /** Stops listening and closes every connection; an invocation under way finishes on its own thread. */
    @Override
    public void close() {
        acceptor.close();
        connections.shutdown();
    }
}
