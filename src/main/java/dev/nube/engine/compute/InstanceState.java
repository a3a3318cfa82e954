package dev.nube.engine.compute;

import java.util.Optional;

/**
 * EC2's instance states and the transitions between them. {@link #on} is the one guard every operation goes through:
 * it returns the state an event leads to, or throws {@link IllegalTransition} naming the state. The state of an
 * instance is never stored: the engine derives it from the QEMU process, QMP and the guest's SSH banner.
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

    /** The state {@code event} leads to from this one; throws {@link IllegalTransition} if it is not allowed. */
    public InstanceState on(InstanceEvent event) {
        return next(event).orElseThrow(() -> new IllegalTransition(this, event));
    }

    /** The state {@code event} leads to, or empty if the event is not allowed in this state. */
    public Optional<InstanceState> next(InstanceEvent event) {
        InstanceState to = switch (this) {
            case PENDING -> switch (event) {
                case STOP -> STOPPING;
                case TERMINATE -> SHUTTING_DOWN;
                case SSH_READY -> RUNNING;
                case PROCESS_EXITED -> STOPPED;
                case START, REBOOT, TERMINATION_DONE -> null;
            };
            case RUNNING -> switch (event) {
                case STOP -> STOPPING;
                case REBOOT, SSH_READY -> RUNNING; // EC2 shows a rebooting instance as running
                case TERMINATE -> SHUTTING_DOWN;
                case PROCESS_EXITED -> STOPPED;
                case START, TERMINATION_DONE -> null;
            };
            case STOPPING -> switch (event) {
                case TERMINATE -> SHUTTING_DOWN;
                case PROCESS_EXITED -> STOPPED;
                case SSH_READY -> STOPPING; // a banner that raced the stop changes nothing
                case START, STOP, REBOOT, TERMINATION_DONE -> null;
            };
            case STOPPED -> switch (event) {
                case START -> PENDING;
                case TERMINATE -> SHUTTING_DOWN;
                case PROCESS_EXITED -> STOPPED;
                case STOP, REBOOT, SSH_READY, TERMINATION_DONE -> null;
            };
            case SHUTTING_DOWN -> switch (event) {
                case TERMINATION_DONE -> TERMINATED;
                case PROCESS_EXITED, SSH_READY -> SHUTTING_DOWN;
                case START, STOP, REBOOT, TERMINATE -> null;
            };
            case TERMINATED -> null;
        };
        return Optional.ofNullable(to);
    }

    /** An event that is not allowed in the current state. */
    public static final class IllegalTransition extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final InstanceState state;
        private final InstanceEvent event;

        IllegalTransition(InstanceState state, InstanceEvent event) {
            super("an instance that is " + state.awsName + " cannot be " + event.pastTense());
            this.state = state;
            this.event = event;
        }

        public InstanceState state() {
            return state;
        }

        public InstanceEvent event() {
            return event;
        }
    }
}
