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
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lambda's REST-JSON protocol (2015-03-31 and the later dated paths): the action is the method and path, members are
 * JSON bodies, path segments and query parameters; errors carry Lambda's type in {@code X-Amzn-ErrorType} and a JSON
 * body with {@code Type} and {@code message}, at Lambda's status codes. Serves the function actions
 * ({@link FunctionActions}), aliases ({@link AliasActions}), Invoke ({@link InvokeAction}), function URLs
 * ({@link FunctionUrlActions}), GetAccountSettings, and, unsigned, the code download links GetFunction hands out
 * ({@link CodeLinks}). Thread-safe.
 */
public final class LambdaApi implements ApiProtocol {
    static final String JSON = "application/json";

    private final Engine engine;
    private final CodeLinks links = new CodeLinks(Clock.systemUTC());
    private final FunctionActions functions;
    private final InvokeAction invoke;
    private final AliasActions aliases;
    private final FunctionUrlActions urls;
    private final LayerActions layers;

    /** @param baseUrl where the API is served now (for the code download links GetFunction hands out) */
    public LambdaApi(Engine engine, Supplier<String> baseUrl) {
        this.engine = engine;
        this.functions = new FunctionActions(engine, links, baseUrl);
        this.invoke = new InvokeAction(engine);
        this.aliases = new AliasActions(engine);
        this.urls = new FunctionUrlActions(engine);
        this.layers = new LayerActions(engine::layers, links, baseUrl);
    }

    @Override
    public String signingName() {
        return "lambda";
    }

    @Override
    public boolean claims(String method, String rawPath, Map<String, String> headers) {
        return rawPath.matches("/20\\d\\d-\\d\\d-\\d\\d/.*");
    }

    /** One routed request: the action's name (for the request log) and how to answer it. */
    private record Route(String action, Supplier<ApiResponse> answer) {
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        String action = "-";
        try {
            Route route = route(request);
            if (route == null) {
                return reject(404, "UnknownOperationException", "No Lambda action is served at " + request.method()
                        + " " + request.rawPath(), request.requestId());
            }
            action = route.action();
            ApiResponse response = route.answer().get();
            if (!response.headers().containsKey("x-amzn-RequestId")) {
                response = response.withHeader("x-amzn-RequestId", request.requestId());
            }
            return response.withHeader(ApiServer.ACTION_HEADER, action);
        } catch (EngineException e) {
            return error(e.code(), e.getMessage(), request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        }
    }

    /** The action at the request's method and path, or null. */
    private Route route(ApiRequest request) {
        List<String> path = request.pathSegments();
        String method = request.method();
        if (path.size() < 2 || !path.get(0).matches("20\\d\\d-\\d\\d-\\d\\d")) {
            return null;
        }
        String date = path.get(0);
        if (path.get(1).equals("account-settings") && path.size() == 2 && method.equals("GET")) {
            return new Route("GetAccountSettings", () -> accountSettings(request));
        }
        if (path.get(1).equals("layers")) {
            return layerRoute(request, path, method);
        }
        if (!path.get(1).equals("functions")) {
            return null;
        }
        if (path.size() == 2) {
            return switch (method) {
                case "POST" -> new Route("CreateFunction", () -> functions.create(request));
                case "GET" -> new Route("ListFunctions", () -> functions.list(request));
                default -> null;
            };
        }
        String name = path.get(2);
        if (path.size() == 3) {
            return switch (method) {
                case "GET" -> new Route("GetFunction", () -> functions.get(request, name));
                case "DELETE" -> new Route("DeleteFunction", () -> functions.delete(request, name));
                default -> null;
            };
        }
        if (path.size() == 5 && path.get(3).equals("aliases")) {
            String alias = path.get(4);
            return switch (method) {
                case "GET" -> new Route("GetAlias", () -> aliases.get(request, name, alias));
                case "PUT" -> new Route("UpdateAlias", () -> aliases.update(request, name, alias));
                case "DELETE" -> new Route("DeleteAlias", () -> aliases.delete(request, name, alias));
                default -> null;
            };
        }
        if (path.size() != 4) {
            return null;
        }
        if (date.equals("2021-10-31") && (path.get(3).equals("url") || path.get(3).equals("urls"))) {
            return switch (method + " " + path.get(3)) {
                case "POST url" -> new Route("CreateFunctionUrlConfig", () -> urls.create(request, name));
                case "GET url" -> new Route("GetFunctionUrlConfig", () -> urls.get(request, name));
                case "PUT url" -> new Route("UpdateFunctionUrlConfig", () -> urls.update(request, name));
                case "DELETE url" -> new Route("DeleteFunctionUrlConfig", () -> urls.delete(request, name));
                case "GET urls" -> new Route("ListFunctionUrlConfigs", () -> urls.list(request, name));
                default -> null;
            };
        }
        return switch (method + " " + path.get(3)) {
            case "GET configuration" -> new Route("GetFunctionConfiguration",
                    () -> functions.getConfiguration(request, name));
            case "PUT configuration" -> new Route("UpdateFunctionConfiguration",
                    () -> functions.updateConfiguration(request, name));
            case "PUT code" -> new Route("UpdateFunctionCode", () -> functions.updateCode(request, name));
            case "POST invocations" -> new Route("Invoke", () -> invoke.invoke(request, name));
            case "POST versions" -> new Route("PublishVersion", () -> functions.publishVersion(request, name));
            case "GET versions" -> new Route("ListVersionsByFunction", () -> functions.listVersions(request, name));
            case "POST aliases" -> new Route("CreateAlias", () -> aliases.create(request, name));
            case "GET aliases" -> new Route("ListAliases", () -> aliases.list(request, name));
            case "PUT concurrency" -> new Route("PutFunctionConcurrency",
                    () -> functions.putConcurrency(request, name));
            case "GET concurrency" -> date.equals("2019-09-30") ? new Route("GetFunctionConcurrency",
                    () -> functions.getConcurrency(request, name)) : null;
            case "DELETE concurrency" -> new Route("DeleteFunctionConcurrency",
                    () -> functions.deleteConcurrency(request, name));
            default -> null;
        };
    }

