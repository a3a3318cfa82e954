package dev.nube.engine.compute.instances;

import dev.nube.engine.compute.keys.OpenSshKeys;
import java.util.Base64;

/**
 * An Ed25519 SSH host key made by the engine for a restored guest, which would otherwise spend half a second of
 * emulated CPU making its own: the key file as dropbear keeps it, and the public key's fingerprint as
 * {@code ssh-keygen -l} prints it. Handed to the guest over its wake port (a serial port only root reads in the
 * guest), never through the metadata service; the engine writes only the fingerprint down.
 */
record GuestHostKey(byte[] dropbearFile, String fingerprint) {
    static GuestHostKey generate() {
        OpenSshKeys.DropbearKey key = OpenSshKeys.dropbearEd25519();
        return new GuestHostKey(key.file(), key.publicKey().fingerprint());
    }

    /** The key file in base64, as the guest's boot script decodes it. */
    String fileBase64() {
        return Base64.getEncoder().encodeToString(dropbearFile);
    }
}
