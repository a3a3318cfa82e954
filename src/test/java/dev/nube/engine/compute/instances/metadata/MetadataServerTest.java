package dev.nube.engine.compute.instances.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataServerTest {
    @TempDir
    Path dir;

    /** What a client gets for {@code request}: the status line and the body, as one HTTP exchange on the socket. */
    private record Answer(String statusLine, String headers, String body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static Answer exchange(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (channel.read(in.clear()) >= 0) {
                all.write(in.array(), 0, in.position());
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            return new Answer(head.substring(0, head.indexOf("\r\n")), head, text.substring(end + 4));
        }
    }

    private static Answer get(Path socket, String path) throws IOException {
        return exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: 169.254.169.254\r\nUser-Agent: Wget\r\n\r\n");
    }

    @Test
    void servesEc2PathsAndNothingElse() throws Exception {
        InstanceMetadata data = new InstanceMetadata("i-0123456789abcdef0", "t3.nano", "ami-0123456789abcdef0",
                "i-0123456789abcdef0.local-1.compute.internal", "169.254.0.15", "my-key", "ssh-ed25519 AAAA my-key",
                "local-1", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
        Path socket = dir.resolve("metadata.sock");
        try (MetadataServer server = MetadataServer.start(socket, data)) {
            assertEquals("i-0123456789abcdef0", get(socket, "/latest/meta-data/instance-id").body());
            assertEquals("t3.nano", get(socket, "/latest/meta-data/instance-type").body());
            assertEquals("ami-0123456789abcdef0", get(socket, "/latest/meta-data/ami-id").body());
            assertEquals("169.254.0.15", get(socket, "/latest/meta-data/local-ipv4").body());
            assertEquals("local-1", get(socket, "/latest/meta-data/placement/region").body());
            assertEquals("ssh-ed25519 AAAA my-key\n",
                    get(socket, "/latest/meta-data/public-keys/0/openssh-key").body());
            assertEquals("0=my-key", get(socket, "/latest/meta-data/public-keys/").body());
            assertEquals("#!/bin/sh\necho hi\n", get(socket, "/latest/user-data").body());
            String listing = get(socket, "/latest/meta-data/").body();
            assertTrue(listing.contains("instance-id") && listing.contains("public-keys/"), listing);
            assertEquals(404, get(socket, "/latest/meta-data/iam/security-credentials/").status());
            assertEquals(404, get(socket, "/nothing").status());
        }
        assertFalse(Files.exists(socket), "the socket goes with the server");
    }

    @Test
    void speaksHttp10And11AndOnlyGetAndHead() throws Exception {
        InstanceMetadata data = new InstanceMetadata("i-0123456789abcdef0", "t3.nano", "ami-0123456789abcdef0",
                "h", "169.254.0.15", null, null, "local-1", null);
        Path socket = dir.resolve("metadata.sock");
        Files.writeString(socket, "stale"); // left by an engine that is gone
        try (MetadataServer server = MetadataServer.start(socket, data)) {
            Answer old = exchange(socket, "GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n");
            assertEquals("HTTP/1.0 200 OK", old.statusLine());
            assertEquals("i-0123456789abcdef0", old.body());
            Answer eleven = get(socket, "/latest/meta-data/instance-id?x=1");
            assertEquals("HTTP/1.1 200 OK", eleven.statusLine());
            assertTrue(eleven.headers().contains("Content-Length: 19"), eleven.headers());
            Answer head = exchange(socket, "HEAD /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, head.status());
            assertEquals("", head.body());
            assertEquals(405, exchange(socket, "POST /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n").status());
            assertEquals(400, exchange(socket, "hello\r\n\r\n").status());
            assertEquals(404, get(socket, "/latest/user-data").status());
            assertEquals(404, get(socket, "/latest/meta-data/public-keys/0/openssh-key").status());
        }
    }
}
