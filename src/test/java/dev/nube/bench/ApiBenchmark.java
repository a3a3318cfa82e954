package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.api.AccessKeyService;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.api.SignatureV4;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.engine.functions.RuntimeInfo;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The AWS API's cost over the services it calls: a signed DescribeInstances and a signed Invoke of a python echo
 * function over HTTP (a keep-alive connection; each request signed anew, as an SDK does), beside the same service
 * calls made in-process in the same run; and Invoke throughput through the API with 1 and 8 clients, each on its own
 * connection. The region has no instances, so DescribeInstances measures the API's own path (signature check,
 * parsing, XML) rather than a long answer.
 */
final class ApiBenchmark implements Bench.Suite {
    private static final String REGION = "local-1";
    private static final String PAYLOAD = "{\"hello\":\"world\"}";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String description() {
        return "signed DescribeInstances and Invoke over HTTP vs the same calls in-process; invokes/s, 1 and 8 clients";
    }

    @Override
    public void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("nube-bench-api");
        try (Engine engine = Engine.open(dir.resolve("home"))) {
            ApiEndpoint.Status status = engine.apiHost().startWith(new ApiEndpoint.Settings(0, false));
            if (!status.serving()) {
                throw new IllegalStateException(status.problem());
            }
            AccessKeyService.Created key = engine.accessKeys().create("benchmark");
            FunctionService functions = engine.functions();
            String runtime = functions.runtimes().stream().map(RuntimeInfo::id).filter(id -> id.startsWith("python"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no python runtime here"));
            functions.create(REGION, CreateFunctionRequest.of("echo", runtime));
            URI url = URI.create(status.url());
            byte[] describe = "Action=DescribeInstances&Version=2016-11-15".getBytes(StandardCharsets.UTF_8);
            byte[] payload = PAYLOAD.getBytes(StandardCharsets.UTF_8);
            try (Client client = new Client(url, key)) {
                // Warm up both paths (JIT, the function's environment), then measure.
                for (int i = 0; i < 2000; i++) {
                    client.call("ec2", "POST", "/", describe, FORM);
                    client.call("lambda", "POST", INVOKE, payload, Map.of());
                    engine.instances().list(REGION);
                    functions.invoke(REGION, "echo", InvokeRequest.of(PAYLOAD));
                }
                Stats describeHttp = measure(count, () -> client.call("ec2", "POST", "/", describe, FORM));
                Stats describeDirect = measure(count, () -> engine.instances().list(REGION));
                Stats invokeHttp = measure(count, () -> client.call("lambda", "POST", INVOKE, payload, Map.of()));
                Stats invokeDirect = measure(count, () -> functions.invoke(REGION, "echo",
                        InvokeRequest.of(PAYLOAD)));
                print("DescribeInstances over HTTP", describeHttp);
                print("DescribeInstances in-process", describeDirect);
                print("Invoke over HTTP", invokeHttp);
                print("Invoke in-process", invokeDirect);
                double perSecond1 = throughput(url, key, 1, count);
                double perSecond8 = throughput(url, key, 8, count);
                System.out.printf("Invoke through the API: %.0f/s with 1 client, %.0f/s with 8 clients%n",
                        perSecond1, perSecond8);
                System.out.printf("api: describe_p50_us=%.0f invoke_p50_us=%.0f describe_ratio=%.1f"
                        + " invoke_ratio=%.2f invoke_per_s_8=%.0f%n", describeHttp.median(), invokeHttp.median(),
                        describeHttp.median() / describeDirect.median(), invokeHttp.median() / invokeDirect.median(),
                        perSecond8);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final String INVOKE = "/2015-03-31/functions/echo/invocations";
    private static final Map<String, String> FORM = Map.of("content-type", "application/x-www-form-urlencoded");

    private interface Call {
        void run() throws Exception;
    }

    private static Stats measure(int count, Call call) throws Exception {
        double[] micros = new double[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            call.run();
            micros[i] = (System.nanoTime() - t0) / 1000.0;
        }
        return new Stats(micros);
    }

    private static void print(String what, Stats stats) {
        System.out.printf("%-30s p50 %.0f us, p99 %.0f us (%d calls)%n", what + ":", stats.median(),
                stats.percentile(99), stats.count());
    }

    /** Invokes per second with {@code clients} connections calling at once, {@code count} calls each. */
    private static double throughput(URI url, AccessKeyService.Created key, int clients, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        byte[] payload = PAYLOAD.getBytes(StandardCharsets.UTF_8);
        try {
            List<Client> connections = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connections.add(new Client(url, key));
            }
            long t0 = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (Client client : connections) {
                running.add(pool.submit(() -> {
                    for (int i = 0; i < count; i++) {
                        client.call("lambda", "POST", INVOKE, payload, Map.of());
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (Client client : connections) {
                client.close();
            }
            return clients * (double) count / seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One keep-alive HTTP/1.1 connection that signs every request (SigV4) and reads each answer whole. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String host;
        private final AccessKeyService.Created key;

        Client(URI url, AccessKeyService.Created key) throws IOException {
            this.socket = new Socket(url.getHost(), url.getPort());
            socket.setTcpNoDelay(true);
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            this.out = socket.getOutputStream();
            this.host = url.getHost() + ":" + url.getPort();
            this.key = key;
        }

        void call(String service, String method, String path, byte[] body, Map<String, String> extra)
                throws IOException {
            Map<String, String> headers = new LinkedHashMap<>(extra);
            headers.put("host", host);
            headers.put("x-amz-date", AMZ_DATE.format(Instant.now()));
            String authorization = SignatureV4.authorization(key.key().id(), key.secretAccessKey(), REGION, service,
                    method, path, null, headers, body);
            StringBuilder head = new StringBuilder(512).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("authorization: ").append(authorization).append("\r\ncontent-length: ")
                    .append(body.length).append("\r\n\r\n");
            ByteArrayOutputStream request = new ByteArrayOutputStream(head.length() + body.length);
            request.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            request.write(body);
            out.write(request.toByteArray());
            out.flush();
            String status = line();
            int length = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring(15).strip());
                }
            }
            byte[] answer = in.readNBytes(length);
            if (!status.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException(status + ": " + new String(answer, StandardCharsets.UTF_8));
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the server closed the connection");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
