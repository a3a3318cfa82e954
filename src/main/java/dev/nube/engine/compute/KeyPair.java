package dev.nube.engine.compute;

import java.time.Instant;

/**
 * A key pair as EC2 lists it. {@code publicKey} is the OpenSSH line; {@code fingerprint} is what
 * {@code ssh-keygen -l} prints for it. {@code privateKeyKept} says whether Nube holds the private key (created here)
 * or only the public one (imported).
 */
public record KeyPair(String id, String name, KeyType type, int bits, String publicKey, String fingerprint,
                      Instant createdAt, boolean privateKeyKept) {
}
