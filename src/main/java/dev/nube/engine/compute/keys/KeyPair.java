package dev.nube.engine.compute.keys;

import java.time.Instant;
import java.util.Optional;

/**
 * A key pair as EC2 lists it. {@code publicKey} is the OpenSSH line; {@code fingerprint} is what
 * {@code ssh-keygen -l} prints for it. {@code privateKeyKept} says whether Nube holds the private key (created here)
 * or only the public one (imported).
 */
public record KeyPair(String id, String name, KeyType type, int bits, String publicKey, String fingerprint,
                      Instant createdAt, boolean privateKeyKept) {

    /** What is wrong with a key pair name (EC2 allows 1 to 255 ASCII characters), or empty when it is fine. */
    public static Optional<String> nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("Enter a name for the key pair.");
        }
        if (name.length() > 255) {
            return Optional.of("A key pair name has at most 255 characters; this one has " + name.length() + ".");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.of("A key pair name may only hold ASCII letters, digits, spaces and punctuation; '"
                        + (c < 0x20 ? "\\u" + String.format("%04x", (int) c) : c) + "' is not allowed.");
            }
        }
        if (!name.equals(name.strip())) {
            return Optional.of("A key pair name cannot start or end with a space.");
        }
        return Optional.empty();
    }
}
