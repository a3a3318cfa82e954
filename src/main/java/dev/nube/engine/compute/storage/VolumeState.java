package dev.nube.engine.compute.storage;

import java.util.Locale;

/** EC2's volume states. */
public enum VolumeState {
    CREATING, AVAILABLE, IN_USE, DELETING, ERROR;

    /** As EC2 writes it: {@code in-use}, {@code available}, ... */
    public String awsName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
