package dev.nube.engine.compute.instances;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the metadata service while a template boots: every request gets {@code 503}, and the first token
 * request that says the guest waits for its instance ({@code X-Nube-Template: waiting}, sent by the tiny image's
 * boot script in template mode) is reported. A guest whose script does not say so (an image from before restore
 * launches) never counts as waiting. Closed with the build; one accepting thread.
 */
final class TemplateWait implements AutoCloseable {
    static final String HEADER = "x-nube-template: waiting";
    private static final int MAX_REQUEST = 8192;

    private final ServerSocketChannel server;
    private final CountDownLatch waiting = new CountDownLatch(1);
    private final Thread acceptor;

    private TemplateWait(ServerSocketChannel server) {
        this.server = server;
        this.acceptor = new Thread(this::serve, "template wait");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on the unix socket {@code socket} (where QEMU's metadata relay connects). */
    static TemplateWait listen(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new TemplateWait(server);
    }

    /** Waits until the guest said it waits for its instance; false when {@code deadline} passed first. */
    boolean await(Duration deadline) throws InterruptedException {
        return waiting.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel connection = server.accept()) {
                String request = readHead(connection);
                connection.write(ByteBuffer.wrap(("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                if (request.startsWith("PUT /latest/api/token ")
                        && request.toLowerCase(java.util.Locale.ROOT).contains("\r\n" + HEADER + "\r\n")) {
                    waiting.countDown();
                }
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    /** The request's head (up to the empty line), at most {@link #MAX_REQUEST} bytes. */
    private static String readHead(SocketChannel connection) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST);
        while (buffer.hasRemaining()) {
            if (connection.read(buffer) < 0) {
                break;
            }
            String sofar = new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
            if (sofar.contains("\r\n\r\n")) {
                return sofar;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
