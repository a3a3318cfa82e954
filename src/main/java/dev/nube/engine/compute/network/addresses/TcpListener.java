package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A TCP endpoint: accepts clients, resets at once those whose source is not allowed (they never reach the guest),
 * and splices the others to the guest's port with a thread per direction and a 64 KiB direct buffer each. A FIN is
 * passed on as a FIN ({@code shutdownOutput}); a reset or an error on either side resets the client. Thread rule:
 * one accepting thread; each connection has its two pumping threads; {@link #update} and {@link #close} may come from
 * any thread.
 */
final class TcpListener implements Listener {
    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());
    static final int BUFFER_BYTES = 64 * 1024;

    private final ServerSocketChannel server;
    private final Supplier<TargetResolver> targets;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile Endpoint endpoint;
    private volatile boolean closed;
    private volatile String failure;
    private Thread acceptor;

    private TcpListener(ServerSocketChannel server, Endpoint endpoint, Supplier<TargetResolver> targets) {
        this.server = server;
        this.endpoint = endpoint;
        this.targets = targets;
    }

    /** Binds {@code endpoint} and starts accepting; throws when it cannot be bound. */
    static TcpListener open(Endpoint endpoint, Supplier<TargetResolver> targets) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            // A listener closed a moment ago leaves connections in TIME_WAIT; its port must be usable again at once.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(endpoint.address(), endpoint.hostPort()), 128);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        TcpListener listener = new TcpListener(server, endpoint, targets);
        listener.acceptor = new Thread(listener::acceptAll, "public tcp " + endpoint.key());
        listener.acceptor.setDaemon(true);
        listener.acceptor.start();
        return listener;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public int connections() {
        return connections.size();
    }

    @Override
    public String failure() {
        return failure;
    }

    private void acceptAll() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Out of file descriptors, say: the listener stays, the next accept may work.
                LOG.log(System.Logger.Level.WARNING, "accepting on " + endpoint.key() + " failed", e);
                pause();
                continue;
            }
            InetAddress source;
            try {
                source = ((InetSocketAddress) client.getRemoteAddress()).getAddress();
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            Connection connection = new Connection(client, source);
            // In the set first, then the checks: update() and close() change the endpoint or the flag first, then look
            // through the set, so one of the two always sees a connection that is no longer allowed.
            connections.add(connection);
            if (closed || !endpoint.admits(source)) {
                connection.cut();
                continue;
            }
            Thread thread = new Thread(connection::run, "public tcp " + endpoint.key() + " from " + source
                    .getHostAddress());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void update(Endpoint changed) {
        endpoint = changed;
        for (Connection connection : connections) {
            if (!changed.admits(connection.source)) {
                connection.cut();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        // The socket is let go when the accepting thread leaves accept(): waiting for it frees the port on return.
        Listener.awaitEnd(acceptor);
        for (Connection connection : connections) {
            connection.cut();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (IOException ignored) {
            // closing is all that was asked
        }
    }

    /** One client's connection and its guest side. */
    private final class Connection {
        private final SocketChannel client;
        private final InetAddress source;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicInteger openDirections = new AtomicInteger(2);
        private volatile SocketChannel guest;

        Connection(SocketChannel client, InetAddress source) {
            this.client = client;
            this.source = source;
        }

        /** Connects to the guest, then pumps client to guest here and guest to client on a second thread. */
        void run() {
            SocketChannel upstream;
            try {
                InetSocketAddress target = targets.get().targetFor(Protocol.TCP, endpoint.guestPort());
                upstream = SocketChannel.open();
                // Known first, then the check: a cut() from here on closes it too.
                guest = upstream;
                if (ended.get()) {
                    closeQuietly(upstream);
                    return;
                }
                upstream.connect(target);
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException | RuntimeException e) {
                if (!ended.get()) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot reach the guest for " + endpoint + ": " + e);
                }
                cut();
                return;
            }
            Thread back = new Thread(() -> pump(upstream, client), Thread.currentThread().getName() + " (replies)");
            back.setDaemon(true);
            back.start();
            pump(client, upstream);
        }

        private void pump(SocketChannel from, SocketChannel to) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
                to.shutdownOutput();
                if (openDirections.decrementAndGet() == 0) {
                    end(false);
                }
            } catch (IOException e) {
                end(true);
            }
        }

        /** Resets the client (SO_LINGER 0: an RST, not a FIN) and closes the guest side. */
        void cut() {
            end(true);
        }

        private void end(boolean reset) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (reset) {
                try {
                    client.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException | RuntimeException ignored) {
                    // already closed by the peer: nothing left to reset
                }
            }
            closeQuietly(client);
            closeQuietly(guest);
            connections.remove(this);
        }
    }
}
