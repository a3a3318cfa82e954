package dev.nube.engine.compute.instances.metadata;

import dev.nube.engine.http.HttpFraming;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instance metadata service of one instance: a small HTTP/1.0 and 1.1 server on a unix socket in the
 * instance's private folder (mode 0700), which only this instance's QEMU relays to (its guest reaches it at
 * 169.254.169.254:80), so each instance sees only its own data and no other local user, and nothing that binds a
 * port while the console is closed, can read or impersonate it. Serves EC2's paths under {@code /latest/meta-data/},
 * {@code /latest/dynamic/instance-identity/document} and {@code /latest/user-data} to GET and HEAD, the same under
 * any dated version ({@code /2009-04-04/...}, as cloud-init asks), and the versions at {@code /}; anything else is
 * 404. IMDSv2 as EC2 has it: {@code PUT /latest/api/token} with {@code X-aws-ec2-metadata-token-ttl-seconds} (1 to
 * 21,600) answers a session token of this service only (tokens live in its memory: another instance's service, or
 * this one after a restart, refuses it); a request carrying {@code X-aws-ec2-metadata-token} is served only while its
 * token is valid (else 401), and one without is served only while tokens are optional (else 401). A token PUT
 * that carries {@code X-Forwarded-For} is refused (403), as EC2 refuses tokens to requests through a proxy. One answer
 * per connection ({@code Connection: close}); {@link HttpFraming} reads and writes the messages. Thread-safe: one
 * thread accepts, each connection has its own short-lived thread (at most {@value #MAX_CONNECTIONS} at once; a guest
 * that opens more waits).
 */
public final class MetadataServer implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicLong connections = new java.util.concurrent.atomic.AtomicLong();
    private static final int MAX_CONNECTIONS = 4;
    /** A request line and headers of 8 KiB at most; a longer head closes the connection unanswered. */
    private static final HttpFraming HTTP = new HttpFraming(8192);

    private final ServerSocketChannel server;
    private final Path socket;
    private final Map<String, byte[]> documents;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(MAX_CONNECTIONS);
    private final String name;
    private final Object socketFile;
    /** Session tokens handed out, with the System.nanoTime() at which each expires. */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private volatile boolean tokensRequired;

    private MetadataServer(ServerSocketChannel server, Path socket, Map<String, byte[]> documents, String name,
            boolean tokensRequired) throws IOException {
        this.server = server;
        this.socket = socket;
        this.documents = documents;
        this.name = name;
        this.tokensRequired = tokensRequired;
        this.socketFile = Files.readAttributes(socket, BasicFileAttributes.class).fileKey();
    }

    /** A path under a dated version of the service, e.g. {@code /2021-03-23/meta-data/}: served as {@code latest}. */
    private static final java.util.regex.Pattern DATED = java.util.regex.Pattern.compile(
            "/(?:19|20)\\d\\d-\\d\\d-\\d\\d(/.*)?");
    /** The versions {@code GET /} lists, as EC2 lists its own: those cloud-init looks for, and latest. */
    static final String VERSIONS = "1.0\n2009-04-04\n2016-09-02\n2018-09-24\n2021-03-23\nlatest";

    /** The longest a token may live, in seconds (EC2's six hours). */
    public static final int MAX_TOKEN_TTL_SECONDS = 21_600;
    /** Tokens held at once; beyond it, expired ones are dropped, and while none has expired a PUT is refused. */
    private static final int MAX_TOKENS = 1024;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Whether the guest has connected at all: it then has (or is taking) what the service tells it. */
    public boolean asked() {
        return connections.get() > 0;
    }

    /** Requires a token on every request from now on (true), or serves plain requests too (false). */
    public void tokensRequired(boolean value) {
        tokensRequired = value;
    }

    /**
     * Serves {@code metadata} on the unix socket {@code socket}, replacing a stale socket file left there (the engine
     * that served it is gone: one engine at a time holds a data folder). The folder must be private to this user.
     */
    public static MetadataServer start(Path socket, InstanceMetadata metadata) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 16);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        MetadataServer metadataServer;
        try {
            metadataServer = new MetadataServer(server, socket, documents(metadata),
                    "metadata " + metadata.instanceId(), metadata.tokensRequired());
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        Thread acceptor = new Thread(metadataServer::acceptLoop, metadataServer.name);
        acceptor.setDaemon(true);
        acceptor.start();
        return metadataServer;
    }

    private void acceptLoop() {
        try {
            while (server.isOpen()) {
                slots.acquire();
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (IOException | RuntimeException e) {
                    slots.release();
                    throw e;
                }
                open.add(client);
                connections.incrementAndGet();
                Thread handler = new Thread(() -> {
                    try (client) {
                        answer(client);
                    } catch (IOException ignored) {
                        // the guest went away mid-request, or sent a head over the limit: nothing to answer
                    } finally {
                        open.remove(client);
                        slots.release();
                    }
                }, name + " request");
                handler.setDaemon(true);
                handler.start();
            }
        } catch (ClosedChannelException e) {
            // closed: the instance stopped or the engine let go of it
        } catch (IOException e) {
            System.getLogger(MetadataServer.class.getName()).log(System.Logger.Level.WARNING,
                    name + ": stopped accepting: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every path the service answers, with its body. Listings end in a slash, as EC2's do. */
    public static Map<String, byte[]> documents(InstanceMetadata m) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("ami-id", m.imageId());
        meta.put("hostname", m.hostname());
        meta.put("instance-id", m.instanceId());
        meta.put("instance-type", m.instanceType());
        meta.put("local-hostname", m.hostname());
        meta.put("local-ipv4", m.localIpv4());
        meta.put("placement/availability-zone", InstanceMetadata.zoneOf(m.region()));
        meta.put("placement/region", m.region());
        if (m.macAddress() != null) {
            meta.put("mac", m.macAddress());
        }
        if (m.openSshKey() != null) {
            meta.put("public-keys/0/openssh-key", m.openSshKey().strip() + "\n");
        }
        Map<String, byte[]> docs = new LinkedHashMap<>();
        meta.forEach((k, v) -> docs.put("/latest/meta-data/" + k, v.getBytes(StandardCharsets.UTF_8)));
        StringBuilder top = new StringBuilder();
        for (String key : meta.keySet()) {
            String first = key.contains("/") ? key.substring(0, key.indexOf('/') + 1) : key;
            if (top.indexOf(first + "\n") < 0) {
                top.append(first).append('\n');
            }
        }
        docs.put("/latest/meta-data/", top.toString().strip().getBytes(StandardCharsets.UTF_8));
        docs.put("/latest/meta-data/placement/", "availability-zone\nregion".getBytes(StandardCharsets.UTF_8));
        docs.put("/latest/dynamic/", "instance-identity/".getBytes(StandardCharsets.UTF_8));
        docs.put("/latest/dynamic/instance-identity/", "document".getBytes(StandardCharsets.UTF_8));
        docs.put("/latest/dynamic/instance-identity/document", identityDocument(m));
        if (m.openSshKey() != null) {
            docs.put("/latest/meta-data/public-keys/", ("0=" + m.keyName()).getBytes(StandardCharsets.UTF_8));
            docs.put("/latest/meta-data/public-keys/0/", "openssh-key".getBytes(StandardCharsets.UTF_8));
        }
        if (m.userData() != null) {
            docs.put("/latest/user-data", m.userData().clone());
        }
        docs.put("/", VERSIONS.getBytes(StandardCharsets.UTF_8));
        docs.put("/latest/", (m.userData() != null ? "dynamic/\nmeta-data/\nuser-data" : "dynamic/\nmeta-data/")
                .getBytes(StandardCharsets.UTF_8));
        return Map.copyOf(docs);
    }

    /** The instance identity document, with EC2's fields in EC2's order (pretty-printed, as EC2 serves it). */
    private static byte[] identityDocument(InstanceMetadata m) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("accountId", InstanceMetadata.ACCOUNT_ID);
        doc.put("architecture", "x86_64");
        doc.put("availabilityZone", InstanceMetadata.zoneOf(m.region()));
        doc.put("billingProducts", null);
        doc.put("devpayProductCodes", null);
        doc.put("marketplaceProductCodes", null);
        doc.put("imageId", m.imageId());
        doc.put("instanceId", m.instanceId());
        doc.put("instanceType", m.instanceType());
        doc.put("kernelId", null);
        doc.put("pendingTime", m.launchTime() == null ? null
                : m.launchTime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        doc.put("privateIp", m.localIpv4());
        doc.put("ramdiskId", null);
        doc.put("region", m.region());
        doc.put("version", "2017-09-30");
        try {
            return dev.nube.engine.store.Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(SocketChannel client) throws IOException {
        InputStream in = new BufferedInputStream(Channels.newInputStream(client), 1024);
        // user-data is at most 16 KiB: most answers leave in one write
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(client), 16 * 1024);
        HttpFraming.Request request;
        try {
            request = HTTP.readRequest(in);
        } catch (HttpFraming.BadRequestLine e) {
            badRequest(out);
            return;
        }
        if (request == null) {
            return;
        }
        if (request.version() == null || !request.version().startsWith("HTTP/1.")) {
            badRequest(out);
            return;
        }
        String method = request.method();
        String version = request.version().equals("HTTP/1.1") ? "HTTP/1.1" : "HTTP/1.0";
        String path = request.target();
        if (path.startsWith("http://")) {
            int slash = path.indexOf('/', "http://".length());
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        java.util.regex.Matcher dated = DATED.matcher(path);
        if (dated.matches()) { // /2009-04-04/meta-data/... as cloud-init asks: the same as /latest/
            path = "/latest" + (dated.group(1) == null ? "" : dated.group(1));
        }
        if (path.equals("/latest/api/token")) {
            token(out, version, request);
            return;
        }
        byte[] body = documents.get(path);
        if (body == null && !path.endsWith("/")) {
            body = documents.get(path + "/");
        }
        String token = request.header("x-aws-ec2-metadata-token");
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(out, version, 405, "Method Not Allowed\n".getBytes(StandardCharsets.UTF_8), false);
        } else if (token != null ? !valid(token) : tokensRequired) {
            send(out, version, 401, "Unauthorized\n".getBytes(StandardCharsets.UTF_8), method.equals("HEAD"));
        } else if (body == null) {
            send(out, version, 404, "Not Found\n".getBytes(StandardCharsets.UTF_8), method.equals("HEAD"));
        } else {
            send(out, version, 200, body, method.equals("HEAD"));
        }
    }

    /** {@code PUT /latest/api/token}: a new session token for as many seconds as the TTL header asks. */
    private void token(OutputStream out, String version, HttpFraming.Request request) throws IOException {
        if (!request.method().equals("PUT")) {
            send(out, version, 405, "Method Not Allowed\n".getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        if (request.header("x-forwarded-for") != null) {
            send(out, version, 403, "Forbidden\n".getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        int ttl;
        try {
            ttl = Integer.parseInt(String.valueOf(request.header("x-aws-ec2-metadata-token-ttl-seconds")).strip());
        } catch (NumberFormatException e) {
            ttl = 0;
        }
        if (ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
            send(out, version, 400, "Bad Request\n".getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        String token = issueToken(ttl);
        if (token == null) {
            send(out, version, 429, "Too Many Requests\n".getBytes(StandardCharsets.UTF_8), false);
            return;
        }
        HttpFraming.writeResponse(out, version, 200, "text/plain", Map.of("Connection", "close",
                "X-Aws-Ec2-Metadata-Token-Ttl-Seconds", Integer.toString(ttl)),
                token.getBytes(StandardCharsets.US_ASCII), true);
    }

    /**
     * A new session token of this service, valid for {@code ttlSeconds} (1 to {@value #MAX_TOKEN_TTL_SECONDS}), as
     * {@code PUT /latest/api/token} hands out; null while {@value #MAX_TOKENS} unexpired ones are held. The engine
     * hands one to a restored guest with the word to go on, which spares it the request.
     */
    public String issueToken(int ttlSeconds) {
        if (ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
            throw new IllegalArgumentException("a token lives 1 to " + MAX_TOKEN_TTL_SECONDS + " s: " + ttlSeconds);
        }
        long now = System.nanoTime();
        if (tokens.size() >= MAX_TOKENS) {
            tokens.values().removeIf(expiry -> expiry - now <= 0);
            if (tokens.size() >= MAX_TOKENS) {
                return null;
            }
        }
        byte[] bytes = new byte[42];
        RANDOM.nextBytes(bytes);
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, now + ttlSeconds * 1_000_000_000L);
        return token;
    }

    private boolean valid(String token) {
        Long expiry = tokens.get(token.strip());
        if (expiry == null) {
            return false;
        }
        if (expiry - System.nanoTime() <= 0) {
            tokens.remove(token.strip());
            return false;
        }
        return true;
    }

    private static void badRequest(OutputStream out) throws IOException {
        send(out, "HTTP/1.0", 400, "Bad Request\n".getBytes(StandardCharsets.UTF_8), false);
    }

    private static void send(OutputStream out, String version, int status, byte[] body, boolean head)
            throws IOException {
        HttpFraming.writeResponse(out, version, status, "text/plain", Map.of("Connection", "close"), body, !head);
    }

    /** Stops serving: closes the socket and every connection, and removes the socket file. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel client : open) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            // Only our own socket file: a later server of the same instance may already listen at this path.
            Object now = Files.readAttributes(socket, BasicFileAttributes.class).fileKey();
            if (java.util.Objects.equals(socketFile, now)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException ignored) {
            // gone already, or a stale socket file that the next start replaces
        }
    }
}
