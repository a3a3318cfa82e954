package dev.nube.engine.compute.net;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The instance metadata service of one instance: an HTTP server on a loopback port that only this instance's QEMU
 * relays to (its guest reaches it at 169.254.169.254:80), so each instance sees only its own data. Serves EC2's paths
 * under {@code /latest/meta-data/} and {@code /latest/user-data}; anything else is 404. Handles requests on one thread.
 */
public final class MetadataServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private MetadataServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code metadata} on 127.0.0.1:{@code port}; throws if the port is taken. */
    public static MetadataServer start(int port, InstanceMetadata metadata) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metadata " + metadata.instanceId());
            t.setDaemon(true);
            return t;
        });
        Map<String, byte[]> documents = documents(metadata);
        server.createContext("/", exchange -> answer(exchange, documents));
        server.setExecutor(executor);
        server.start();
        return new MetadataServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
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
        meta.put("placement/region", m.region());
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
        docs.put("/latest/meta-data/placement/", "region".getBytes(StandardCharsets.UTF_8));
        if (m.openSshKey() != null) {
            docs.put("/latest/meta-data/public-keys/", ("0=" + m.keyName()).getBytes(StandardCharsets.UTF_8));
            docs.put("/latest/meta-data/public-keys/0/", "openssh-key".getBytes(StandardCharsets.UTF_8));
        }
        if (m.userData() != null) {
            docs.put("/latest/user-data", m.userData().clone());
        }
        docs.put("/latest/", (m.userData() != null ? "meta-data/\nuser-data" : "meta-data/")
                .getBytes(StandardCharsets.UTF_8));
        return Map.copyOf(docs);
    }

    private static void answer(HttpExchange exchange, Map<String, byte[]> documents) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = documents.get(path);
            if (body == null && !path.endsWith("/")) {
                body = documents.get(path + "/");
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "Method Not Allowed\n".getBytes(StandardCharsets.UTF_8));
            } else if (body == null) {
                send(exchange, 404, "Not Found\n".getBytes(StandardCharsets.UTF_8));
            } else {
                send(exchange, 200, body);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
