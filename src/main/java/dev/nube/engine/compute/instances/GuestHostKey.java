package dev.nube.engine.compute.instances;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * An Ed25519 SSH host key made by the engine for a restored guest, which would otherwise spend half a second of
 * emulated CPU making its own: the key file as dropbear keeps it ({@code string "ssh-ed25519", string priv||pub}),
 * and the public key's fingerprint as {@code ssh-keygen -l} prints it. Handed to the guest over its wake port (a
 * serial port only root reads in the guest), never through the metadata service; the engine keeps only the
 * fingerprint.
 */
record GuestHostKey(byte[] dropbearFile, String fingerprint) {
    private static final String TYPE = "ssh-ed25519";
    private static final SecureRandom RANDOM = new SecureRandom();

    static GuestHostKey generate() {
        Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);
        byte[] priv = key.getEncoded();
        byte[] pub = key.generatePublicKey().getEncoded();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        string(file, TYPE.getBytes(StandardCharsets.US_ASCII));
        byte[] both = new byte[64];
        System.arraycopy(priv, 0, both, 0, 32);
        System.arraycopy(pub, 0, both, 32, 32);
        string(file, both);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        string(blob, TYPE.getBytes(StandardCharsets.US_ASCII));
        string(blob, pub);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob.toByteArray());
            return new GuestHostKey(file.toByteArray(),
                    "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key file in base64, as the guest's boot script decodes it. */
    String fileBase64() {
        return Base64.getEncoder().encodeToString(dropbearFile);
    }

    private static void string(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 24);
        out.write(value.length >>> 16);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }
}
