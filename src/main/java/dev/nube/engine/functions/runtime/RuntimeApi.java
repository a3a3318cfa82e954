package dev.nube.engine.functions.runtime;

/**
 * What one execution environment answers on the Lambda Runtime API (2018-06-01). The {@link RuntimeApiServer} calls
 * these from its connection threads; implementations are thread-safe.
 */
public interface RuntimeApi {
    /** Limit of a response or error body, as AWS's 6 MB synchronous response (6,291,556 bytes). */
    long MAX_RESPONSE_BYTES = 6_291_556;

    /** An invocation handed to the runtime by {@code GET /runtime/invocation/next}. */
    record NextInvocation(String requestId, long deadlineEpochMillis, String invokedFunctionArn, String traceId,
            String clientContext, String cognitoIdentity, byte[] payload) {
    }

    /** How a POST was taken: the HTTP status and a JSON body. */
    record Reply(int status, String json) {
        public static final Reply ACCEPTED = new Reply(202, "{\"status\":\"OK\"}");

        public static Reply badRequest(String errorType, String message) {
            return new Reply(400, "{\"errorMessage\":\"" + message.replace("\"", "'") + "\",\"errorType\":\""
                    + errorType + "\"}");
        }
    }

    /**
     * Blocks until the environment has an invocation for the runtime, and returns it; the first call also means the
     * runtime finished its init. Returns null when the environment is going away (the connection is then closed).
     */
    NextInvocation next() throws InterruptedException;

    /** {@code POST /runtime/invocation/{id}/response}. */
    Reply response(String requestId, byte[] body);

    /** {@code POST /runtime/invocation/{id}/error}; {@code errorTypeHeader} is Lambda-Runtime-Function-Error-Type. */
    Reply error(String requestId, byte[] body, String errorTypeHeader);

    /** {@code POST /runtime/init/error}. */
    Reply initError(byte[] body, String errorTypeHeader);

    /** A response or error body over {@link #MAX_RESPONSE_BYTES} was refused (with 413) for {@code requestId}. */
    void responseTooLarge(String requestId, long bytes);
}
