package dev.nube.engine.compute.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetadataServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesEc2PathsAndNothingElse() throws Exception {
        InstanceMetadata data = new InstanceMetadata("i-0123456789abcdef0", "t3.nano", "ami-0123456789abcdef0",
                "i-0123456789abcdef0.local-1.compute.internal", "169.254.0.15", "my-key", "ssh-ed25519 AAAA my-key",
                "local-1", "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
        try (MetadataServer server = MetadataServer.start(0, data)) {
            int port = server.port();
            assertEquals("i-0123456789abcdef0", get(port, "/latest/meta-data/instance-id").body());
            assertEquals("t3.nano", get(port, "/latest/meta-data/instance-type").body());
            assertEquals("ami-0123456789abcdef0", get(port, "/latest/meta-data/ami-id").body());
            assertEquals("169.254.0.15", get(port, "/latest/meta-data/local-ipv4").body());
            assertEquals("local-1", get(port, "/latest/meta-data/placement/region").body());
            assertEquals("ssh-ed25519 AAAA my-key\n", get(port, "/latest/meta-data/public-keys/0/openssh-key").body());
            assertEquals("0=my-key", get(port, "/latest/meta-data/public-keys/").body());
            assertEquals("#!/bin/sh\necho hi\n", get(port, "/latest/user-data").body());
            String listing = get(port, "/latest/meta-data/").body();
            assertEquals(true, listing.contains("instance-id") && listing.contains("public-keys/"), listing);
            assertEquals(404, get(port, "/latest/meta-data/iam/security-credentials/").statusCode());
            assertEquals(404, get(port, "/nothing").statusCode());
        }
    }

    @Test
    void withoutKeyOrUserDataThoseAre404() throws Exception {
        InstanceMetadata data = new InstanceMetadata("i-0123456789abcdef0", "t3.nano", "ami-0123456789abcdef0",
                "h", "169.254.0.15", null, null, "local-1", null);
        try (MetadataServer server = MetadataServer.start(0, data)) {
            assertEquals(404, get(server.port(), "/latest/user-data").statusCode());
            assertEquals(404, get(server.port(), "/latest/meta-data/public-keys/0/openssh-key").statusCode());
        }
    }
}
