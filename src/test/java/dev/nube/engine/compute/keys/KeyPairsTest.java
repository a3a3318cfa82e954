package dev.nube.engine.compute.keys;

import static dev.nube.engine.EngineTestSupport.openWithoutKvm;
import static dev.nube.engine.EngineTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyPairsTest {
    private static final String REGION = "local-1";

    @TempDir
    Path dir;
    private Engine engine;
    private KeyPairService keys;

    @BeforeEach
    void open() {
        engine = openWithoutKvm(dir.resolve("home"));
        keys = engine.keyPairs();
    }

    @AfterEach
    void close() {
        engine.close();
    }

    /** What {@code ssh-keygen -lf} prints for a public key file, minus the trailing newline. */
    private String keygenFingerprint(String publicKeyLine) throws Exception {
        Path pub = Files.createTempFile(dir, "key", ".pub");
        Files.writeString(pub, publicKeyLine + "\n");
        return run(List.of("ssh-keygen", "-lf", pub.toString())).strip();
    }

    private static String asKeygenPrints(KeyPair key, String comment) {
        return key.bits() + " " + key.fingerprint() + " " + comment + " (" + key.type().keygenName() + ")";
    }

    @ParameterizedTest
    @CsvSource({"ED25519,0", "RSA,2048", "RSA,4096"})
    void createdKeysMatchWhatOpenSshAndSshjRead(KeyType type, int bits) throws Exception {
        KeyPairService.Created created = keys.create(REGION, "my key " + type + bits, type, bits);
        KeyPair key = created.keyPair();
        assertTrue(key.id().matches("key-[0-9a-f]{17}"), key.id());
        assertEquals(type == KeyType.RSA ? bits : 256, key.bits());
        assertEquals(keygenFingerprint(key.publicKey()), asKeygenPrints(key, key.name()));

        Path privateKey = keys.privateKeyFile(REGION, key.id());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey)));
        assertEquals(created.privateKeyPem(), Files.readString(privateKey));
        String derived = run(List.of("ssh-keygen", "-y", "-f", privateKey.toString())).strip();
        assertEquals(String.join(" ", List.of(key.publicKey().split(" ")).subList(0, 2)),
                String.join(" ", List.of(derived.split(" ")).subList(0, 2)));

        try (SSHClient ssh = new SSHClient()) {
            KeyProvider provider = ssh.loadKeys(privateKey.toString());
            assertEquals(key.publicKey().split(" ")[1], java.util.Base64.getEncoder().encodeToString(
                    new net.schmizz.sshj.common.Buffer.PlainBuffer().putPublicKey(provider.getPublic())
                            .getCompactData()));
        }

        Path saved = dir.resolve("download/" + key.name() + ".pem");
        Files.createDirectories(saved.getParent());
        keys.savePrivateKey(REGION, key.id(), saved);
        assertEquals(created.privateKeyPem(), Files.readString(saved));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)));
    }

    @ParameterizedTest
    @CsvSource({"ed25519,0", "rsa,3072", "ecdsa,256", "ecdsa,384", "ecdsa,521"})
    void importedKeysHaveTheFingerprintSshKeygenPrints(String type, int bits) throws Exception {
        Path file = dir.resolve("id_" + type + bits);
        List<String> command = new java.util.ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", "me@laptop",
                "-t", type, "-f", file.toString()));
        if (bits > 0) {
            command.addAll(List.of("-b", Integer.toString(bits)));
        }
        run(command);
        String line = Files.readString(Path.of(file + ".pub"));
        KeyPair key = keys.importPublicKey(REGION, "laptop-" + type + bits, line);
        assertFalse(key.privateKeyKept());
        assertEquals(run(List.of("ssh-keygen", "-lf", file + ".pub")).strip(), asKeygenPrints(key, "me@laptop"));
        EngineException noPrivate = assertThrows(EngineException.class, () -> keys.privateKeyFile(REGION, key.id()));
        assertEquals("InvalidKeyPair.NoPrivateKey", noPrivate.code());
    }

    @Test
    void importRefusesBadKeysWithClearReasons() throws Exception {
        KeyPairService.Created created = keys.create(REGION, "source", KeyType.ED25519, 0);
        String good = created.keyPair().publicKey();
        String base64 = good.split(" ")[1];

        assertRefused("", "Paste a public key");
        assertRefused("hello world this is not a key", "not a supported key type");
        assertRefused("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "not a supported key type");
        assertRefused(created.privateKeyPem(), "This is a private key");
        assertRefused("ssh-ed25519 " + base64.substring(0, 40), "truncated");
        assertRefused("ssh-ed25519 " + base64.substring(0, 41), "not valid base64");
        assertRefused("ssh-rsa " + base64, "the line says ssh-rsa");
        assertRefused("ssh-ed25519", "missing");
        assertRefused(good + "\n" + good, "exactly one public key");
        assertRefused("no-pty " + good, "Key options");

        EngineException duplicate = assertThrows(EngineException.class,
                () -> keys.importPublicKey(REGION, "again", good));
        assertEquals("InvalidKeyPair.Duplicate", duplicate.code());
        assertTrue(duplicate.getMessage().contains("already imported as 'source'"));
        assertEquals(1, keys.list(REGION).items().size(), "nothing was added");
    }

    @Test
    void importRefusesKeysWhoseNumbersOrPointAreNotValid() {
        byte[] offCurve = new byte[32];
        offCurve[0] = 2; // y = 2 is no point of Ed25519
        assertRefused("ssh-ed25519 " + base64(new SshBuffer.Writer().string("ssh-ed25519").string(offCurve)),
                "not a point of its curve");
        byte[] origin = new byte[65];
        origin[0] = 4; // uncompressed, x = y = 0: not on P-256
        assertRefused("ecdsa-sha2-nistp256 " + base64(new SshBuffer.Writer().string("ecdsa-sha2-nistp256")
                .string("nistp256").string(origin)), "not a valid uncompressed nistp256 point");
        java.math.BigInteger even = java.math.BigInteger.ONE.shiftLeft(2047);
        assertRefused("ssh-rsa " + base64(new SshBuffer.Writer().string("ssh-rsa")
                .mpint(java.math.BigInteger.valueOf(65537)).mpint(even)), "numbers are not valid");
        assertEquals(0, keys.list(REGION).items().size());
    }

    private static String base64(SshBuffer.Writer blob) {
        return java.util.Base64.getEncoder().encodeToString(blob.toByteArray());
    }

    private void assertRefused(String text, String reason) {
        EngineException e = assertThrows(EngineException.class, () -> keys.importPublicKey(REGION, "k", text));
        assertEquals("InvalidKey.Format", e.code());
        assertTrue(e.getMessage().contains(reason), "'" + e.getMessage() + "' should say '" + reason + "'");
    }

    @Test
    void namesFollowEc2Rules() {
        keys.create(REGION, "a".repeat(255), KeyType.ED25519, 0);
        assertEquals("InvalidParameterValue", assertThrows(EngineException.class,
                () -> keys.create(REGION, "a".repeat(256), KeyType.ED25519, 0)).code());
        assertThrows(EngineException.class, () -> keys.create(REGION, "", KeyType.ED25519, 0));
        assertThrows(EngineException.class, () -> keys.create(REGION, "clé", KeyType.ED25519, 0));
        assertThrows(EngineException.class, () -> keys.create(REGION, "tab\there", KeyType.ED25519, 0));
        keys.create(REGION, "web key (prod) #1", KeyType.ED25519, 0);
        EngineException duplicate = assertThrows(EngineException.class,
                () -> keys.create(REGION, "web key (prod) #1", KeyType.RSA, 2048));
        assertEquals("InvalidKeyPair.Duplicate", duplicate.code());
        assertThrows(EngineException.class, () -> keys.create(REGION, "rsa", KeyType.RSA, 1024));
        assertEquals(2, keys.list(REGION).items().size());
    }

    @Test
    void deleteRemovesTheKeyAndItsFiles() {
        KeyPair key = keys.create(REGION, "temp", KeyType.ED25519, 0).keyPair();
        Path privateKey = keys.privateKeyFile(REGION, key.id());
        keys.delete(REGION, "temp");
        assertFalse(Files.exists(privateKey.getParent()));
        assertEquals("InvalidKeyPair.NotFound", assertThrows(EngineException.class,
                () -> keys.get(REGION, key.id())).code());
    }

    @Test
    void keysSurviveAnEngineRestart() {
        KeyPair key = keys.create(REGION, "persistent", KeyType.ED25519, 0).keyPair();
        engine.close();
        engine = openWithoutKvm(dir.resolve("home"));
        assertEquals(key, engine.keyPairs().get(REGION, "persistent"));
    }
}
