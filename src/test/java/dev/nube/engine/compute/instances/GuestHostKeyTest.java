package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host key the engine makes for a restored guest is one dropbear reads, with the fingerprint it prints. */
class GuestHostKeyTest {
    @TempDir
    Path dir;

    @Test
    void dropbearReadsTheKeyAndPrintsTheSameFingerprint() throws Exception {
        GuestHostKey key = GuestHostKey.generate();
        Path file = dir.resolve("dropbear_ed25519_host_key");
        Files.write(file, key.dropbearFile());
        Process dropbearkey = new ProcessBuilder("dropbearkey", "-y", "-f", file.toString()).redirectErrorStream(true)
                .start();
        String out = new String(dropbearkey.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dropbearkey.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, dropbearkey.exitValue(), out);
        assertTrue(out.contains("ssh-ed25519 AAAA"), out);
        assertTrue(out.contains("Fingerprint: " + key.fingerprint() + "\n"), key.fingerprint() + " in " + out);
        assertEquals(83, key.dropbearFile().length);
        assertNotEquals(key.fingerprint(), GuestHostKey.generate().fingerprint(), "a new key each time");
    }
}
