package dev.nube.bench;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.addresses.Endpoint;
import dev.nube.engine.compute.network.addresses.PublicListeners;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * Bulk TCP throughput through a public listener (127.100.250.1 to a sink standing for a guest's port on 127.0.0.1)
 * beside a bare baseline in the same run: the same bytes sent straight to the sink. QEMU's own port forward, which the
 * listener sits in front of for a real guest, is slower than the bare baseline, so the ratio here is a lower bound of
 * the ratio against it.
 */
final class PortsBenchmark implements Bench.Suite {
    @Override
    public String description() {
        return "TCP throughput through a public listener vs straight to the target";
    }

    @Override
    public void run(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (ServerSocket sink = new ServerSocket(0, 50, Inet4Address.getByName("127.0.0.1"));
             PublicListeners listeners = new PublicListeners()) {
            Thread drain = new Thread(() -> drainAll(sink), "sink");
            drain.setDaemon(true);
            drain.start();
            Inet4Address address = AddressPool.parseAddress("127.100.250.1");
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, address)) {
                port = probe.getLocalPort();
            }
            listeners.publish("i-0bench00000000000", List.of(new Endpoint(address, port, Protocol.TCP, 80,
                    List.of(Cidr.parse("0.0.0.0/0")), "bench")), (protocol, guestPort) -> new InetSocketAddress(
                    "127.0.0.1", sink.getLocalPort()));
            InetSocketAddress bare = new InetSocketAddress("127.0.0.1", sink.getLocalPort());
            InetSocketAddress published = new InetSocketAddress(address, port);
            send(bare, 256);
            send(published, 256); // warm-up
            double[] bareRates = new double[rounds];
            double[] listenerRates = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                bareRates[i] = send(bare, mib);
                listenerRates[i] = send(published, mib);
            }
            Stats b = new Stats(bareRates);
            Stats l = new Stats(listenerRates);
            System.out.printf("straight:  median %.0f MiB/s (%d rounds of %d MiB)%n", b.median(), rounds, mib);
            System.out.printf("listener:  median %.0f MiB/s%n", l.median());
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
}
