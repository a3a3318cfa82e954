package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.addresses.Endpoint;
import dev.nube.engine.compute.network.addresses.PublicListeners;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.ResourceCollection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bulk TCP throughput through a public listener beside a bare baseline in the same run. {@code bench/run ports MIB
 * ROUNDS}: the listener (127.100.250.1) in front of a sink on 127.0.0.1, beside the same bytes sent straight to the
 * sink. {@code bench/run ports qemu MIB ROUNDS}: what a guest receives through the listener in front of QEMU's own
 * port forward, beside the same bytes sent straight to QEMU's forward (the tiny image under TCG, {@code nc} as the
 * guest's sink, typed on its serial console).
 */
final class PortsBenchmark implements Bench.Suite {
    @Override
    public String description() {
        return "TCP throughput through a public listener vs straight to the target";
    }

    @Override
    public void run(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("qemu")) {
            long mib = args.length > 1 ? Long.parseLong(args[1]) : 128;
            int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
            try (GuestSink guest = GuestSink.start()) {
                compare(new InetSocketAddress("127.0.0.1", guest.port), mib, rounds, 16, "qemu forward");
            }
            return;
        }
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (ServerSocket sink = new ServerSocket(0, 50, Inet4Address.getByName("127.0.0.1"))) {
            Thread drain = new Thread(() -> drainAll(sink), "sink");
            drain.setDaemon(true);
            drain.start();
            compare(new InetSocketAddress("127.0.0.1", sink.getLocalPort()), mib, rounds, 256, "straight");
        }
    }

    /** Sends {@code mib} MiB straight to {@code target}, then through a listener in front of it, {@code rounds} times. */
    private static void compare(InetSocketAddress target, long mib, int rounds, long warmUpMib, String bareName)
            throws Exception {
        try (PublicListeners listeners = new PublicListeners()) {
            Inet4Address address = AddressPool.parseAddress("127.100.250.1");
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, address)) {
                port = probe.getLocalPort();
            }
            listeners.publish("i-0bench00000000000", List.of(new Endpoint(address, port, Protocol.TCP, 80,
                    List.of(Cidr.parse("0.0.0.0/0")), "bench")), (protocol, guestPort) -> target);
            InetSocketAddress published = new InetSocketAddress(address, port);
            send(target, warmUpMib);
            send(published, warmUpMib);
            double[] bareRates = new double[rounds];
            double[] listenerRates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                // Every other round the listener goes first, so that a drift during the run favours neither.
                if (i % 2 == 0) {
                    bareRates[i] = send(target, mib);
                    listenerRates[i] = send(published, mib);
                } else {
                    listenerRates[i] = send(published, mib);
                    bareRates[i] = send(target, mib);
                }
                System.out.printf("round %d: %s %.0f MiB/s, listener %.0f MiB/s%n", i + 1, bareName, bareRates[i],
                        listenerRates[i]);
            }
            Stats b = new Stats(bareRates);
            Stats l = new Stats(listenerRates);
            System.out.printf("%s: median %.0f MiB/s (%d rounds of %d MiB)%n", bareName, b.median(), rounds, mib);
            System.out.printf("listener: median %.0f MiB/s%n", l.median());
            System.out.printf("ports: bare_mib_s=%.0f listener_mib_s=%.0f ratio=%.2f%n", b.median(), l.median(),
                    l.median() / b.median());
        }
    }

    /** Sends {@code mib} MiB to {@code target} and waits for the sink's end of stream; returns MiB/s. */
    private static double send(InetSocketAddress target, long mib) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(target);
            // Bounds a broken run only (a sink that never ends its side).
            socket.setSoTimeout(300_000);
            OutputStream out = socket.getOutputStream();
            for (long sent = 0; sent < mib * 1024 * 1024; sent += chunk.length) {
                out.write(chunk);
            }
            socket.shutdownOutput();
            // The sink closes after reading everything: the time includes the last byte's arrival.
            socket.getInputStream().read();
        }
        return mib / ((System.nanoTime() - start) / 1e9);
    }

    private static void drainAll(ServerSocket sink) {
        while (!sink.isClosed()) {
            try {
                Socket socket = sink.accept();
                Thread reader = new Thread(() -> {
                    try (socket; InputStream in = socket.getInputStream()) {
                        byte[] buffer = new byte[64 * 1024];
                        while (in.read(buffer) >= 0) {
                            // discarded
                        }
                    } catch (IOException ignored) {
                        // the round is over
                    }
                }, "sink reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /**
     * The tiny image booted by a bare QEMU under TCG, with its port 5000 forwarded to a loopback port, and a guest
     * shell (on the serial console) that runs {@code nc} as a sink on it, again after each connection.
     */
    private static final class GuestSink implements AutoCloseable {
        private final Process qemu;
        private final Path work;
        final int port;

        private GuestSink(Process qemu, Path work, int port) {
            this.qemu = qemu;
            this.work = work;
            this.port = port;
        }

        static GuestSink start() throws Exception {
            Path work = Files.createTempDirectory("nube-bench-ports");
            Path imageDir;
            try (Engine engine = Engine.open(work.resolve("home"))) {
                Image image = engine.images().ensureTinyImage(Regions.DEFAULT_REGION);
                imageDir = work.resolve("home/regions/local-1/images").resolve(image.id());
            }
            Path disk = work.resolve("root.qcow2");
            new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                    imageDir.resolve(TinyImageBuilder.DISK).toString(), "-F", "qcow2", disk.toString()).inheritIO()
                    .start().waitFor();
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, Inet4Address.getByName("127.0.0.1"))) {
                port = free.getLocalPort();
            }
            Process qemu = new ProcessBuilder(QemuMachine.BINARY, "-machine", "pc,accel=tcg", "-smp", "1", "-m",
                    "512M", "-nodefaults", "-no-user-config", "-display", "none",
                    "-kernel", imageDir.resolve(TinyImageBuilder.KERNEL).toString(),
                    "-initrd", imageDir.resolve(TinyImageBuilder.INITRD).toString(),
                    "-append", QemuMachine.kernelCommandLine(),
                    "-drive", "file=" + disk + ",if=virtio,format=qcow2",
                    "-netdev", "user,id=net0,restrict=on,net=169.254.0.0/16,host=169.254.0.2,dhcpstart=169.254.0.15,"
                            + "hostfwd=tcp:127.0.0.1:" + port + "-:5000",
                    "-device", "virtio-net-pci,netdev=net0", "-device", "virtio-rng-pci",
                    "-serial", "stdio").redirectErrorStream(true).start();
            GuestSink sink = new GuestSink(qemu, work, port);
            try {
                sink.awaitShell();
                // -ll: a sink for every connection, one after another, without a gap in which nothing listens.
                sink.type("nc -ll -p 5000 -e sh -c 'cat > /dev/null' &");
                // The marker comes once the sink listens.
                sink.type("until netstat -ltn | grep -q :5000; do sleep 1; done; echo SINK-$((40+2))");
                sink.awaitOutput("SINK-42");
                return sink;
            } catch (Exception e) {
                sink.close();
                throw e;
            }
        }

        private final StringBuilder console = new StringBuilder();

        private void type(String line) throws IOException {
            qemu.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            qemu.getOutputStream().flush();
        }

        /** Types a marker until the guest's shell answers it: the boot is over. */
        private void awaitShell() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            Thread reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try (InputStream in = qemu.getInputStream()) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        synchronized (console) {
                            console.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        }
                    }
                } catch (IOException ignored) {
                    // QEMU ended
                }
            }, "guest console");
            reader.setDaemon(true);
            reader.start();
            while (!consoleHas("SHELL-42")) {
                if (System.nanoTime() > deadline || !qemu.isAlive()) {
                    throw new IllegalStateException("the guest's shell did not answer; console:\n" + console);
                }
                type("echo SHELL-$((40+2))");
                Thread.sleep(2000);
            }
        }

        private void awaitOutput(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!consoleHas(text)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the guest did not print " + text + "; console:\n" + console);
                }
                Thread.sleep(100);
            }
        }

        private boolean consoleHas(String text) {
            synchronized (console) {
                return console.indexOf(text) >= 0;
            }
        }

        @Override
        public void close() throws IOException {
            qemu.destroyForcibly();
            try {
                qemu.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ResourceCollection.deleteTree(work);
        }
    }
}
