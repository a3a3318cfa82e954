package dev.nube.engine.compute.qemu;

/**
 * The accelerator one guest runs on, {@code kvm} or {@code tcg}, with the reason in words (what the status bar and
 * the instance log show). Decided by {@link Accelerators}.
 */
public record Accelerator(String name, String description) {
    public static final Accelerator KVM = new Accelerator("kvm", "KVM (hardware virtualisation)");

    public boolean isKvm() {
        return name.equals("kvm");
    }

    /** TCG (QEMU's software emulation), saying why. */
    public static Accelerator tcg(String why) {
        return new Accelerator("tcg", "TCG (" + why + ")");
    }
}
