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
                "local-1", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8), "02:00:00:00:00:01",
                java.time.Instant.parse("2026-12-02T10:15:30.123Z"), false);
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
            assertEquals("local-1a", get(socket, "/latest/meta-data/placement/availability-zone").body());
            assertEquals("02:00:00:00:00:01", get(socket, "/latest/meta-data/mac").body());
            assertEquals("""
                    {
                      "accountId" : "000000000000",
                      "architecture" : "x86_64",
                      "availabilityZone" : "local-1a",
                      "billingProducts" : null,
                      "devpayProductCodes" : null,
                      "marketplaceProductCodes" : null,
                      "imageId" : "ami-0123456789abcdef0",
                      "instanceId" : "i-0123456789abcdef0",
                      "instanceType" : "t3.nano",
                      "kernelId" : null,
                      "pendingTime" : "2026-12-02T10:15:30Z",
                      "privateIp" : "169.254.0.15",
                      "ramdiskId" : null,
                      "region" : "local-1",
                      "version" : "2017-09-30"
                    }""", get(socket, "/latest/dynamic/instance-identity/document").body());
            assertEquals("document", get(socket, "/latest/dynamic/instance-identity/").body());
            assertEquals("i-0123456789abcdef0", get(socket, "/2009-04-04/meta-data/instance-id").body(),
                    "a dated version, as cloud-init asks");
            assertEquals(get(socket, "/latest/meta-data/").body(), get(socket, "/2021-03-23/meta-data/").body());
            assertTrue(get(socket, "/").body().endsWith("2021-03-23\nlatest"), get(socket, "/").body());
            assertEquals(404, get(socket, "/2021-3-23/meta-data/instance-id").status());
            assertEquals(404, get(socket, "/latest/meta-data/iam/security-credentials/").status());
            assertEquals(404, get(socket, "/nothing").status());
        }
        assertFalse(Files.exists(socket), "the socket goes with the server");
    }

    @Test
    void speaksHttp10And11AndOnlyGetAndHead() throws Exception {
        InstanceMetadata data = new InstanceMetadata("i-0123456789abcdef0", "t3.nano", "ami-0123456789abcdef0",
                "h", "169.254.0.15", null, null, "local-1", null, null, null, false);
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

    private static Answer put(Path socket, String headers) throws IOException {
        return exchange(socket, "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n" + headers + "\r\n");
    }

    private static Answer get(Path socket, String path, String token) throws IOException {
        return exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token: "
                + token + "\r\n\r\n");
    }

    private static InstanceMetadata instance(String id, boolean tokensRequired) {
        return new InstanceMetadata(id, "t3.nano", "ami-0123456789abcdef0", "h", "169.254.0.15", null, null,
                "local-1", null, null, null, tokensRequired);
    }

    @Test
    void imdsV2TokensAreRequiredCheckedAndOwnedByOneInstance() throws Exception {
        Path socket = dir.resolve("one.sock");
        Path otherSocket = dir.resolve("two.sock");
        try (MetadataServer server = MetadataServer.start(socket, instance("i-0123456789abcdef0", true));
                MetadataServer other = MetadataServer.start(otherSocket, instance("i-0123456789abcdef1", true))) {
            String path = "/latest/meta-data/instance-id";
            assertEquals(401, get(socket, path).status(), "IMDSv1 refused while tokens are required");
            Answer issued = put(socket, "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n");
            assertEquals(200, issued.status());
            assertTrue(issued.headers().contains("X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 21600"), issued.headers());
            String token = issued.body();
            assertTrue(token.length() >= 40, token);
            assertEquals("i-0123456789abcdef0", get(socket, path, token).body());
            assertEquals(401, get(socket, path, token + "x").status(), "a token it did not make");
            assertEquals(401, get(otherSocket, path, token).status(), "another instance's token");
            assertEquals(400, put(socket, "").status(), "no TTL");
            assertEquals(400, put(socket, "X-aws-ec2-metadata-token-ttl-seconds: 0\r\n").status());
            assertEquals(400, put(socket, "X-aws-ec2-metadata-token-ttl-seconds: 21601\r\n").status());
            assertEquals(400, put(socket, "X-aws-ec2-metadata-token-ttl-seconds: soon\r\n").status());
            assertEquals(403, put(socket, "X-aws-ec2-metadata-token-ttl-seconds: 60\r\nX-Forwarded-For: 10.0.0.1\r\n")
                    .status(), "not through a proxy");
            assertEquals(405, get(socket, "/latest/api/token").status(), "a token is PUT");

            String shortLived = put(socket, "X-aws-ec2-metadata-token-ttl-seconds: 1\r\n").body();
            assertEquals(200, get(socket, path, shortLived).status());
            Thread.sleep(1100);
            assertEquals(401, get(socket, path, shortLived).status(), "expired");
            assertEquals(200, get(socket, path, token).status(), "the long one lives on");

            server.tokensRequired(false);
            assertEquals(200, get(socket, path).status(), "optional: IMDSv1 answered");
            assertEquals(401, get(socket, path, shortLived).status(), "a bad token is refused even then");
        }
    }
}
