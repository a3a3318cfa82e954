package dev.nube.engine.functions;

import java.nio.charset.StandardCharsets;

/**
 * An Invoke call. {@code qualifier} is null or "$LATEST" for the working code, else a published version number.
 * {@code payload} must be JSON (empty means {@code {}}) of at most 6 MB; {@code clientContext} is passed to the
 * runtime as Lambda-Runtime-Client-Context (may be null). {@code logTail}: whether the result carries the last 4 KB
 * of the invocation's log (AWS's LogType Tail).
 */
public record InvokeRequest(String qualifier, InvocationType type, byte[] payload, String clientContext,
        boolean logTail) {
    /** AWS's limit for a synchronous request payload: 6 MB (6,291,456 bytes). */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

    public InvokeRequest {
        type = type == null ? InvocationType.REQUEST_RESPONSE : type;
        payload = payload == null ? new byte[0] : payload;
    }

    /** A request whose result carries the tail of the log. */
    public InvokeRequest(String qualifier, InvocationType type, byte[] payload, String clientContext) {
        this(qualifier, type, payload, clientContext, true);
    }

    public static InvokeRequest of(String json) {
        return new InvokeRequest(null, InvocationType.REQUEST_RESPONSE, json.getBytes(StandardCharsets.UTF_8), null);
    }

    public InvokeRequest qualified(String value) {
        return new InvokeRequest(value, type, payload, clientContext, logTail);
    }

    public InvokeRequest as(InvocationType value) {
        return new InvokeRequest(qualifier, value, payload, clientContext, logTail);
    }

    /**
     * The same request, with an empty log tail in its result (AWS's LogType None): the call then returns as soon as
     * the answer is in, and the log's END and REPORT lines follow the function's own output a moment later.
     */
    public InvokeRequest withoutLogTail() {
        return new InvokeRequest(qualifier, type, payload, clientContext, false);
    }
}
