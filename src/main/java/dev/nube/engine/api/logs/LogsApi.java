package dev.nube.engine.api.logs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiProtocol;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.api.ApiServer;
import dev.nube.engine.api.SignatureV4;
import dev.nube.engine.store.Json;
import java.util.Map;

/**
 * CloudWatch Logs' JSON 1.1 protocol ({@code POST /} with {@code X-Amz-Target: Logs_20140328.Action}), for reading
 * functions' logs: the log group of a function is {@code /aws/lambda/NAME}, its streams are the function's.
 * Errors are {@code {"__type": ..., "message": ...}} at status 400.
 */
public final class LogsApi implements ApiProtocol {
    static final String TARGET_PREFIX = "Logs_20140328.";
    static final String JSON = "application/x-amz-json-1.1";

    private final Engine engine;

    public LogsApi(Engine engine) {
        this.engine = engine;
    }

    @Override
    public String signingName() {
        return "logs";
    }

    @Override
    public boolean claims(String method, String rawPath, Map<String, String> headers) {
        String target = headers.get("x-amz-target");
        return target != null && target.startsWith(TARGET_PREFIX);
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        String target = request.header("x-amz-target");
        String action = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length())
                : "-";
        try {
            return reject(400, "UnknownOperationException", "The action " + action + " is not served by Nube's"
                    + " CloudWatch Logs.", request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        } catch (EngineException e) {
            return reject(e.code().startsWith("Server") ? 500 : 400, e.code(), e.getMessage(), request.requestId())
                    .withHeader(ApiServer.ACTION_HEADER, action);
        }
    }

    @Override
    public ApiResponse refuse(SignatureV4.Problem problem, String message, String requestId) {
        String code = switch (problem) {
            case MISSING -> "MissingAuthenticationTokenException";
            case INCOMPLETE -> "IncompleteSignatureException";
            case UNKNOWN_KEY -> "UnrecognizedClientException";
            case MISMATCH, EXPIRED -> "InvalidSignatureException";
        };
        return reject(problem == SignatureV4.Problem.MISSING ? 400 : 403, code, message, requestId);
    }

    @Override
    public ApiResponse reject(int status, String code, String message, String requestId) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("__type", code);
        body.put("message", message);
        try {
            return new ApiResponse(status, JSON, Map.of("x-amzn-RequestId", requestId),
                    Json.mapper().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
