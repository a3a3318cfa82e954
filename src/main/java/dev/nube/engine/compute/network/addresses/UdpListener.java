package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A UDP endpoint: a channel bound to the endpoint's address and port. Each client source (address and port) that is
 * allowed gets a session: a channel connected to the guest's port, whose replies go back to that source. Datagrams
 * from sources not allowed are dropped. A session idle for longer than {@code idle} is closed by {@link #sweep}.
 * Thread rule: one receiving thread, which alone opens sessions; one thread per session for the replies;
 * {@link #update}, {@link #sweep} and {@link #close} from any thread.
 */
final class UdpListener implements Listener {
    private static final System.Logger LOG = System.getLogger(UdpListener.class.getName());
    /** The largest UDP payload over IPv4. */
    private static final int DATAGRAM_BYTES = 65507;

    private final DatagramChannel channel;
    private final Supplier<TargetResolver> targets;
    private final long idleNanos;
    private final Map<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();
    private volatile Endpoint endpoint;
    private volatile boolean closed;
    private volatile String failure;
    private Thread receiver;

    private UdpListener(DatagramChannel channel, Endpoint endpoint, Supplier<TargetResolver> targets, Duration idle) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.targets = targets;
        this.idleNanos = idle.toNanos();
    }

    /** Binds {@code endpoint} and starts receiving; throws when it cannot be bound. */
    static UdpListener open(Endpoint endpoint, Supplier<TargetResolver> targets, Duration idle) throws IOException {
        DatagramChannel channel = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            channel.bind(new InetSocketAddress(endpoint.address(), endpoint.hostPort()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        UdpListener listener = new UdpListener(channel, endpoint, targets, idle);
        listener.receiver = new Thread(listener::receiveAll, "public udp " + endpoint.key());
        listener.receiver.setDaemon(true);
        listener.receiver.start();
        return listener;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public int connections() {
        return sessions.size();
    }

    @Override
    public String failure() {
        return failure;
    }

    private void receiveAll() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM_BYTES);
        while (!closed) {
            InetSocketAddress from;
            try {
                buffer.clear();
                from = (InetSocketAddress) channel.receive(buffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                failure = "receiving stopped: " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "receiving on " + endpoint.key() + " failed", e);
                return;
            }
            if (!endpoint.admits(from.getAddress())) {
                continue;
            }
            Session session = sessions.get(from);
            if (session == null) {
                session = openSession(from);
                if (session == null) {
                    continue;
                }
            }
            buffer.flip();
            try {
                session.guest.write(buffer);
                session.touch();
            } catch (IOException e) {
                session.close();
            }
        }
    }

    private Session openSession(InetSocketAddress client) {
        DatagramChannel guest;
        try {
            InetSocketAddress target = targets.get().targetFor(Protocol.UDP, endpoint.guestPort());
            guest = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
            guest.connect(target);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot reach the guest for " + endpoint + ": " + e);
            return null;
        }
        Session session = new Session(client, guest);
        // In the map first, then the checks: update() and close() change the endpoint or the flag first, then look
        // through the map, so one of the two always sees a session that is no longer allowed.
        sessions.put(client, session);
        if (closed || !endpoint.admits(client.getAddress())) {
            session.close();
            return null;
        }
        Thread replies = new Thread(session::relayReplies, "public udp " + endpoint.key() + " to "
                + client.getAddress().getHostAddress() + ":" + client.getPort());
        replies.setDaemon(true);
        replies.start();
        return session;
    }

    @Override
    public void update(Endpoint changed) {
        endpoint = changed;
        for (Session session : sessions.values()) {
            if (!changed.admits(session.client.getAddress())) {
                session.close();
            }
        }
    }

    @Override
    public void sweep(long nowNanos) {
        for (Session session : sessions.values()) {
            if (nowNanos - session.lastActive > idleNanos) {
                session.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all that was asked
        }
        // The socket is let go when the receiving thread leaves receive(): waiting for it frees the port on return.
        Listener.awaitEnd(receiver);
        for (Session session : sessions.values()) {
            session.close();
        }
    }

    /** One client source and the channel connected to the guest's port for it. */
    private final class Session {
        private final InetSocketAddress client;
        private final DatagramChannel guest;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile long lastActive = System.nanoTime();

        Session(InetSocketAddress client, DatagramChannel guest) {
            this.client = client;
            this.guest = guest;
        }

        void touch() {
            lastActive = System.nanoTime();
        }

        void relayReplies() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(DATAGRAM_BYTES);
            while (!ended.get()) {
                try {
                    buffer.clear();
                    guest.read(buffer);
                    buffer.flip();
                    channel.send(buffer, client);
                    touch();
                } catch (PortUnreachableException e) {
                    // Nothing listens on the guest's port (yet): the datagram is lost, as it would be on a network.
                } catch (IOException e) {
                    close();
                    return;
                }
            }
        }

        void close() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            sessions.remove(client, this);
            try {
                guest.close();
            } catch (IOException ignored) {
                // closing is all that was asked
            }
        }
    }
}
