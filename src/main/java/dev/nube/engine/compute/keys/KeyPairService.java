package dev.nube.engine.compute.keys;

import dev.nube.engine.store.Listing;
import java.nio.file.Path;

/** Key pairs per region (EC2 CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair). Thread-safe. */
public interface KeyPairService {
    /** RSA sizes Nube creates; ed25519 has one size. */
    int[] RSA_BITS = {2048, 4096};

    /** A new key pair, with its private key's text (offered to the user once; also kept 0600 for SSH). */
    record Created(KeyPair keyPair, String privateKeyPem) {
    }

    /** Creates a key pair; {@code bits} matters only for RSA (2048 or 4096). */
    Created create(String region, String name, KeyType type, int bits);

    /** Imports a public key in OpenSSH form; Nube then holds no private key for it. */
    KeyPair importPublicKey(String region, String name, String publicKeyText);

    Listing<KeyPair> list(String region);

    /** By id or by name; throws {@code InvalidKeyPair.NotFound}. */
    KeyPair get(String region, String idOrName);

    /**
     * The private key file Nube keeps for a key pair it created (mode 0600), for SSH logins; throws
     * {@code InvalidKeyPair.NoPrivateKey} for an imported key.
     */
    Path privateKeyFile(String region, String id);

    /** Writes the private key to {@code target} with mode 0600, replacing it atomically. */
    void savePrivateKey(String region, String id, Path target);

    void delete(String region, String id);
}