    /** The layer actions, under /2018-10-31/layers. */
    private Route layerRoute(ApiRequest request, List<String> path, String method) {
        if (path.size() == 2 && method.equals("GET")) {
            return "LayerVersion".equals(request.query().get("find"))
                    ? new Route("GetLayerVersionByArn", () -> layers.list(request))
                    : new Route("ListLayers", () -> layers.list(request));
        }
        if (path.size() < 4 || !path.get(3).equals("versions")) {
            return null;
        }
        String name = path.get(2);
        if (path.size() == 4) {
            return switch (method) {
                case "POST" -> new Route("PublishLayerVersion", () -> layers.publish(request, name));
                case "GET" -> new Route("ListLayerVersions", () -> layers.versions(request, name));
                default -> null;
            };
        }
        if (path.size() != 5) {
            return null;
        }
        String number = path.get(4);
        return switch (method) {
            case "GET" -> new Route("GetLayerVersion", () -> layers.get(request, name, number));
            case "DELETE" -> new Route("DeleteLayerVersion", () -> layers.delete(request, name, number));
            default -> null;
        };
    }

    private ApiResponse accountSettings(ApiRequest request) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.putObject("AccountLimit").put("ConcurrentExecutions", engine.functions().settings().regionConcurrency());
        body.putObject("AccountUsage").put("FunctionCount", engine.functions().list(request.region()).items().size());
        return json(200, body);
    }

    /** A code download link from GetFunction: the zip while the link is valid, S3's AccessDenied after. */
    @Override
    public Optional<ApiResponse> unsigned(String method, String rawPath, String rawQuery) {
        if (!rawPath.startsWith(CodeLinks.PREFIX) || !(method.equals("GET") || method.equals("HEAD"))) {
            return Optional.empty();
        }
        Optional<byte[]> zip = links.open(rawPath).flatMap(link -> link.functionId().startsWith(
                LayerActions.LINK_PREFIX) ? layers.download(link) : functions.download(link));
        if (zip.isEmpty()) {
            return Optional.of(ApiResponse.of(403, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Error><Code>AccessDenied</Code><Message>Request has expired or the function is gone: ask"
                    + " GetFunction for a new link.</Message></Error>").withHeader(ApiServer.ACTION_HEADER,
                    "GetFunctionCode"));
        }
        return Optional.of(new ApiResponse(200, "application/zip", Map.of(ApiServer.ACTION_HEADER,
                "GetFunctionCode"), zip.get()));
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
            case "RequestTooLargeException", "RequestEntityTooLargeException" -> 413;
            case "ServiceException", "StorageError", "Server.InternalError" -> 500;
            case "PreconditionFailedException" -> 412;
            case "UnsupportedMediaTypeException" -> 415;
            case "CodeStorageExceededException", "InvalidParameterValueException", "InvalidRequestContentException",
                    "InvalidZipFileException", "ValidationException" -> 400;
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
