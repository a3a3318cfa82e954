package dev.nube.engine.compute.instances;

import dev.nube.engine.compute.qemu.QemuMachine;
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
 * Hears a template's guest say that it waits for its instance. The tiny image's boot script in template mode says it
 * on the guest's second serial port ({@link QemuMachine.Restorable}: a line {@value #WAITING}, repeated each second),
 * and is woken there once restored ({@link #wake}). Meanwhile this stands in for the metadata service: every request
 * gets {@code 503}. The script of an earlier tiny image waited by polling the metadata service with a token request
 * carrying {@code X-Nube-Template: waiting} instead; such a guest is heard too, and {@link #onPort} then says false
 * (its template would never go on when woken on the port). A guest whose script says neither (an image from before
 * restore launches) never counts as waiting. Closed with the build; one thread for each way.
 */
final class TemplateWait implements AutoCloseable {
    static final String HEADER = "x-nube-template: waiting";
    static final String WAITING = "nube-template-waiting";
    static final String WAKE = "nube-go";
    static final String WOKEN = "nube-going";
    private static final int MAX_REQUEST = 8192;

    private final ServerSocketChannel server;
    private final Path wakeSocket;
    private final CountDownLatch waiting = new CountDownLatch(1);
    private final Thread acceptor;
    private final Thread listener;
    private volatile boolean closed;
    private volatile boolean heardOnPort;

    private TemplateWait(ServerSocketChannel server, Path wakeSocket) {
        this.server = server;
        this.wakeSocket = wakeSocket;
        this.acceptor = new Thread(this::serve, "template wait");
        acceptor.setDaemon(true);
        acceptor.start();
        this.listener = new Thread(this::listen, "template wake port");
        listener.setDaemon(true);
        listener.start();
    }

    /**
     * Listens on the unix socket {@code metadataSocket} (where QEMU's metadata relay connects) and connects to
     * {@code wakeSocket} once QEMU listens there.
     */
    static TemplateWait listen(Path metadataSocket, Path wakeSocket) throws IOException {
        Files.deleteIfExists(metadataSocket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(metadataSocket));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new TemplateWait(server, wakeSocket);
    }

    /**
     * Tells the restored guest behind {@code wakeSocket} (its QEMU listening there, running) to go on from its
     * wait, with a session token of its metadata service (or null: it asks for one), its SSH host key (or null: it
     * makes one) and its MAC address on the private network (or null: it asks the metadata service), and waits until the guest says it went on: true when it took the host key ({@value #WOKEN}
     * {@code key}), false when it makes its own. QEMU drops what was written to a port whose other side has closed
     * before the guest read it, so the port stays open until then, and the word is said again each time the guest
     * says it still waits. Fails when the guest has not gone on within {@code deadline}.
     */
    static boolean wake(Path wakeSocket, String token, GuestHostKey hostKey, String mac, Duration deadline)
            throws IOException, InterruptedException {
        byte[] wake = (WAKE + " " + (token == null ? "-" : token) + " " + (hostKey == null ? "-" : hostKey.fileBase64())
                + " " + (mac == null ? "-" : mac) + "\n").getBytes(StandardCharsets.US_ASCII);
        long end = System.nanoTime() + deadline.toNanos();
        try (SocketChannel port = SocketChannel.open(UnixDomainSocketAddress.of(wakeSocket))) {
            port.configureBlocking(false);
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                port.register(selector, java.nio.channels.SelectionKey.OP_READ);
                write(port, wake);
                ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST);
                StringBuilder line = new StringBuilder();
                while (true) {
                    long left = (end - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new IOException("the restored guest did not go on within " + deadline.toSeconds()
                                + " s of being told to");
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    if (port.read(buffer.clear()) < 0) {
                        throw new IOException("QEMU closed the guest's wake port");
                    }
                    for (int i = 0; i < buffer.position(); i++) {
                        char c = (char) (buffer.get(i) & 0xff);
                        if (c != '\n' && c != '\r') {
                            if (line.length() < MAX_REQUEST) {
                                line.append(c);
                            }
                            continue;
                        }
                        if (line.toString().equals(WOKEN + " key")) {
                            return true;
                        }
                        if (line.toString().startsWith(WOKEN)) {
                            return false;
                        }
                        if (line.toString().equals(WAITING)) {
                            write(port, wake);
                        }
                        line.setLength(0);
                    }
                }
            }
        }
    }

    private static void write(SocketChannel port, byte[] bytes) throws IOException, InterruptedException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (port.write(buffer) == 0) {
                Thread.sleep(1);
            }
        }
    }

    /** Whether the guest said it waits on the wake port (else by the metadata service, or not yet). */
    boolean onPort() {
        return heardOnPort;
    }

    /** Waits until the guest said it waits for its instance; false when {@code deadline} passed first. */
    boolean await(Duration deadline) throws InterruptedException {
        return waiting.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects to the wake port (QEMU may not listen yet) and reads lines until one says the guest waits. */
    private void listen() {
        while (!closed) {
            try (SocketChannel port = SocketChannel.open(UnixDomainSocketAddress.of(wakeSocket))) {
                ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST);
                StringBuilder line = new StringBuilder();
                while (!closed && port.read(buffer.clear()) >= 0) {
                    for (int i = 0; i < buffer.position(); i++) {
                        char c = (char) (buffer.get(i) & 0xff);
                        if (c == '\n' || c == '\r') {
                            if (line.toString().equals(WAITING)) {
                                heardOnPort = true;
                                waiting.countDown();
                                return;
                            }
                            line.setLength(0);
                        } else if (line.length() < MAX_REQUEST) {
                            line.append(c);
                        }
                    }
                }
            } catch (IOException e) {
                // not listening yet, or gone: tried again until closed
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
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
        closed = true;
        server.close();
        acceptor.interrupt();
        listener.interrupt();
    }
}
