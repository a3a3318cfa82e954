package dev.nube.engine;

import dev.nube.engine.store.EngineEvent;

/**
 * What the engine found out about this machine, in words for the status bar: which accelerator guests run on
 * (KVM or TCG, and why) and how functions are sandboxed. Until a service has checked, a field reads
 * {@value #NOT_CHECKED}.
 */
public record HostStatus(String accelerator, String sandbox) {
    public static final String NOT_CHECKED = "not checked yet";

    public static HostStatus unchecked() {
        return new HostStatus(NOT_CHECKED, NOT_CHECKED);
    }

    public HostStatus withAccelerator(String value) {
        return new HostStatus(value, sandbox);
    }

    public HostStatus withSandbox(String value) {
        return new HostStatus(accelerator, value);
    }

    /** Published when a field of the host status changes. */
    public record Changed(HostStatus status) implements EngineEvent {
    }
}
