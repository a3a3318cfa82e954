package dev.nube.engine.functions;

/** Invoke's X-Amz-Invocation-Type. */
public enum InvocationType {
    /** Synchronous: waits for the result (HTTP 200). */
    REQUEST_RESPONSE,
    /** Asynchronous: queued, retried twice on error (HTTP 202). */
    EVENT,
    /** Only checks the function exists and the caller may invoke it (HTTP 204). */
    DRY_RUN
}
