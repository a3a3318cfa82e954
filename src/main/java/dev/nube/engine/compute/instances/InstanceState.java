package dev.nube.engine.compute.instances;

/**
 * EC2's instance states, and which requests each allows ({@link #allows}: the one rule that the engine's guard and
 * the console's buttons follow). A state is never stored: {@link #derive} computes it from what the user asked for,
 * the operation under way and the facts about the QEMU process.
 */
public enum InstanceState {
    PENDING("pending", 0),
    RUNNING("running", 16),
    SHUTTING_DOWN("shutting-down", 32),
    TERMINATED("terminated", 48),
    STOPPING("stopping", 64),
    STOPPED("stopped", 80);

    private final String awsName;
    private final int code;

    InstanceState(String awsName, int code) {
        this.awsName = awsName;
        this.code = code;
    }

    /** The name EC2 shows, e.g. {@code shutting-down}. */
    public String awsName() {
        return awsName;
    }

    /** EC2's numeric state code (16 = running). */
    public int code() {
        return code;
    }

    /** Whether a QEMU process may exist in this state. */
    public boolean hasProcess() {
        return this == PENDING || this == RUNNING || this == STOPPING || this == SHUTTING_DOWN;
    }

    /**
     * Whether an instance in this state may be asked {@code request}, as EC2 allows it: start a stopped one; stop a
     * pending or running one; reboot a running one; terminate any that is not already going or gone.
     */
    public boolean allows(InstanceRequest request) {
        return switch (request) {
            case START -> this == STOPPED;
            case STOP -> this == PENDING || this == RUNNING;
            case REBOOT -> this == RUNNING;
            case TERMINATE -> this != SHUTTING_DOWN && this != TERMINATED;
        };
    }

    /**
     * What the engine knows of an instance's QEMU at one moment: whether it holds it ({@code attached}), whether its
     * process is alive (by pid file and command line, attached or not), whether the guest's SSH banner came, and
     * whether QMP says the virtual machine cannot go on ({@code halted}: internal error or kernel panic; the engine
     * is ending it).
     */
    public record Facts(boolean attached, boolean processAlive, boolean sshReady, boolean halted) {
    }

    /**
     * The state of an instance whose document says {@code intent} with {@code operation} under way, given the facts.
     * A pure function: every combination is tested without QEMU.
     */
    static InstanceState derive(InstanceRecord.Intent intent, InstanceRecord.Operation operation, Facts facts) {
        if (intent == InstanceRecord.Intent.TERMINATED) {
            return operation == InstanceRecord.Operation.NONE ? TERMINATED : SHUTTING_DOWN;
        }
        if (operation == InstanceRecord.Operation.TERMINATING) {
            return SHUTTING_DOWN;
        }
        // An attached QEMU counts as alive until its exit is handled (the reason recorded, the cleanup done).
        if (!facts.attached() && !facts.processAlive()) {
            boolean starting = operation == InstanceRecord.Operation.LAUNCHING
                    || operation == InstanceRecord.Operation.STARTING;
            return starting && intent == InstanceRecord.Intent.RUNNING ? PENDING : STOPPED;
        }
        if (operation == InstanceRecord.Operation.STOPPING) {
            return STOPPING;
        }
        if (facts.halted()) {
            // Never running: a booted guest is being ended; a boot is being retried under TCG or ended.
            return facts.sshReady() ? STOPPING : PENDING;
        }
        if (operation == InstanceRecord.Operation.REBOOTING) {
            return RUNNING; // EC2 shows a rebooting instance as running
        }
        return facts.attached() && facts.sshReady() ? RUNNING : PENDING;
    }
}
