package dev.nube.engine.compute.keys;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * Generates key pairs and writes them in OpenSSH's own formats: the public key line and the unencrypted
 * {@code openssh-key-v1} private key that ssh, ssh-keygen and sshj read (PROTOCOL.key in OpenSSH). BouncyCastle makes
 * the Ed25519 keys and encodes the public keys; the private key file is Nube's own writing (see
 * {@link #privateKeyFile}). Stateless and thread-safe.
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
                case ECDSA -> throw new IllegalArgumentException(
                        "Nube creates ed25519 and rsa keys; import ECDSA keys");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate " + type + " keys", e);
        }
    }

    private static Generated ed25519(String comment) {
        Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(RANDOM);
        Ed25519PublicKeyParameters publicKey = privateKey.generatePublicKey();
        byte[] blob = publicBlob(publicKey);
        byte[] raw = publicKey.getEncoded();
        byte[] privatePart = new SshBuffer.Writer().string("ssh-ed25519").string(raw)
                .string(ed25519Secret(privateKey, raw)).toByteArray();
        SshPublicKey key = new SshPublicKey(KeyType.ED25519, "ssh-ed25519", blob, 256, comment);
        return new Generated(key, privateKeyFile(blob, privatePart, comment));
    }

    /** An Ed25519 key in dropbear's own file format ({@code string "ssh-ed25519", string seed||pub}), and its public key. */
    public record DropbearKey(byte[] file, SshPublicKey publicKey) {
    }

    /** A new Ed25519 host key for dropbear. */
    public static DropbearKey dropbearEd25519() {
        Ed25519PrivateKeyParameters privateKey = new Ed25519PrivateKeyParameters(RANDOM);
        Ed25519PublicKeyParameters publicKey = privateKey.generatePublicKey();
        byte[] file = new SshBuffer.Writer().string("ssh-ed25519").string(ed25519Secret(privateKey,
                publicKey.getEncoded())).toByteArray();
        return new DropbearKey(file, new SshPublicKey(KeyType.ED25519, "ssh-ed25519", publicBlob(publicKey), 256,
                ""));
    }

    /** The seed and the public key together, as OpenSSH and dropbear keep an Ed25519 secret. */
    private static byte[] ed25519Secret(Ed25519PrivateKeyParameters privateKey, byte[] raw) {
        byte[] secret = new byte[64];
        System.arraycopy(privateKey.getEncoded(), 0, secret, 0, 32);
        System.arraycopy(raw, 0, secret, 32, 32);
        return secret;
    }

    private static Generated rsa(int bits, String comment) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits, RANDOM);
        KeyPair pair = generator.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) pair.getPrivate();
        byte[] blob = publicBlob(new RSAKeyParameters(false, pub.getModulus(), pub.getPublicExponent()));
        byte[] privatePart = new SshBuffer.Writer().string("ssh-rsa").mpint(pub.getModulus())
                .mpint(pub.getPublicExponent()).mpint(priv.getPrivateExponent()).mpint(priv.getCrtCoefficient())
                .mpint(priv.getPrimeP()).mpint(priv.getPrimeQ()).toByteArray();
        SshPublicKey key = new SshPublicKey(KeyType.RSA, "ssh-rsa", blob, pub.getModulus().bitLength(), comment);
        return new Generated(key, privateKeyFile(blob, privatePart, comment));
    }

    private static byte[] publicBlob(AsymmetricKeyParameter publicKey) {
        try {
            return OpenSSHPublicKeyUtil.encodePublicKey(publicKey);
        } catch (IOException e) {
            throw new IllegalStateException("an Ed25519 or RSA public key always encodes", e);
        }
    }

    /**
     * The {@code openssh-key-v1} file, written here rather than by BouncyCastle's
     * {@code OpenSSHPrivateKeyUtil.encodePrivateKey}, which does not cover Nube's case: it writes this format for
     * Ed25519 only (RSA comes out as PKCS#1) and always with an empty comment. Nube writes both kinds one way, with
     * the key pair's name as the comment that {@code ssh-keygen -y} and {@code ssh-add -l} show.
     */
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
