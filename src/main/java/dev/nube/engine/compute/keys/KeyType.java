package dev.nube.engine.compute.keys;

/** Key algorithms Nube creates or imports. */
public enum KeyType {
    ED25519("ed25519", "ED25519"),
    RSA("rsa", "RSA"),
    ECDSA("ecdsa", "ECDSA");

    private final String label;
    private final String keygenName;

    KeyType(String label, String keygenName) {
        this.label = label;
        this.keygenName = keygenName;
    }

    /** As the EC2 console shows it: {@code ed25519}, {@code rsa}. */
    public String label() {
        return label;
    }

    /** As {@code ssh-keygen -l} writes it in brackets: {@code ED25519}, {@code RSA}, {@code ECDSA}. */
    public String keygenName() {
        return keygenName;
    }
}
