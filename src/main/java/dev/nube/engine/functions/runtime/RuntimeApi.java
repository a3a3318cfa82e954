package dev.nube.engine.functions.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nube.engine.store.Json;

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

    /**
     * How a POST was taken: the HTTP status and a JSON body, and what taking it does ({@code then}). The server runs
     * {@code then} after it wrote the reply (or failed to), and, when the runtime's next request already came whole
     * with the POST (a {@code GET /next} sent at once, pipelined), after that request: so the woken invoking thread
     * finds the runtime waiting.
     */
    record Reply(int status, String json, Runnable then) {
        private static final String OK = "{\"status\":\"OK\"}";
        public static final Reply ACCEPTED = new Reply(202, OK, () -> { });

        public Reply(int status, String json) {
            this(status, json, () -> { });
        }

        /** 202, then {@code then}. */
        public static Reply accepted(Runnable then) {
            return new Reply(202, OK, then);
        }

        public static Reply badRequest(String errorType, String message) {
            return error(400, errorType, message);
        }

        /** {@code status} with an error body: {@code {"errorMessage":...,"errorType":...}}. */
        public static Reply error(int status, String errorType, String message) {
            return new Reply(status, errorBody(errorType, message));
        }

        /** The body of every error the Runtime API answers, in AWS's field order; Jackson escapes the text. */
        static String errorBody(String errorType, String message) {
            try {
                return Json.oneLine().writeValueAsString(Json.mapper().createObjectNode()
                        .put("errorMessage", message).put("errorType", errorType));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("two strings always serialise", e);
            }
        }
    }

    /**
     * The runtime asks for the next invocation ({@code GET /runtime/invocation/next}); the first call also means the
     * runtime finished its init. Never waits for an invocation: when one is ready it is written through
     * {@code delivery} on this thread, else {@code delivery} is kept and the invoking thread writes to the runtime's
     * connection itself when the invocation comes, and for an event of up to 64 KiB reads the answer there too (no
     * thread wakes to hand either over). Returns true when the connection goes on, false when the environment is
     * going away (or has no function yet: a runtime started ahead asks only once it has one) and the connection
     * closes. An {@link java.io.IOException} from a delivery on this thread is passed on: the connection broke, and
     * the invocation goes to the runtime's next {@code GET /next}.
     */
    boolean next(Delivery delivery) throws java.io.IOException;

    /**
     * A {@code GET /next} that was not answered will not be: its connection closed (seen when its thread reads it
     * again), or the server closed. Its {@code delivery} must not be used from now on.
     */
    void nextAbandoned(Delivery delivery);

    /** Writes an invocation to the runtime that asked for it. */
    interface Delivery {
        /** Writes {@code next}; the runtime's next requests are read by its connection's thread. */
        void deliver(NextInvocation next) throws java.io.IOException;

        /**
         * Writes {@code next}, then reads and answers the runtime's requests on this thread until {@code answered}
         * is done (true), the deadline passes, the runtime asks for its next invocation without answering, or the
         * connection ends (false); false at once when the connection's own thread must read them (the connection is
         * to close after this answer). Reads end at the deadline however slowly the runtime sends. Throws an
         * {@link java.io.IOException} when the runtime did not get {@code next}: the write failed, or the runtime had
         * closed the connection (it gave up waiting); the invocation then goes to its next {@code GET /next}.
         * {@code beforeWaiting} (if not null) runs once, on this thread, when the runtime has sent nothing for a
         * moment (about a millisecond) and the wait goes on.
         */
        boolean deliverAndServe(NextInvocation next, java.util.concurrent.Future<?> answered, long deadlineNanos,
                Runnable beforeWaiting) throws java.io.IOException;

        /** This delivery will not be used (another GET /next took its place): its connection's thread reads on. */
        void release();
    }

    /** {@code POST /runtime/invocation/{id}/response}. */
    Reply response(String requestId, byte[] body);

    /** {@code POST /runtime/invocation/{id}/error}; {@code errorTypeHeader} is Lambda-Runtime-Function-Error-Type. */
    Reply error(String requestId, byte[] body, String errorTypeHeader);

    /** {@code POST /runtime/init/error}. */
    Reply initError(byte[] body, String errorTypeHeader);

    /** A response or error body over {@link #MAX_RESPONSE_BYTES} was refused (with 413) for {@code requestId}. */
    void responseTooLarge(String requestId, long bytes);
}
