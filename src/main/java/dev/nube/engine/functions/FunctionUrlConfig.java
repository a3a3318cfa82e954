package dev.nube.engine.functions;

import java.time.Instant;

/**
 * A function URL as stored beside its function ({@code functions/<fn-id>/url.json} for $LATEST's,
 * {@code url-<alias>.json} for an alias's, so it goes when the function does): the URL's id (the first label of its
 * host, fixed for the URL's life), who may call it, its CORS settings and when it was made and last changed.
 *
 * @param urlId      32 lower-case letters and digits, as Lambda's url-id
 * @param cors       null when the URL has no CORS settings
 * @param invokeMode always {@link #BUFFERED}: the response is sent when the function has answered
 */
public record FunctionUrlConfig(String urlId, AuthType authType, FunctionUrlCors cors, String invokeMode,
        Instant createdAt, Instant lastModified) {
    public static final String BUFFERED = "BUFFERED";
    public static final String RESPONSE_STREAM = "RESPONSE_STREAM";

    /** Who may call a function URL. */
    public enum AuthType {
        /** Anyone who can reach the endpoint (on Nube: anything on this machine's loopback). */
        NONE,
        /** Only requests signed (Signature Version 4, service lambda) with one of Nube's access keys. */
        AWS_IAM
    }

    public FunctionUrlConfig {
        invokeMode = invokeMode == null ? BUFFERED : invokeMode;
        cors = cors == null || cors.isEmpty() ? null : cors;
    }

    FunctionUrlConfig changed(AuthType newAuthType, FunctionUrlCors newCors, Instant now) {
        return new FunctionUrlConfig(urlId, newAuthType, newCors, invokeMode, createdAt, now);
    }
}
