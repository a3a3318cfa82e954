package dev.nube.bench;

import static dev.nube.engine.functions.TestRuntimes.JAVA;
import static dev.nube.engine.functions.TestRuntimes.JAVA_EXECUTABLE;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;

import dev.nube.engine.Engine;
import dev.nube.engine.functions.ConfigurationChange;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionSettings;
import dev.nube.engine.functions.InvocationResult;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.engine.functions.sandbox.ResourceLimits;
import dev.nube.engine.functions.sandbox.CpuShare;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Warm invoke latency and throughput of a python and a node echo function beside a bare loopback HTTP round trip
 * between this JVM and a bare (unsandboxed) python process speaking the same two requests; cold start beside
 * {@code python3 -c pass} and {@code node -e 0} started through the same sandbox command (bubblewrap + limits); a
 * Java hello handler's cold start (java17, 128 MB) beside {@code java -version} started the same way.
 */
final class FunctionsBenchmark implements Bench.Suite {
    private static final String REGION = "local-1";
    /**
     * Calls before each measured series: enough for the JIT to have compiled the engine's invoke path (with 2,000 its
     * compiler was still at work during the measurement, on one of two cores), as in a console that has run a while.
     */
    private static final int WARM_UP_CALLS = 20_000;
    /** Measured series taken in turns, this many blocks of each. */
    private static final int BLOCKS = 5;
    private static final String BARE_CLIENT = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = b""
            while True:
                s.sendall(b"GET /next HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n")
                while b"\\r\\n\\r\\n" not in buf:
                    chunk = s.recv(65536)
                    if not chunk:
                        sys.exit(0)
                    buf += chunk
                head, buf = buf.split(b"\\r\\n\\r\\n", 1)
                length = int([l for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length")][0]
                             .split(b":")[1])
                while len(buf) < length:
                    buf += s.recv(65536)
                body, buf = buf[:length], buf[length:]
                s.sendall(b"POST /response HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
                while b"\\r\\n\\r\\n" not in buf:
                    buf += s.recv(65536)
                head, buf = buf.split(b"\\r\\n\\r\\n", 1)
                buf = buf[15:]  # the 202 body {"status":"OK"}
            """;

    @Override
    public String description() {
        return "warm and cold function invocations vs a bare loopback round trip and bare interpreter starts";
    }

    @Override
    public void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Path dir = Files.createTempDirectory("nube-bench-functions");
        try (Engine engine = Engine.open(dir.resolve("home"))) {
            FunctionService functions = engine.functions();
            System.out.println("sandbox: " + functions.sandboxDescription());
            // The engine's own cost at the machine's speed: CPU in proportion to memory (on by default, 7% of a CPU
            // at 128 MB) is measured on its own at the end.
            FunctionSettings defaults = functions.settings();
            functions.updateSettings(defaults.withCpuFromMemory(false));
            functions.create(REGION, CreateFunctionRequest.of("echo-python", PYTHON));
            functions.create(REGION, CreateFunctionRequest.of("echo-node", NODE));
            String payload = "{\"hello\":\"world\"}";
            // Measured in turns, a block of each at a time, so that all four see the machine in the same states (on
            // a 2-core VM a round trip's time moves with where the scheduler puts the two sides).
            Stats python;
            Stats pythonTail;
            Stats node;
            Stats baseline;
            try (BareClient bare = new BareClient(payload)) {
                List<Runnable> warmUps = List.of(() -> warmUp(functions, "echo-python", call(payload)),
                        () -> warmUp(functions, "echo-python", InvokeRequest.of(payload)),
                        () -> warmUp(functions, "echo-node", call(payload)), bare::warmUp);
                warmUps.forEach(Runnable::run);
                double[][] samples = new double[4][count];
                int block = Math.max(1, count / BLOCKS);
                for (int from = 0; from < count; from += block) {
                    int to = Math.min(count, from + block);
                    timed(functions, "echo-python", call(payload), samples[0], from, to);
                    timed(functions, "echo-python", InvokeRequest.of(payload), samples[1], from, to);
                    timed(functions, "echo-node", call(payload), samples[2], from, to);
                    bare.roundTrips(samples[3], from, to);
                }
                python = new Stats(samples[0]);
                pythonTail = new Stats(samples[1]);
                node = new Stats(samples[2]);
                baseline = new Stats(samples[3]);
            }
            double sequential = 1e6 / mean(functions, "echo-python", payload, count);
            double concurrent = concurrent(functions, "echo-python", payload, 4, count);
            print("python warm", python);
            print("python warm+tail", pythonTail);
            print("node warm", node);
            print("bare round trip", baseline);
            System.out.printf("python throughput: %.0f/s sequential, %.0f/s with 4 concurrent callers%n", sequential,
                    concurrent);
            double pythonCold = cold(functions, "echo-python", payload, 10, COLD_PAUSE_MS);
            double nodeCold = cold(functions, "echo-node", payload, 10, COLD_PAUSE_MS);
            double pythonBackToBack = cold(functions, "echo-python", payload, 10, 0);
            Stats burst = burst(functions, "echo-python", payload, 100);
            FunctionSettings settings = functions.settings();
            functions.updateSettings(settings.withPrestarted(0));
            double pythonUnpooled = cold(functions, "echo-python", payload, 10, COLD_PAUSE_MS);
            double nodeUnpooled = cold(functions, "echo-node", payload, 10, COLD_PAUSE_MS);
            functions.updateSettings(defaults);
            double javaCold = Double.NaN;
            if (JAVA != null) {
                createJavaHello(engine);
                javaCold = cold(functions, "hello-java", payload, 10, COLD_PAUSE_MS);
            }
            Stats capped = warm(functions, "echo-python", payload, count);
            double cappedSequential = 1e6 / mean(functions, "echo-python", payload, count);
            System.out.printf("with CPU in proportion to memory (128 MB: %.0f%% of a CPU): python warm p50 %.0f us,"
                    + " %.0f/s sequential%n", 100 * CpuShare.cpus(128), capped.median(), cappedSequential);
            Sandbox sandbox = Sandbox.detect(Optional.empty());
            double pythonBare = bareStart(sandbox, List.of("/usr/bin/python3", "-c", "pass"), 10);
            double nodeBare = bareStart(sandbox, List.of("/usr/bin/node", "-e", "0"), 10);
            double javaBare = JAVA == null ? Double.NaN : bareStart(sandbox, List.of(JAVA_EXECUTABLE, "-Xshare:auto",
                    "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-version"), 10);
            System.out.printf("cold start (median of 10, invoke to result, %d ms apart): python %.1f ms, node %.1f ms"
                    + "%n", COLD_PAUSE_MS, pythonCold, nodeCold);
            System.out.printf("  back to back: python %.1f ms; without pre-started runtimes: python %.1f ms, node"
                    + " %.1f ms%n", pythonBackToBack, pythonUnpooled, nodeUnpooled);
            System.out.printf("100 cold invocations at once: p50 %.0f ms, p99 %.0f ms, all done in %.0f ms, %d refused"
                    + "%n", burst.median(), burst.percentile(99), burst.percentile(100), burstRejected);
            System.out.printf("bare start through the same sandbox: python3 -c pass %.1f ms, node -e 0 %.1f ms%n",
                    pythonBare, nodeBare);
            System.out.printf("java17 hello (128 MB) cold start %.1f ms; java -version through the same sandbox"
                    + " %.1f ms%n", javaCold, javaBare);
            System.out.printf("functions: warm_p50_us=%.0f warm_p99_us=%.0f baseline_p50_us=%.0f warm_ratio=%.1f"
                    + " cold_ms=%.0f cold_baseline_ms=%.0f cold_ratio=%.1f node_warm_p50_us=%.0f"
                    + " node_cold_ms=%.0f node_cold_baseline_ms=%.0f node_cold_ratio=%.1f seq_per_s=%.0f"
                    + " conc4_per_s=%.0f baseline_p99_us=%.0f warm_p99_ratio=%.1f node_warm_ratio=%.1f"
                    + " node_warm_p99_ratio=%.1f warm_tail_p50_us=%.0f cold_b2b_ms=%.0f cold_unpooled_ms=%.0f"
                    + " node_cold_unpooled_ms=%.0f burst100_p50_ms=%.0f burst100_p99_ms=%.0f capped_warm_p50_us=%.0f"
                    + " capped_seq_per_s=%.0f java_cold_ms=%.0f java_version_ms=%.0f java_cold_ratio=%.1f"
                    + " burst100_refused=%d%n", python.median(),
                    python.percentile(99),
                    baseline.median(), python.median() / baseline.median(), pythonCold, pythonBare,
                    pythonCold / pythonBare, node.median(), nodeCold, nodeBare, nodeCold / nodeBare, sequential,
                    concurrent, baseline.percentile(99), python.percentile(99) / baseline.percentile(99),
                    node.median() / baseline.median(), node.percentile(99) / baseline.percentile(99),
                    pythonTail.median(), pythonBackToBack, pythonUnpooled, nodeUnpooled, burst.median(),
                    burst.percentile(99), capped.median(), cappedSequential, javaCold, javaBare,
                    javaCold / javaBare, burstRejected);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The java17 blueprint's hello handler as the 128 MB function hello-java, built as Deploy builds it. */
    private static void createJavaHello(Engine engine) {
        engine.functions().create(REGION, CreateFunctionRequest.of("hello-java", JAVA).withMemory(128));
        engine.functionCode().build(REGION, "hello-java");
    }

    /** Calls of the burst refused as too many starts at once (their turn did not come within the init limit). */
    private static int burstRejected;

    /** The pause before a cold start that lets the pre-started runtimes be replaced. */
    private static final long COLD_PAUSE_MS = 500;

    private static void print(String what, Stats stats) {
        System.out.printf("%-16s p50 %.0f us, p99 %.0f us (%d calls)%n", what + ":", stats.median(),
                stats.percentile(99), stats.count());
    }

    /** An invocation as the aws CLI and the SDKs make it by default: no tail of the log in the answer. */
    private static InvokeRequest call(String payload) {
        return InvokeRequest.of(payload).withoutLogTail();
    }

    /** Warm calls before a measured series: the environment is warm and the JVM has compiled the invocation path. */
    private static void warmUp(FunctionService functions, String name, InvokeRequest request) {
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            check(functions.invoke(REGION, name, request));
        }
    }

    /** Times calls {@code from} to {@code to} into {@code micros}. */
    private static void timed(FunctionService functions, String name, InvokeRequest request, double[] micros,
            int from, int to) {
        for (int i = from; i < to; i++) {
            long t0 = System.nanoTime();
            check(functions.invoke(REGION, name, request));
            micros[i] = (System.nanoTime() - t0) / 1000.0;
        }
    }

    /** Steady-state warm invocations: {@link #WARM_UP_CALLS} first, then {@code count} measured calls. */
    private static Stats warm(FunctionService functions, String name, String payload, int count) {
        warmUp(functions, name, call(payload));
        double[] micros = new double[count];
        timed(functions, name, call(payload), micros, 0, count);
        return new Stats(micros);
    }

    private static double mean(FunctionService functions, String name, String payload, int count) {
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            check(functions.invoke(REGION, name, call(payload)));
        }
        return (System.nanoTime() - t0) / 1000.0 / count;
    }

    private static double concurrent(FunctionService functions, String name, String payload, int callers, int count)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> warmUp = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                warmUp.add(pool.submit(() -> mean(functions, name, payload, 20)));
            }
            for (Future<?> future : warmUp) {
                future.get();
            }
            long t0 = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                all.add(pool.submit(() -> mean(functions, name, payload, count / callers)));
            }
            for (Future<?> future : all) {
                future.get();
            }
            return (count / callers * callers) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Median invoke-to-result time of {@code times} cold starts. {@code pauseMs} before each lets the pre-started
     * runtimes be replaced first (a cold start now and then, as most are); 0 makes them back to back.
     */
    private static double cold(FunctionService functions, String name, String payload, int times, long pauseMs)
            throws InterruptedException {
        double[] millis = new double[times];
        for (int i = 0; i < times; i++) {
            functions.updateConfiguration(REGION, name, ConfigurationChange.none().description("cold " + i));
            Thread.sleep(pauseMs);
            long t0 = System.nanoTime();
            InvocationResult result = check(functions.invoke(REGION, name, call(payload)));
            millis[i] = (System.nanoTime() - t0) / 1e6;
            if (!result.coldStart()) {
                throw new IllegalStateException("expected a cold start");
            }
        }
        return new Stats(millis).median();
    }

    /** {@code callers} invocations at once with no environment warm: each one's invoke-to-result time, in ms. */
    private static Stats burst(FunctionService functions, String name, String payload, int callers)
            throws Exception {
        functions.updateConfiguration(REGION, name, ConfigurationChange.none().description("burst"));
        Thread.sleep(COLD_PAUSE_MS);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<Double>> all = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                all.add(pool.submit(() -> {
                    go.await();
                    long t0 = System.nanoTime();
                    try {
                        check(functions.invoke(REGION, name, call(payload)));
                    } catch (dev.nube.engine.EngineException e) {
                        if (!e.code().equals("TooManyRequestsException")) {
                            throw e;
                        }
                        return Double.NaN; // its turn to start did not come in time (a busy machine)
                    }
                    return (System.nanoTime() - t0) / 1e6;
                }));
            }
            go.countDown();
            List<Double> done = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                double millis = all.get(c).get();
                if (Double.isNaN(millis)) {
                    burstRejected++;
                } else {
                    done.add(millis);
                }
            }
            return new Stats(done.isEmpty() ? new double[] {Double.NaN}
                    : done.stream().mapToDouble(Double::doubleValue).toArray());
        } finally {
            pool.shutdownNow();
        }
    }

    private static double bareStart(Sandbox sandbox, List<String> command, int times) throws Exception {
        Path empty = Files.createTempDirectory("nube-bench-empty");
        double[] millis = new double[times];
        for (int i = 0; i < times; i++) {
            long t0 = System.nanoTime();
            try (ResourceLimits limits = sandbox.limiter().create("bench-" + ProcessHandle.current().pid() + "-" + i,
                    128L << 20, SandboxSpec.MAX_PROCESSES)) {
                SandboxSpec spec = new SandboxSpec(empty, empty, Map.of("PATH", "/usr/bin:/bin"), command,
                        SandboxSpec.DEFAULT_TMP_BYTES);
                ProcessBuilder builder = new ProcessBuilder(sandbox.command(spec, limits)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                builder.environment().clear();
                builder.environment().putAll(spec.environment());
                if (builder.start().waitFor() != 0) {
                    throw new IllegalStateException(command + " failed in the sandbox");
                }
            }
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        Files.delete(empty);
        return new Stats(millis).median();
    }

    /**
     * A bare python process on a loopback connection: the JVM answers its GET with the event and times until its POST
     * comes back.
     */
    private static final class BareClient implements AutoCloseable {
        private final byte[] head;
        private final byte[] event;
        private final ServerSocket server;
        private final Process python;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        BareClient(String payload) throws Exception {
            event = payload.getBytes(StandardCharsets.UTF_8);
            head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + event.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            python = new ProcessBuilder("/usr/bin/python3", "-c", BARE_CLIENT, Integer.toString(server.getLocalPort()))
                    .redirectErrorStream(true).start();
            socket = server.accept();
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            readRequest(in); // its first GET
        }

        void warmUp() {
            try {
                roundTrips(new double[WARM_UP_CALLS], 0, WARM_UP_CALLS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Round trips {@code from} to {@code to}, timed into {@code micros}; the GET of each is waiting already. */
        void roundTrips(double[] micros, int from, int to) throws Exception {
            for (int i = from; i < to; i++) {
                long t0 = System.nanoTime();
                out.write(head);
                out.write(event);
                out.flush();
                readRequest(in);
                micros[i] = (System.nanoTime() - t0) / 1000.0;
                out.write("HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                readRequest(in);
            }
        }

        @Override
        public void close() throws java.io.IOException {
            python.destroyForcibly();
            socket.close();
            server.close();
        }
    }

    private static void readRequest(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("the bare client went away");
            }
            head.append((char) b);
        }
        String text = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = text.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).strip());
        in.readNBytes(length);
    }

    private static InvocationResult check(InvocationResult result) {
        if (result.error() != null) {
            throw new IllegalStateException("invocation failed: " + result.payloadText());
        }
        return result;
    }
}
