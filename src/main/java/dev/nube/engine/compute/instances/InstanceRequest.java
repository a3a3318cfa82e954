package dev.nube.engine.compute.instances;

/**
 * What a user can ask of an instance (EC2's Start/Stop/Reboot/TerminateInstances). Which requests a state allows
 * is {@link InstanceState#allows}, the one rule the engine's guard and the console's buttons both follow.
 */
public enum InstanceRequest {
    START("Start instance", "started"),
    STOP("Stop instance", "stopped"),
    REBOOT("Reboot instance", "rebooted"),
    TERMINATE("Terminate instance", "terminated");

    private final String label;
    private final String pastTense;

    InstanceRequest(String label, String pastTense) {
        this.label = label;
        this.pastTense = pastTense;
    }

    /** The action's name in the console's "Instance state" menu, as EC2's console names it. */
    public String label() {
        return label;
    }

    /** For messages: "cannot be <pastTense>". */
    public String pastTense() {
        return pastTense;
    }
}
