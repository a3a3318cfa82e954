package dev.nube.engine.functions.sandbox;

/** How the runtime of an environment answered an invocation (or its init). */
public sealed interface RuntimeOutcome {
    /** POST /response. {@code atNanos} is System.nanoTime() when it arrived. */
    record Response(byte[] body, long atNanos) implements RuntimeOutcome {
    }

    /** POST /error, with the Lambda-Runtime-Function-Error-Type header (may be null). */
    record ErrorResponse(byte[] body, String errorTypeHeader, long atNanos) implements RuntimeOutcome {
    }

    /** A response or error body over 6 MB was refused. */
    record ResponseTooLarge(long bytes, long atNanos) implements RuntimeOutcome {
    }

    /** POST /runtime/init/error. */
    record InitError(byte[] body, String errorTypeHeader) implements RuntimeOutcome {
    }

    /**
     * The sandbox process exited; {@code outOfMemory} when its memory limit killed it, {@code processLimitReached}
     * when it had reached its limit of processes and threads by then.
     */
    record Exited(int exitCode, boolean outOfMemory, boolean processLimitReached) implements RuntimeOutcome {
        /** As AWS words it after "Runtime exited with error: ": "signal: killed" or "exit status 1". */
        public String describe() {
            if (exitCode > 128) {
                int signal = exitCode - 128;
                String name = switch (signal) {
                    case 1 -> "hangup";
                    case 2 -> "interrupt";
                    case 6 -> "aborted";
                    case 9 -> "killed";
                    case 11 -> "segmentation fault";
                    case 15 -> "terminated";
                    default -> "signal " + signal;
                };
                return "signal: " + name;
            }
            return "exit status " + exitCode;
        }
    }

    /** The environment's init failed or it went away before answering; carries the outcome that says why. */
    final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient RuntimeOutcome outcome;

        public Failure(RuntimeOutcome outcome) {
            super(outcome.toString(), null, false, false);
            this.outcome = outcome;
        }

        public RuntimeOutcome outcome() {
            return outcome;
        }
    }
}
