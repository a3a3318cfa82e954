package dev.nube.engine.functions;

import java.nio.charset.StandardCharsets;

/**
 * What Invoke returns. For RequestResponse everything is filled; for Event only {@code statusCode} 202 and the
 * request id; for DryRun 204.
 *
 * @param payload         the function's response, or the error document when {@code error} is set
 * @param error           null when the function succeeded
 * @param logTail         the last 4 KB of the invocation's log (X-Amz-Log-Result), START to REPORT
 * @param durationMs      from handing the event to the runtime until its answer
 * @param billedDurationMs the duration rounded up to the next millisecond
 * @param maxMemoryUsedMb measured peak of the environment (cgroup peak or the watchdog's samples)
 * @param initDurationMs  the cold start's init phase, null on a warm start
 * @param logStream       the log stream the invocation's lines went to
 */
public record InvocationResult(String requestId, int statusCode, byte[] payload, FunctionError error, String logTail,
        double durationMs, long billedDurationMs, int memorySizeMb, long maxMemoryUsedMb, Double initDurationMs,
        String executedVersion, String logStream) {
    public InvocationResult {
        payload = payload == null ? new byte[0] : payload;
        logTail = logTail == null ? "" : logTail;
    }

    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** X-Amz-Function-Error, or null. */
    public String functionError() {
        return error == null ? null : error.kind();
    }

    public boolean coldStart() {
        return initDurationMs != null;
    }

    static InvocationResult accepted(String requestId, int statusCode) {
        return new InvocationResult(requestId, statusCode, new byte[0], null, "", 0, 0, 0, 0, null, null, null);
    }
}
