package dev.nube.engine.compute.qemu;

/** The accelerator setting: let Nube decide (the default), or always one of the two. */
public enum AcceleratorMode {
    /** KVM where it really runs the guest kernel, else TCG; a guest that fails under KVM is relaunched under TCG. */
    AUTO("Automatic"),
    /** Always KVM: a guest that fails under it shows the failure on the instance instead of falling back. */
    KVM("KVM"),
    /** Always TCG (software emulation; slower, works everywhere). */
    TCG("TCG");

    private final String label;

    AcceleratorMode(String label) {
        this.label = label;
    }

    /** The name the console shows. */
    public String label() {
        return label;
    }
}
