package dev.nube.engine.compute.network.vpc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Asks the host's resolvers the DNS queries the network's resolver does not answer itself, over UDP, each from its
 * own socket (so an answer can only be to its query), one resolver after the other until one answers. Runs on a few
 * threads of its own so the forwarding thread never waits on the host's network; queries beyond what they can hold
 * are dropped, as a busy resolver would (the guest asks again).
 * <p>Threads: {@link #ask} may be called from any thread; answers are handed over on the relay's threads.
 */
final class DnsRelay implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsRelay.class.getName());
    private static final int MAX_ANSWER = 65_535;

    private final List<InetSocketAddress> upstreams;
    private final int timeoutMillis;
    private final ThreadPoolExecutor executor;

    DnsRelay(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeoutMillis = (int) timeout.toMillis();
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), work -> {
            Thread thread = new Thread(work, "vpc-dns-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** The nameservers of {@code resolvConf} on port 53, in its order; empty when it cannot be read. */
    static List<InetSocketAddress> resolvers(Path resolvConf) {
        List<InetSocketAddress> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] words = line.strip().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    String address = words[1].replaceFirst("%.*$", ""); // a zone index names no server here
                    if (address.matches("[0-9.]+|[0-9a-fA-F.]*:[0-9a-fA-F:.]*")) {
                        found.add(new InetSocketAddress(address, DnsResponder.PORT));
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot read the host's resolvers from " + resolvConf, e);
        }
        return found;
    }

    /**
     * Asks {@code query}; {@code answered} gets the first resolver's answer, or null when none answered in time. It
     * is not called at all when the relay is too busy or closed.
     */
    void ask(byte[] query, Consumer<byte[]> answered) {
        try {
            executor.execute(() -> answered.accept(relay(query)));
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "The DNS relay is busy or closed; a query is dropped");
        }
    }

    private byte[] relay(byte[] query) {
        for (InetSocketAddress upstream : upstreams) {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(timeoutMillis);
                socket.connect(upstream);
                socket.send(new DatagramPacket(query, query.length));
                int questionEnd = DnsResponder.questionEnd(query, 0, query.length);
                byte[] buffer = new byte[MAX_ANSWER];
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (System.nanoTime() < deadline) {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    // the same id and question; anything else is not the answer to this query
                    if (questionEnd > 0 && packet.getLength() >= questionEnd
                            && Arrays.equals(buffer, 0, 2, query, 0, 2) && (buffer[2] & 0x80) != 0
                            && Arrays.equals(buffer, 12, questionEnd, query, 12, questionEnd)) {
                        return Arrays.copyOf(buffer, packet.getLength());
                    }
                }
            } catch (SocketTimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "The resolver {0} did not answer in time", upstream);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "The resolver " + upstream + " could not be asked", e);
            }
        }
        return null;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
