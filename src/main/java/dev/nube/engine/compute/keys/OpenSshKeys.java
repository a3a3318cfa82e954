package dev.nube.engine.compute.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * Generates key pairs with the JDK and writes them in OpenSSH's own formats: the public key line and the
 * unencrypted {@code openssh-key-v1} private key that ssh, ssh-keygen and sshj read (PROTOCOL.key in OpenSSH).
 */
public final class OpenSshKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpenSshKeys() {
    }

    /** A new key: its public half, and the private key file's text. */
    public record Generated(SshPublicKey publicKey, String privateKeyPem) {
    }

    public static Generated generate(KeyType type, int bits, String comment) {
        try {
            return switch (type) {
                case ED25519 -> ed25519(comment);
                case RSA -> rsa(bits, comment);
                case ECDSA -> throw new IllegalArgumentException("Nube creates ed25519 and rsa keys; import ECDSA keys");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + type + " keys", e);
        }
    }

    private static Generated ed25519(String comment) throws GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] publicKey = rawEd25519(((EdECPublicKey) pair.getPublic()));
        byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes()
                .orElseThrow(() -> new GeneralSecurityException("Ed25519 private key without its bytes"));
        byte[] blob = new SshBuffer.Writer().string("ssh-ed25519").string(publicKey).toByteArray();
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(publicKey, 0, secret, 32, 32);
        byte[] privatePart = new SshBuffer.Writer().string("ssh-ed25519").string(publicKey).string(secret)
                .toByteArray();
        SshPublicKey key = new SshPublicKey(KeyType.ED25519, "ssh-ed25519", blob, 256, comment);
        return new Generated(key, privateKeyFile(blob, privatePart, comment));
    }

    /** The 32-byte little-endian encoding of RFC 8032: y with the sign of x in the top bit. */
    private static byte[] rawEd25519(EdECPublicKey key) {
        BigInteger y = key.getPoint().getY();
        byte[] bigEndian = y.toByteArray();
        byte[] raw = new byte[32];
        for (int i = 0; i < bigEndian.length && i < 32; i++) {
            raw[i] = bigEndian[bigEndian.length - 1 - i];
        }
        if (key.getPoint().isXOdd()) {
            raw[31] |= (byte) 0x80;
        }
        return raw;
    }

    private static Generated rsa(int bits, String comment) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits, RANDOM);
        KeyPair pair = generator.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) pair.getPrivate();
        byte[] blob = new SshBuffer.Writer().string("ssh-rsa").mpint(pub.getPublicExponent()).mpint(pub.getModulus())
                .toByteArray();
        byte[] privatePart = new SshBuffer.Writer().string("ssh-rsa").mpint(pub.getModulus())
                .mpint(pub.getPublicExponent()).mpint(priv.getPrivateExponent()).mpint(priv.getCrtCoefficient())
                .mpint(priv.getPrimeP()).mpint(priv.getPrimeQ()).toByteArray();
        SshPublicKey key = new SshPublicKey(KeyType.RSA, "ssh-rsa", blob, pub.getModulus().bitLength(), comment);
        return new Generated(key, privateKeyFile(blob, privatePart, comment));
    }

    private static String privateKeyFile(byte[] publicBlob, byte[] keyPart, String comment) {
        int check = RANDOM.nextInt();
        SshBuffer.Writer secret = new SshBuffer.Writer().uint32(check).uint32(check).raw(keyPart).string(comment);
        for (int pad = 1; secret.size() % 8 != 0; pad++) {
            secret.raw(new byte[] {(byte) pad});
        }
        byte[] body = new SshBuffer.Writer()
                .raw("openssh-key-v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .string("none").string("none").string(new byte[0])
                .uint32(1).string(publicBlob).string(secret.toByteArray())
                .toByteArray();
        String base64 = Base64.getEncoder().encodeToString(body);
        StringBuilder pem = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
        for (int i = 0; i < base64.length(); i += 70) {
            pem.append(base64, i, Math.min(base64.length(), i + 70)).append('\n');
        }
        return pem.append("-----END OPENSSH PRIVATE KEY-----\n").toString();
    }
}
