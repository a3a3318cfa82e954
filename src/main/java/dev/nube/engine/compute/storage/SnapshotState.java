package dev.nube.engine.compute.storage;

import java.util.Locale;

/** EC2's snapshot states. A snapshot whose making failed or was cancelled is removed, not left in {@code error}. */
public enum SnapshotState {
    PENDING, COMPLETED, ERROR;

    public String awsName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
