package dev.nube.engine.compute.terminal;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.SshBanner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH terminal against a real SSH server: a dropbear started on loopback for the test. No guest boots, but it runs
 * the guest image's SSH server (dropbear-bin in packaging/packages.txt), so it goes with the VM tests: the fast set
 * assumes none of the guests' tooling.
 */
@Tag("vm")
class SshTerminalTest {
    private static final String ALIAS = "i-0123456789abcdef0";

    @TempDir
    Path dir;

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Test
    void aChangedHostKeyIsReportedAsSuch() throws Exception {
        Path hostKey = dir.resolve("host_key");
        run(List.of("dropbearkey", "-t", "ed25519", "-f", hostKey.toString()));
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user").toString()));
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("other").toString()));
        // Known hosts remembers another key under the instance's alias (as after the instance was rebuilt).
        Path knownHosts = dir.resolve("known_hosts");
        String[] other = Files.readString(dir.resolve("other.pub")).split(" ");
        String remembered = ALIAS + " " + other[0] + " " + other[1] + "\n";
        Files.writeString(knownHosts, remembered);
        int port = freePort();
        Process dropbear = new ProcessBuilder("dropbear", "-F", "-E", "-s", "-p", "127.0.0.1:" + port, "-r",
                hostKey.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("dropbear.log").toFile())
                .start();
        try {
            waitUntil("dropbear answers on port " + port, 60, () -> SshBanner.answers("127.0.0.1", port, 1000));
            EngineException e = assertThrows(EngineException.class, () -> SshTerminal.open("127.0.0.1", port, "root",
                    dir.resolve("user"), ALIAS, knownHosts, 80, 24));
            assertEquals("Connect.Failed", e.code());
            assertTrue(e.getMessage().contains("host key changed"), e.getMessage());
            assertEquals(remembered, Files.readString(knownHosts), "the remembered key is not replaced");
        } finally {
            dropbear.destroy();
            if (!dropbear.waitFor(10, TimeUnit.SECONDS)) {
                dropbear.destroyForcibly();
            }
        }
    }
}
