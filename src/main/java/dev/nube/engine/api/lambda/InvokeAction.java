package dev.nube.engine.api.lambda;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.functions.InvocationResult;
import dev.nube.engine.functions.InvocationType;
import dev.nube.engine.functions.InvokeRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lambda's Invoke: the payload is the body; the qualifier names $LATEST, a version or an alias (X-Amz-Executed-Version
 * says which version ran); X-Amz-Invocation-Type chooses RequestResponse (200, the function's
 * answer), Event (202, queued) or DryRun (204); {@code X-Amz-Log-Type: Tail} returns the invocation's last 4 KB of
 * log in X-Amz-Log-Result; a function that failed answers 200 with X-Amz-Function-Error and its error document.
 * Stateless; thread-safe (an invocation blocks its connection's thread until the function answers).
 */
final class InvokeAction {
    private final Engine engine;

    InvokeAction(Engine engine) {
        this.engine = engine;
    }

    ApiResponse invoke(ApiRequest request, String functionName) {
        FunctionRef ref = FunctionRef.parse(functionName, request.region(), request.query().get("Qualifier"));
        InvocationType type = type(request.header("x-amz-invocation-type"));
        String logType = request.header("x-amz-log-type");
        if (logType != null && !logType.equals("None") && !logType.equals("Tail")) {
            throw new EngineException("InvalidParameterValueException", "X-Amz-Log-Type is None or Tail; '" + logType
                    + "' is neither.");
        }
        if (request.body().length > InvokeRequest.MAX_PAYLOAD_BYTES) {
            throw new EngineException("RequestTooLargeException", "Request must be smaller than "
                    + InvokeRequest.MAX_PAYLOAD_BYTES + " bytes for the InvokeFunction operation");
        }
        String qualifier = ref.latest() ? null : ref.qualifier(); // a version or an alias: the engine resolves it
        InvocationResult result = engine.functions().invoke(request.region(), ref.name(), new InvokeRequest(qualifier,
                type, request.body(), clientContext(request.header("x-amz-client-context")), "Tail".equals(logType)));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-RequestId", result.requestId() == null ? request.requestId() : result.requestId());
        if (type == InvocationType.EVENT) {
            return new ApiResponse(202, LambdaApi.JSON, headers, new byte[0]);
        }
        if (type == InvocationType.DRY_RUN) {
            return new ApiResponse(204, LambdaApi.JSON, headers, new byte[0]);
        }
        headers.put("X-Amz-Executed-Version", result.executedVersion() == null ? "$LATEST"
                : result.executedVersion());
        if (result.functionError() != null) {
            headers.put("X-Amz-Function-Error", result.functionError());
        }
        if ("Tail".equals(logType)) {
            headers.put("X-Amz-Log-Result", Base64.getEncoder().encodeToString(result.logTail()
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return new ApiResponse(result.statusCode(), LambdaApi.JSON, headers, result.payload());
    }

    private static InvocationType type(String header) {
        if (header == null || header.equals("RequestResponse")) {
            return InvocationType.REQUEST_RESPONSE;
        }
        return switch (header) {
            case "Event" -> InvocationType.EVENT;
            case "DryRun" -> InvocationType.DRY_RUN;
            default -> throw new EngineException("InvalidParameterValueException", "X-Amz-Invocation-Type is"
                    + " RequestResponse, Event or DryRun; '" + header + "' is none of them.");
        };
    }

    /** X-Amz-Client-Context is base64 of a JSON document; the runtime gets the document. */
    private static String clientContext(String header) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(header), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EngineException("InvalidRequestContentException", "X-Amz-Client-Context must be base64: "
                    + e.getMessage());
        }
    }
}
