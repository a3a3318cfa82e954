package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wake port's protocol, with this test in the place of QEMU's listening socket and the guest behind it: the
 * template build hears "waiting", a restore's word to go on carries the token and host key, and is said again when
 * the guest still says it waits (QEMU drops a line the guest did not read before the other side closed).
 */
class TemplateWaitTest {
    @TempDir
    Path dir;

    @Test
    void aTemplateBuildHearsTheGuestWaitOnThePortAndNotByTheMetadataService() throws Exception {
        Path wake = dir.resolve("wake.sock");
        try (ServerSocketChannel qemu = listen(wake);
             TemplateWait wait = TemplateWait.listen(dir.resolve("metadata.sock"), wake)) {
            assertFalse(wait.await(Duration.ofMillis(300)), "nothing said yet");
            try (SocketChannel engine = qemu.accept()) {
                engine.write(ByteBuffer.wrap("booting\nnube-template-waiting\n".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(wait.await(Duration.ofSeconds(10)));
                assertTrue(wait.onPort());
            }
        }
    }

    @Test
    void anEarlierImagesWaitByTheMetadataServiceIsHeardButNotOnThePort() throws Exception {
        Path metadata = dir.resolve("metadata.sock");
        try (TemplateWait wait = TemplateWait.listen(metadata, dir.resolve("nobody-listens.sock"));
             SocketChannel guest = SocketChannel.open(UnixDomainSocketAddress.of(metadata))) {
            guest.write(ByteBuffer.wrap(("PUT /latest/api/token HTTP/1.0\r\nX-aws-ec2-metadata-token-ttl-seconds: 300"
                    + "\r\nX-Nube-Template: waiting\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            String answer = readAll(guest);
            assertTrue(answer.startsWith("HTTP/1.0 503 "), answer);
            assertTrue(wait.await(Duration.ofSeconds(10)));
            assertFalse(wait.onPort(), "such a template would never go on when woken on the port");
        }
    }

    @Test
    void theWordToGoOnIsSaidAgainUntilTheGuestGoesOn() throws Exception {
        Path wake = dir.resolve("wake.sock");
        GuestHostKey key = GuestHostKey.generate();
        try (ServerSocketChannel qemu = listen(wake)) {
            CompletableFuture<List<String>> heard = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel engine = qemu.accept()) {
                    List<String> lines = new ArrayList<>();
                    lines.add(readLine(engine)); // lost, as if the guest had not read it
                    engine.write(ByteBuffer.wrap("nube-template-waiting\n".getBytes(StandardCharsets.US_ASCII)));
                    lines.add(readLine(engine));
                    engine.write(ByteBuffer.wrap("nube-going key\n".getBytes(StandardCharsets.US_ASCII)));
                    return lines;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(TemplateWait.wake(wake, "TOKEN", key, "02:00:00:00:00:07", Duration.ofSeconds(10)),
                    "it took the key");
            List<String> lines = heard.get(10, TimeUnit.SECONDS);
            String expected = "nube-go TOKEN " + key.fileBase64() + " 02:00:00:00:00:07";
            assertEquals(List.of(expected, expected), lines);
        }
    }

    @Test
    void aGuestThatMakesItsOwnHostKeySaysSo() throws Exception {
        Path wake = dir.resolve("wake.sock");
        try (ServerSocketChannel qemu = listen(wake)) {
            CompletableFuture<String> heard = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel engine = qemu.accept()) {
                    String line = readLine(engine);
                    engine.write(ByteBuffer.wrap("nube-going\r\n".getBytes(StandardCharsets.US_ASCII)));
                    return line;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertFalse(TemplateWait.wake(wake, "TOKEN", GuestHostKey.generate(), null, Duration.ofSeconds(10)));
            assertTrue(heard.get(10, TimeUnit.SECONDS).startsWith("nube-go TOKEN "));
        }
    }

    @Test
    void aGuestThatNeverGoesOnFailsTheWakeWithinItsDeadline() throws Exception {
        Path wake = dir.resolve("wake.sock");
        try (ServerSocketChannel qemu = listen(wake)) {
            CompletableFuture<SocketChannel> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return qemu.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            IOException e = assertThrows(IOException.class,
                    () -> TemplateWait.wake(wake, null, null, null, Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("did not go on"), e.getMessage());
            try (SocketChannel engine = held.get(5, TimeUnit.SECONDS)) {
                assertEquals("nube-go - - -", readLine(engine), "no token, key or MAC: the guest asks or makes its own");
            }
        }
    }

    private static ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    private static String readLine(SocketChannel channel) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (channel.read(one.clear()) > 0) {
            char c = (char) one.get(0);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
        return line.toString();
    }

    private static String readAll(SocketChannel channel) throws IOException {
        StringBuilder all = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        while (channel.read(buffer.clear()) > 0) {
            all.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        }
        return all.toString();
    }
}
