package dev.nube.engine.compute;

/** Key algorithms Nube creates or imports. */
public enum KeyType {
    ED25519("ed25519", "ssh-ed25519", "ED25519"),
    RSA("rsa", "ssh-rsa", "RSA"),
    ECDSA("ecdsa", "ecdsa-sha2-*", "ECDSA");

    private final String label;
    private final String sshName;
    private final String keygenName;

    KeyType(String label, String sshName, String keygenName) {
        this.label = label;
        this.sshName = sshName;
        this.keygenName = keygenName;
    }

    /** As the EC2 console shows it: {@code ed25519}, {@code rsa}. */
    public String label() {
        return label;
    }

    /** The OpenSSH key type name (for ECDSA the family; the curve names the exact one). */
    public String sshName() {
        return sshName;
    }

    /** As {@code ssh-keygen -l} writes it in brackets: {@code ED25519}, {@code RSA}, {@code ECDSA}. */
    public String keygenName() {
        return keygenName;
    }
}
