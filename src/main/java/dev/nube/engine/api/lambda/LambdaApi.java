package dev.nube.engine.api.lambda;

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
import java.util.function.Supplier;

/**
 * Lambda's REST-JSON protocol (2015-03-31 and the later dated paths): the action is the method and path, members are
 * JSON bodies, path segments and query parameters; errors carry Lambda's type in {@code X-Amzn-ErrorType} and a JSON
 * body with {@code Type} and {@code message}, at Lambda's status codes.
 */
public final class LambdaApi implements ApiProtocol {
    static final String JSON = "application/json";

    private final Engine engine;
    private final Supplier<String> baseUrl;

    /** @param baseUrl where the API is served now (for the code download links GetFunction hands out) */
    public LambdaApi(Engine engine, Supplier<String> baseUrl) {
        this.engine = engine;
        this.baseUrl = baseUrl;
    }

    @Override
    public String signingName() {
        return "lambda";
    }

    @Override
    public boolean claims(String method, String rawPath, Map<String, String> headers) {
        return rawPath.matches("/20\\d\\d-\\d\\d-\\d\\d/.*");
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        String action = "-";
        try {
            java.util.List<String> path = request.pathSegments();
            if (request.method().equals("GET") && path.size() == 2 && path.get(0).equals("2016-08-19")
                    && path.get(1).equals("account-settings")) {
                action = "GetAccountSettings";
                ObjectNode body = Json.mapper().createObjectNode();
                body.putObject("AccountLimit").put("ConcurrentExecutions", 1000);
                body.putObject("AccountUsage").put("FunctionCount",
                        engine.functions().list(request.region()).items().size());
                return json(200, body).withHeader(ApiServer.ACTION_HEADER, action);
            }
            return reject(404, "UnknownOperationException", "No Lambda action is served at " + request.method()
                    + " " + request.rawPath(), request.requestId());
        } catch (EngineException e) {
            return error(e.code(), e.getMessage(), request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        }
    }

    static ApiResponse json(int status, Object body) {
        try {
            return new ApiResponse(status, JSON, Map.of(), Json.mapper().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An engine refusal at the status Lambda gives its type; codes of the EC2 side become ServiceException. */
    ApiResponse error(String code, String message, String requestId) {
        int status = switch (code) {
            case "ResourceNotFoundException" -> 404;
            case "ResourceConflictException", "ResourceInUseException" -> 409;
            case "TooManyRequestsException" -> 429;
            case "RequestTooLargeException" -> 413;
            case "ServiceException", "StorageError", "Server.InternalError" -> 500;
            case "CodeStorageExceededException", "InvalidParameterValueException", "InvalidRequestContentException",
                    "InvalidZipFileException", "UnsupportedMediaTypeException", "PreconditionFailedException" -> 400;
            default -> code.endsWith("Exception") ? 400 : 500;
        };
        String type = status == 500 && !code.endsWith("Exception") ? "ServiceException" : code;
        return reject(status, type, message, requestId);
    }

    @Override
    public ApiResponse refuse(SignatureV4.Problem problem, String message, String requestId) {
        return switch (problem) {
            case MISSING -> reject(403, "MissingAuthenticationTokenException", message, requestId);
            case INCOMPLETE -> reject(403, "IncompleteSignatureException", message, requestId);
            case UNKNOWN_KEY -> reject(403, "UnrecognizedClientException", message, requestId);
            case MISMATCH, EXPIRED -> reject(403, "InvalidSignatureException", message, requestId);
        };
    }

    @Override
    public ApiResponse reject(int status, String code, String message, String requestId) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("Type", status >= 500 ? "Service" : "User");
        body.put("message", message);
        return json(status, body).withHeader("X-Amzn-ErrorType", code).withHeader("x-amzn-RequestId", requestId);
    }
}
