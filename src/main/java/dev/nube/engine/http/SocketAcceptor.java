package dev.nube.engine.http;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The accept loop of the engine's hand-written servers: one daemon thread accepts connections on a bound socket, at
 * most {@code maxConnections} open at once (the next waits in the backlog), each with TCP_NODELAY and served on
 * {@code connections} by {@code serve}, then closed. {@link #close} stops accepting and closes every open
 * connection (a request blocked on one sees it drop).
 */
public final class SocketAcceptor implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService connections;
    private final Consumer<Socket> serve;
    private final Semaphore slots;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Starts accepting on {@code server}, already bound, on a thread named {@code threadName}. */
    public SocketAcceptor(ServerSocket server, String threadName, int maxConnections, ExecutorService connections,
            Consumer<Socket> serve) {
        this.server = server;
        this.connections = connections;
        this.serve = serve;
        this.slots = new Semaphore(maxConnections);
        Thread acceptor = new Thread(this::acceptLoop, threadName);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public boolean closed() {
        return closed;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                slots.release();
                if (!closed) {
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            open.add(socket);
            try {
                socket.setTcpNoDelay(true);
                connections.execute(() -> {
                    try {
                        serve.accept(socket);
                    } finally {
                        release(socket);
                    }
                });
            } catch (IOException | RejectedExecutionException e) {
                release(socket);
            }
        }
    }

    private void release(Socket socket) {
        if (open.remove(socket)) {
            slots.release();
        }
        closeQuietly(socket);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(SocketAcceptor::closeQuietly);
    }
}
