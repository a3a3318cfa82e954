package dev.nube.engine.compute;

/** What can happen to an instance: a request from the user, or a fact the engine observed. */
public enum InstanceEvent {
    /** StartInstances. */
    START("started"),
    /** StopInstances. */
    STOP("stopped"),
    /** RebootInstances. */
    REBOOT("rebooted"),
    /** TerminateInstances. */
    TERMINATE("terminated"),
    /** The guest's SSH server answered with its banner. */
    SSH_READY("marked ready"),
    /** The QEMU process is gone (powered off, killed or crashed). */
    PROCESS_EXITED("marked exited"),
    /** The instance's disks and files are deleted. */
    TERMINATION_DONE("marked terminated");

    private final String pastTense;

    InstanceEvent(String pastTense) {
        this.pastTense = pastTense;
    }

    /** For messages: "cannot be <pastTense>". */
    public String pastTense() {
        return pastTense;
    }
}
