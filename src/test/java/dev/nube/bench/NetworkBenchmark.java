package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.instances.ConnectInfo;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.compute.network.InstanceNetwork;
import dev.nube.engine.compute.network.Networking;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;

/**
 * TCP throughput and connection setup, host to guest through the instance's public address (Nube's listener, which
 * checks the source and passes the connection on) beside QEMU's plain user-network port forward to the same guest
 * port, alternating the two in one run; and guest to guest over the private network (the engine's switch), timed in
 * the sending guest. Servers in the guest are busybox: {@code nc -ll -e wc -c} counts what it gets and answers the
 * count, {@code nc -ll -e cat} echoes.
 */
final class NetworkBenchmark implements Bench.Suite {
    private static final String REGION = "local-1";
    private static final long DEADLINE_MS = 300_000;
    private static final int SINK = 5001;
    private static final int ECHO = 5002;
    private static final int COUNT = 5003;

    @Override
    public String description() {
        return "TCP throughput and connect time: public address and private network vs QEMU's plain forward";
    }

    @Override
    public void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int connects = 40;
        Path home = Files.createTempDirectory("nube-bench-network");
        try (Engine engine = Engine.open(home)) {
            InstanceService instances = engine.instances();
            Image image = engine.images().ensureTinyImage(REGION);
            String key = engine.keyPairs().create(REGION, "bench", KeyType.ED25519, 0).keyPair().id();
            SecurityGroup group = engine.securityGroups().create(REGION, "bench", "benchmark");
            engine.securityGroups().setRules(REGION, group.id(), Direction.INBOUND, List.of(
                    SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "0.0.0.0/0", "ssh"),
                    SecurityGroupRule.fromCidr(Protocol.TCP, SINK, ECHO, "0.0.0.0/0", "benchmark servers"),
                    SecurityGroupRule.fromGroup(Protocol.ALL, -1, -1, group.id(), "members of this group")));
            List<Instance> two = instances.run(REGION, RunRequest.of(image.id(), "t3.micro", key)
                    .withSecurityGroups(List.of(group.id())).withCount(2));
            for (Instance i : two) {
                if (!instances.awaitState(REGION, i.id(), InstanceState.RUNNING, DEADLINE_MS)) {
                    throw new IllegalStateException(i.id() + " did not reach running");
                }
            }
            String a = two.get(0).id();
            String b = two.get(1).id();
            for (String id : List.of(a, b)) {
                ssh(engine, id, "setsid nc -ll -p " + SINK + " -e wc -c </dev/null >/dev/null 2>&1 &"
                        + " setsid nc -ll -p " + ECHO + " -e cat </dev/null >/dev/null 2>&1 &");
            }
            for (String id : List.of(a, b)) {
                long deadline = System.currentTimeMillis() + 60_000;
                while (!ssh(engine, id, "netstat -ltn").contains(":" + ECHO + " ")) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("the servers did not start in " + id);
                    }
                    Thread.sleep(200);
                }
            }
            Networking network = (Networking) engine.network();
            network.settle();
            InstanceNetwork view = network.networkOf(REGION, a).orElseThrow();
            InetSocketAddress publicSink = endpoint(view, SINK);
            InetSocketAddress publicEcho = endpoint(view, ECHO);
            InetSocketAddress plainSink = network.guestForward(REGION, a, Protocol.TCP, SINK);
            InetSocketAddress plainEcho = network.guestForward(REGION, a, Protocol.TCP, ECHO);
            System.out.printf("public address %s, QEMU's plain forwards %s and %s, accelerator %s%n", view.publicIp(),
                    plainSink, plainEcho, engine.hostStatus().accelerator());

            long bytes = (long) mib << 20;
            send(publicSink, 1 << 20); // warm both paths (and the guest's page cache for nc and wc)
            send(plainSink, 1 << 20);
            List<Double> publicMbps = new ArrayList<>();
            List<Double> plainMbps = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                plainMbps.add(send(plainSink, bytes));
                publicMbps.add(send(publicSink, bytes));
                System.out.printf("round %d: %d MiB host->guest: public %.1f MB/s, plain forward %.1f MB/s%n", r + 1,
                        mib, publicMbps.get(r), plainMbps.get(r));
            }
            List<Double> publicConnect = new ArrayList<>();
            List<Double> plainConnect = new ArrayList<>();
            for (int i = 0; i < connects; i++) {
                plainConnect.add(connectAndEcho(plainEcho));
                publicConnect.add(connectAndEcho(publicEcho));
            }
            String bIp = instances.get(REGION, b).privateIp();
            List<Double> privateMbps = new ArrayList<>();
            // The sender's work as small as the host's: cat writes a file in memory straight into the socket, and
            // the server's wc reads the socket itself (nc -e), as in the host's rounds; the count is checked after.
            ssh(engine, a, "dd if=/dev/zero of=/tmp/blob bs=1048576 count=" + mib + " 2>/dev/null");
            ssh(engine, b, "setsid nc -ll -p " + COUNT + " -e sh -c 'wc -c > /tmp/count' </dev/null >/dev/null 2>&1 &");
            long deadline = System.currentTimeMillis() + 60_000;
            while (!ssh(engine, b, "netstat -ltn").contains(":" + COUNT + " ")) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the counting server did not start in " + b);
                }
                Thread.sleep(200);
            }
            for (int r = 0; r < rounds; r++) {
                ssh(engine, b, "rm -f /tmp/count");
                String out = ssh(engine, a, "s=$(cut -d' ' -f1 /proc/uptime); nc " + bIp + " " + COUNT
                        + " -e cat /tmp/blob; e=$(cut -d' ' -f1 /proc/uptime); echo \"$s $e\"");
                String[] times = out.strip().split(" ");
                double seconds = Double.parseDouble(times[1]) - Double.parseDouble(times[0]);
                String got = "";
                for (int i = 0; i < 100 && !got.matches("\\d+"); i++) {
                    Thread.sleep(100);
                    got = ssh(engine, b, "cat /tmp/count 2>/dev/null").strip();
                }
                if (!got.equals(Long.toString(bytes))) {
                    throw new IllegalStateException("the guest received " + got + " of " + bytes + " bytes");
                }
                privateMbps.add(bytes / 1e6 / Math.max(seconds, 0.01));
                System.out.printf("round %d: %d MiB guest->guest over the private network: %.1f MB/s%n", r + 1, mib,
                        privateMbps.get(r));
            }
            double pub = median(publicMbps);
            double plain = median(plainMbps);
            double priv = median(privateMbps);
            double pubConnect = median(publicConnect);
            double plainConnectMs = median(plainConnect);
            System.out.printf("throughput (median of %d): public %.1f MB/s, plain forward %.1f MB/s, private %.1f"
                    + " MB/s; connect + 1-byte echo (median of %d): public %.2f ms, plain forward %.2f ms%n", rounds,
                    pub, plain, priv, connects, pubConnect, plainConnectMs);
            System.out.printf("network: public_tput_ratio=%.2f public_connect_ratio=%.2f private_tput_ratio=%.2f"
                    + " public_mb_s=%.1f plain_mb_s=%.1f private_mb_s=%.1f public_connect_ms=%.2f"
                    + " plain_connect_ms=%.2f mib=%d rounds=%d%n", pub / plain, pubConnect / plainConnectMs,
                    priv / plain, pub, plain, priv, pubConnect, plainConnectMs, mib, rounds);
            for (String id : List.of(a, b)) {
                instances.terminate(REGION, id);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(home)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static InetSocketAddress endpoint(InstanceNetwork view, int guestPort) {
        return view.endpoints().stream().filter(e -> e.guestPort() == guestPort && e.protocol() == Protocol.TCP
                        && e.address().equals(view.publicIp())).findFirst()
                .map(e -> new InetSocketAddress(e.address(), e.port()))
                .orElseThrow(() -> new IllegalStateException("no public endpoint for port " + guestPort));
    }

    /** Sends {@code bytes} to the counting server and waits for its count; returns MB/s. */
    private static double send(InetSocketAddress to, long bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(to, 10_000);
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            for (long sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
            }
            s.shutdownOutput();
            String count = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (Long.parseLong(count) != bytes) {
                throw new IOException("the guest counted " + count + " of " + bytes + " bytes");
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** Connects, sends one byte and reads it back; returns ms. */
    private static double connectAndEcho(InetSocketAddress to) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(to, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write('x');
            out.flush();
            if (in.read() != 'x') {
                throw new IOException("no echo from " + to);
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** Runs a command in the guest over SSH (its public address), waiting for SSH to answer first. */
    private static String ssh(Engine engine, String id, String command) throws Exception {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (true) {
            try {
                ConnectInfo connect = engine.instances().connectInfo(REGION, id);
                if (connect.host() == null) {
                    throw new IOException(connect.loginProblem());
                }
                try (SSHClient client = new SSHClient()) {
                    client.addHostKeyVerifier(new PromiscuousVerifier());
                    client.setConnectTimeout(30_000);
                    client.connect(connect.host(), connect.port());
                    client.authPublickey(connect.user(), client.loadKeys(connect.privateKeyFile().toString()));
                    try (Session session = client.startSession()) {
                        Session.Command cmd = session.exec(command);
                        String out = new String(cmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        cmd.join(300, java.util.concurrent.TimeUnit.SECONDS);
                        return out;
                    }
                }
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static double median(List<Double> values) {
        return new Stats(values.stream().mapToDouble(d -> d).toArray()).median();
    }
}
