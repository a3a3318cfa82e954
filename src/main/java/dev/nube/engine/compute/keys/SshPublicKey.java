package dev.nube.engine.compute.keys;

import dev.nube.engine.EngineException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * An OpenSSH public key, as in an {@code id_ed25519.pub} or {@code authorized_keys} line, checked down to its
 * structure, numbers and point. {@link #parse} turns every way a pasted key can be wrong into a message saying what
 * is wrong. Immutable.
 */
public record SshPublicKey(KeyType type, String algorithm, byte[] blob, int bits, String comment) {
    private static final Map<String, Integer> ECDSA_CURVES = Map.of(
            "nistp256", 256, "nistp384", 384, "nistp521", 521);
    private static final String ACCEPTED = "ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256/384/521";

    public SshPublicKey {
        blob = blob.clone();
        comment = comment == null ? "" : comment;
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /** {@code SHA256:} and the unpadded base64 of the key's SHA-256, as {@code ssh-keygen -l} prints it. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The single line to put in {@code authorized_keys}: algorithm, base64 and the comment if any. */
    public String toOpenSsh() {
        String line = algorithm + " " + Base64.getEncoder().encodeToString(blob);
        return comment.isEmpty() ? line : line + " " + comment;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SshPublicKey key && Arrays.equals(blob, key.blob) && comment.equals(key.comment);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob) * 31 + comment.hashCode();
    }

    @Override
    public String toString() {
        return algorithm + " " + fingerprint();
    }

    /** Parses a pasted public key; throws {@code InvalidKey.Format} with a specific reason when it is not one. */
    public static SshPublicKey parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid("Paste a public key: one line starting with " + ACCEPTED + ".");
        }
        if (text.contains("PRIVATE KEY")) {
            throw invalid("This is a private key. Import the public key instead: the .pub file next to it"
                    + " (ssh-keygen -y -f KEYFILE prints it). Never share a private key.");
        }
        if (text.contains("BEGIN SSH2 PUBLIC KEY") || text.contains("BEGIN PUBLIC KEY")) {
            throw invalid("This public key is in PEM/RFC 4716 form. Convert it to OpenSSH form with"
                    + " ssh-keygen -i -f KEYFILE and paste the line it prints.");
        }
        List<String> lines = text.strip().lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        if (lines.size() != 1) {
            throw invalid("Paste exactly one public key; this text holds " + lines.size() + " lines.");
        }
        String[] parts = lines.get(0).split("\\s+", 3);
        String algorithm = parts[0];
        if (!isSupported(algorithm)) {
            if (parts.length > 1 && isSupported(parts[1])) {
                throw invalid("Key options before the key type (as in authorized_keys) are not accepted;"
                        + " paste the key starting at " + parts[1] + ".");
            }
            throw invalid("'" + abbreviate(algorithm) + "' is not a supported key type. Nube accepts "
                    + ACCEPTED + ".");
        }
        if (parts.length < 2) {
            throw invalid("The key data is missing after " + algorithm + ".");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw invalid("The key data is not valid base64: the key was probably cut off or changed while"
                    + " copying.");
        }
        String comment = parts.length > 2 ? parts[2] : "";
        try {
            return decode(algorithm, blob, comment);
        } catch (SshBuffer.Truncated e) {
            throw invalid("The key is truncated: its data ends early. Copy the whole line again.");
        }
    }

    /**
     * Decodes a key blob; {@code algorithm} is what the text claims it is. Nube reads the structure itself first, so
     * that each way it can be wrong gets its own message: BouncyCastle's parser does not cover that (it says "not
     * enough data for block" and the like, reads negative numbers as positive and fails on an unknown curve name with
     * a NullPointerException). BouncyCastle then decodes the key, which checks what Nube does not: that an Ed25519 or
     * ECDSA point is on its curve and that an RSA modulus is odd, without small factors.
     */
    static SshPublicKey decode(String algorithm, byte[] blob, String comment) {
        SshBuffer.Reader in = new SshBuffer.Reader(blob);
        String inner = in.utf8();
        if (!inner.equals(algorithm)) {
            throw invalid("The key data is a " + abbreviate(inner) + " key but the line says " + algorithm + ".");
        }
        KeyType type;
        int bits;
        if (algorithm.equals("ssh-ed25519")) {
            type = KeyType.ED25519;
            if (in.string().length != 32) {
                throw invalid("An ssh-ed25519 key is 32 bytes long; this one is not.");
            }
            bits = 256;
        } else if (algorithm.equals("ssh-rsa")) {
            type = KeyType.RSA;
            BigInteger e = in.mpint();
            BigInteger n = in.mpint();
            bits = n.bitLength();
            if (e.signum() <= 0 || !e.testBit(0) || n.signum() <= 0) {
                throw invalid("The RSA key's numbers are not valid.");
            }
            if (bits < 1024 || bits > 16384) {
                throw invalid("RSA keys must have 1024 to 16384 bits; this one has " + bits + ".");
            }
        } else {
            type = KeyType.ECDSA;
            String curve = in.utf8();
            Integer curveBits = ECDSA_CURVES.get(curve);
            if (curveBits == null || !algorithm.equals("ecdsa-sha2-" + curve)) {
                throw invalid("The key names curve '" + abbreviate(curve) + "', which does not match "
                        + algorithm + ".");
            }
            byte[] point = in.string();
            int coordinate = (curveBits + 7) / 8;
            if (point.length != 1 + 2 * coordinate || point[0] != 4) {
                throw invalid("The ECDSA key's point is not a valid uncompressed " + curve + " point.");
            }
            bits = curveBits;
        }
        if (!in.atEnd()) {
            throw invalid("The key data has extra bytes after the key: it is not a valid " + algorithm + " key.");
        }
        try {
            OpenSSHPublicKeyUtil.parsePublicKey(blob);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw invalid(switch (type) {
                case ED25519 -> "The ssh-ed25519 key is not a point of its curve: the key was changed.";
                case RSA -> "The RSA key's numbers are not valid.";
                case ECDSA -> "The ECDSA key's point is not a valid uncompressed " + algorithm.substring(11)
                        + " point.";
            });
        }
        return new SshPublicKey(type, algorithm, blob, bits, comment);
    }

    private static boolean isSupported(String algorithm) {
        return algorithm.equals("ssh-ed25519") || algorithm.equals("ssh-rsa")
                || (algorithm.startsWith("ecdsa-sha2-") && ECDSA_CURVES.containsKey(algorithm.substring(11)));
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static EngineException invalid(String message) {
        return new EngineException("InvalidKey.Format", message);
    }
}
