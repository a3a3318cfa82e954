package dev.nube.engine.api;

import java.util.Map;
import java.util.Optional;

/**
 * One AWS service's door on the API server (EC2's Query protocol, Lambda's REST-JSON, CloudWatch Logs' JSON): which
 * requests are its own, how it answers them, and how it words a refusal in its own dialect. Implementations are
 * thread-safe: requests arrive on many threads at once.
 */
public interface ApiProtocol {
    /** The service name in a signature's credential scope, e.g. {@code ec2}. */
    String signingName();

    /**
     * Whether a request that names no service in a readable signature looks like one of this service's (by path,
     * {@code X-Amz-Target} or body), so its refusal is worded as this service words it.
     */
    boolean claims(String method, String rawPath, Map<String, String> headers);

    /** Answers a request whose signature was accepted. Never throws: a failure is an error answer. */
    ApiResponse handle(ApiRequest request);

    /** The answer to a request whose signature was not accepted. */
    ApiResponse refuse(SignatureV4.Problem problem, String message, String requestId);

    /** The answer to a request this service cannot serve at all (an unknown region, say), with a client error code. */
    ApiResponse reject(int status, String code, String message, String requestId);

    /**
     * Answers a request that carries its own proof instead of a signature (a download link this service handed
     * out, say), if this is one; empty for every other request, which then must be signed.
     */
    default Optional<ApiResponse> unsigned(String method, String rawPath, String rawQuery) {
        return Optional.empty();
    }
}
