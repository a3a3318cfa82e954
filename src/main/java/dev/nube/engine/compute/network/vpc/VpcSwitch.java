package dev.nube.engine.compute.network.vpc;

import dev.nube.engine.compute.network.vpc.VpcForwarder.Side;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A region's private network at work: it connects, as a client, to each attached instance's NIC socket (QEMU's
 * {@code -netdev stream,server=on}) and to its uplink's socket (passt), and moves frames between them as
 * {@link VpcForwarder} decides. A socket that is not there yet or refuses (QEMU still starting) is tried again, and a
 * connection that drops is made again, for as long as the instance stays attached.
 * <p>Threads: one thread per switch does all the I/O and forwarding, on non-blocking channels; the public methods
 * may be called from any thread and hand their work to it in the order they were called (so they return before it
 * is done); once the switch is closed, {@code attach}, {@code detach} and {@code setPolicy} throw
 * IllegalStateException. Upstream DNS queries run on {@link DnsRelay}'s threads. Nothing that goes wrong on a
 * connection or in a frame is thrown: it is logged, and the network carries on.
 */
public final class VpcSwitch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VpcSwitch.class.getName());
    private static final long EXPIRY_PERIOD = TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_RETRY_DELAY = TimeUnit.SECONDS.toNanos(2);
    /** Failing to connect for about a minute is worth a warning; shorter is QEMU starting. */
    private static final int FAILURES_WORTH_A_WARNING = 40;

    private final String region;
    private final long firstRetryDelay;
    private final VpcForwarder forwarder;
    private final DnsRelay relay;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile VpcPolicy policy = VpcPolicy.EMPTY;
    /** Which of each instance's ports are connected, republished by the switch's thread on every change. */
    private volatile Map<String, boolean[]> connectedView = Map.of();
    // the fields below belong to the switch's thread
    private final Map<String, SwitchPort[]> ports = new HashMap<>();
    private final List<SwitchPort> dirty = new ArrayList<>();
    private final Output output = new Output();
    private long nextExpiry;

    /**
     * A switch for {@code region}'s network, relaying the queries it does not answer to {@code resolvers} (see
     * {@link #systemResolvers}). Starts its thread.
     */
    public VpcSwitch(String region, List<InetSocketAddress> resolvers) throws IOException {
        this(region, VpcAddressing.DEFAULT, resolvers, Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    VpcSwitch(String region, VpcAddressing addressing, List<InetSocketAddress> resolvers, Duration firstRetryDelay,
              Duration dnsTimeout) throws IOException {
        this.region = region;
        this.firstRetryDelay = firstRetryDelay.toNanos();
        this.forwarder = new VpcForwarder(region, addressing, VpcForwarder.DEFAULT_MAX_FLOWS_PER_INSTANCE,
                System::nanoTime);
        this.relay = new DnsRelay(resolvers, dnsTimeout);
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "vpc-switch-" + region);
        thread.setDaemon(true);
        thread.start();
    }

    /** The host's resolvers, from {@code /etc/resolv.conf}. */
    public static List<InetSocketAddress> systemResolvers() {
        return DnsRelay.resolvers(Path.of("/etc/resolv.conf"));
    }

    /**
     * Connects {@code instanceId}'s NIC socket and, when not null, its uplink's socket, retrying until they take the
     * connection. Attaching an attached instance again replaces its sockets. Its frames are forwarded as the
     * policy says; an instance the policy does not name gets nothing through.
     */
    public void attach(String instanceId, Path guestSocket, Path uplinkSocket) {
        Objects.requireNonNull(instanceId);
        Objects.requireNonNull(guestSocket);
        submit(() -> {
            detachNow(instanceId);
            SwitchPort[] pair = {new SwitchPort(instanceId, Side.GUEST, guestSocket),
                    uplinkSocket == null ? null : new SwitchPort(instanceId, Side.UPLINK, uplinkSocket)};
            ports.put(instanceId, pair);
            for (SwitchPort port : pair) {
                if (port != null) {
                    connect(port);
                }
            }
        });
    }

    /** Closes {@code instanceId}'s connections and stops trying to make them. */
    public void detach(String instanceId) {
        submit(() -> detachNow(instanceId));
    }

    /** Enforces {@code next} from now on; tracked flows it no longer allows are cut. */
    public void setPolicy(VpcPolicy next) {
        policy = Objects.requireNonNull(next);
        submit(() -> forwarder.setPolicy(next));
    }

    /** The policy last set. */
    public VpcPolicy policy() {
        return policy;
    }

    /** What {@code instanceId}'s NIC has carried on this network. */
    public VpcTraffic traffic(String instanceId) {
        return forwarder.traffic(instanceId);
    }

    /** Whether the switch is connected to {@code instanceId}'s NIC right now. */
    public boolean guestConnected(String instanceId) {
        return connected(instanceId, 0);
    }

    /** Whether the switch is connected to {@code instanceId}'s uplink right now. */
    public boolean uplinkConnected(String instanceId) {
        return connected(instanceId, 1);
    }

    /** Closes every connection and stops the switch's thread; waits for it a few seconds at most. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
    }

    private boolean connected(String instanceId, int index) {
        boolean[] state = connectedView.get(instanceId);
        return state != null && state[index];
    }

    private void submit(Runnable command) {
        if (!running) {
            throw new IllegalStateException("The private network of " + region + " is closed");
        }
        commands.add(command);
        selector.wakeup();
    }

    // --- the switch's thread

    private void run() {
        nextExpiry = System.nanoTime() + EXPIRY_PERIOD;
        while (running) {
            try {
                turn();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "The private network of " + region + " had a problem", e);
            }
        }
        for (String instanceId : List.copyOf(ports.keySet())) {
            detachNow(instanceId);
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the selector failed", e);
        }
    }

    /** One turn: wait for I/O or the next timer, run the commands, forward what was read, write what was queued. */
    private void turn() throws IOException {
        long now = System.nanoTime();
        long wake = nextExpiry;
        for (SwitchPort[] pair : ports.values()) {
            for (SwitchPort port : pair) {
                if (port != null && port.channel == null) {
                    wake = Math.min(wake, port.retryAt);
                }
            }
        }
        long waitMillis = TimeUnit.NANOSECONDS.toMillis(wake - now);
        if (waitMillis > 0 && commands.isEmpty()) {
            selector.select(waitMillis);
        } else {
            selector.selectNow();
        }
        for (Runnable command = commands.poll(); command != null; command = commands.poll()) {
            command.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
            SwitchPort port = (SwitchPort) key.attachment();
            if (!key.isValid() || port.key != key) {
                continue;
            }
            try {
                if (key.isConnectable() && port.channel.finishConnect()) {
                    connected(port);
                } else if (key.isReadable()) {
                    read(port);
                }
                if (port.key == key && key.isValid() && key.isWritable() && port.flush()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } catch (IOException e) {
                lost(port, e);
            }
        }
        selector.selectedKeys().clear();
        flushDirty();
        now = System.nanoTime();
        for (SwitchPort[] pair : ports.values()) {
            for (SwitchPort port : pair) {
                if (port != null && port.channel == null && now - port.retryAt >= 0) {
                    connect(port);
                }
            }
        }
        if (now - nextExpiry >= 0) {
            forwarder.expire();
            nextExpiry = now + EXPIRY_PERIOD;
        }
    }

    private void read(SwitchPort port) throws IOException {
        int count = port.channel.read(port.in);
        if (count < 0) {
            throw new IOException("the other side closed the connection");
        }
        port.in.flip();
        try {
            while (port.in.remaining() >= 4) {
                int start = port.in.position();
                int length = port.in.getInt(start);
                if (length < 0 || length > Frames.MAX_FRAME) {
                    throw new IOException("a frame of " + length + " bytes is not a frame");
                }
                if (port.in.remaining() < 4 + length) {
                    break;
                }
                forwarder.receive(port.instanceId, port.side, port.in.array(), start + 4, length, output);
                port.in.position(start + 4 + length);
            }
        } finally {
            port.in.compact();
        }
    }

    private void flushDirty() {
        for (SwitchPort port : dirty) {
            port.dirty = false;
            if (port.channel == null || port.key == null) {
                continue;
            }
            try {
                boolean empty = port.flush();
                port.key.interestOps(empty ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (IOException e) {
                lost(port, e);
            }
        }
        dirty.clear();
    }

    private void connect(SwitchPort port) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.configureBlocking(false);
            boolean done = channel.connect(UnixDomainSocketAddress.of(port.path));
            port.channel = channel;
            port.key = channel.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, port);
            if (done) {
                connected(port);
            }
        } catch (IOException | RuntimeException e) {
            if (port.channel == null && channel != null) {
                try {
                    channel.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            port.disconnect();
            port.failures++;
            long delay = Math.min(MAX_RETRY_DELAY, firstRetryDelay << Math.min(port.failures - 1, 10));
            port.retryAt = System.nanoTime() + delay;
            System.Logger.Level level = port.failures == FAILURES_WORTH_A_WARNING ? System.Logger.Level.WARNING
                    : System.Logger.Level.DEBUG;
            LOG.log(level, "Cannot connect to " + port + " yet (" + port.failures + " tries): " + e.getMessage());
        }
    }

    private void connected(SwitchPort port) {
        port.key.interestOps(SelectionKey.OP_READ);
        port.connected = true;
        port.failures = 0;
        publishConnected();
        LOG.log(System.Logger.Level.DEBUG, "Connected to {0}", port);
    }

    private void lost(SwitchPort port, IOException e) {
        LOG.log(System.Logger.Level.INFO, "Lost the connection to " + port + "; connecting again: " + e.getMessage());
        port.disconnect();
        port.retryAt = System.nanoTime() + firstRetryDelay;
        publishConnected();
    }

    private void detachNow(String instanceId) {
        SwitchPort[] pair = ports.remove(instanceId);
        if (pair != null) {
            for (SwitchPort port : pair) {
                if (port != null) {
                    port.disconnect();
                }
            }
            publishConnected();
        }
    }

    private void publishConnected() {
        Map<String, boolean[]> view = new HashMap<>();
        ports.forEach((id, pair) -> view.put(id, new boolean[] {pair[0].connected,
                pair[1] != null && pair[1].connected}));
        connectedView = Map.copyOf(view);
    }

    /** Where the forwarder's frames go: the queue of the port they name. */
    private final class Output implements VpcForwarder.Output {
        @Override
        public boolean send(String instanceId, Side side, byte[] frame, int offset, int length) {
            SwitchPort[] pair = ports.get(instanceId);
            SwitchPort port = pair == null ? null : pair[side == Side.GUEST ? 0 : 1];
            if (port == null || !port.enqueue(frame, offset, length)) {
                return false;
            }
            if (!port.dirty) {
                port.dirty = true;
                dirty.add(port);
            }
            return true;
        }

        @Override
        public void relayDns(String instanceId, int guestPort, byte[] query) {
            relay.ask(query, answer -> {
                try {
                    submit(() -> forwarder.dnsAnswer(instanceId, guestPort, query, answer, output));
                } catch (IllegalStateException closed) {
                    LOG.log(System.Logger.Level.DEBUG, "A DNS answer came after the network closed");
                }
            });
        }
    }
}
