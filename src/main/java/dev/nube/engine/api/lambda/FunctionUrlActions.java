package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.functions.FunctionUrl;
import dev.nube.engine.functions.FunctionUrlConfig;
import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import dev.nube.engine.functions.FunctionUrlCors;
import dev.nube.engine.store.Json;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Lambda's function URL actions (2021-10-31): Create, Get, Update, Delete and ListFunctionUrlConfigs, in Lambda's
 * JSON shape (FunctionUrl, FunctionArn, AuthType, Cors, CreationTime, LastModifiedTime, InvokeMode). A function has a
 * URL for $LATEST (no Qualifier, or $LATEST) and one per alias (the alias as Qualifier, or after the name); a version
 * number is refused. Stateless; thread-safe.
 */
final class FunctionUrlActions {
    /** Lambda's timestamps of function URLs, e.g. {@code 2026-12-03T14:02:03.123456Z}. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Engine engine;

    FunctionUrlActions(Engine engine) {
        this.engine = engine;
    }

    ApiResponse create(ApiRequest request, String functionName) {
        FunctionRef ref = qualified(request, functionName);
        LambdaBody body = LambdaBody.of(request.body());
        String authType = body.string("AuthType");
        if (authType == null) {
            throw new EngineException("ValidationException", "1 validation error detected: Value null at 'authType'"
                    + " failed to satisfy constraint: Member must not be null");
        }
        FunctionUrl url = engine.functionUrls().create(request.region(), ref.name(), ref.qualifier(),
                authType(authType), cors(body), body.string("InvokeMode"));
        ObjectNode out = json(url);
        out.remove("LastModifiedTime"); // CreateFunctionUrlConfig's answer has no LastModifiedTime
        return LambdaApi.json(201, out);
    }

    ApiResponse get(ApiRequest request, String functionName) {
        FunctionRef ref = qualified(request, functionName);
        return LambdaApi.json(200, json(engine.functionUrls().get(request.region(), ref.name(), ref.qualifier())));
    }

    ApiResponse update(ApiRequest request, String functionName) {
        FunctionRef ref = qualified(request, functionName);
        LambdaBody body = LambdaBody.of(request.body());
        String authType = body.string("AuthType");
        FunctionUrl url = engine.functionUrls().update(request.region(), ref.name(), ref.qualifier(),
                authType == null ? null : authType(authType), cors(body), body.string("InvokeMode"));
        return LambdaApi.json(200, json(url));
    }

    ApiResponse delete(ApiRequest request, String functionName) {
        FunctionRef ref = qualified(request, functionName);
        engine.functionUrls().delete(request.region(), ref.name(), ref.qualifier());
        return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
    }

    /** ListFunctionUrlConfigs: $LATEST's URL, then those of the aliases. */
    ApiResponse list(ApiRequest request, String functionName) {
        FunctionRef ref = FunctionRef.parse(functionName, request.region(), null);
        if (ref.qualifier() != null) {
            throw FunctionActions.invalid("ListFunctionUrlConfigs takes an unqualified function name; '"
                    + functionName + "' has the qualifier " + ref.qualifier() + ".");
        }
        String maxItems = request.query().get("MaxItems");
        if (maxItems != null && !maxItems.matches("[1-9][0-9]{0,1}")) {
            throw FunctionActions.invalid("MaxItems must be between 1 and 50; " + maxItems + " is not.");
        }
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode configs = out.putArray("FunctionUrlConfigs");
        engine.functionUrls().list(request.region(), ref.name()).forEach(url -> configs.add(json(url)));
        return LambdaApi.json(200, out);
    }

    /** The function named and its qualifier (none, $LATEST or an alias; the engine refuses a version number). */
    private static FunctionRef qualified(ApiRequest request, String functionName) {
        return FunctionRef.parse(functionName, request.region(), request.query().get("Qualifier"));
    }

    private static AuthType authType(String value) {
        try {
            return AuthType.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + value + "' at"
                    + " 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE,"
                    + " AWS_IAM]");
        }
    }

    /** The request's Cors member, or null when it has none (an empty one removes the settings on update). */
    private static FunctionUrlCors cors(LambdaBody body) {
        if (!body.has("Cors")) {
            return null;
        }
        LambdaBody cors = body.object("Cors");
        return new FunctionUrlCors(cors.list("AllowOrigins"), cors.list("AllowMethods"), cors.list("AllowHeaders"),
                cors.list("ExposeHeaders"), cors.integer("MaxAge"), cors.optionalFlag("AllowCredentials"));
    }

    /** Lambda's FunctionUrlConfig shape. */
    static ObjectNode json(FunctionUrl url) {
        FunctionUrlConfig config = url.config();
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("FunctionUrl", url.url());
        out.put("FunctionArn", url.functionArn());
        out.put("AuthType", config.authType().name());
        if (config.cors() != null) {
            FunctionUrlCors cors = config.cors();
            ObjectNode node = out.putObject("Cors");
            putList(node, "AllowOrigins", cors.allowOrigins());
            putList(node, "AllowMethods", cors.allowMethods());
            putList(node, "AllowHeaders", cors.allowHeaders());
            putList(node, "ExposeHeaders", cors.exposeHeaders());
            if (cors.maxAge() != null) {
                node.put("MaxAge", cors.maxAge());
            }
            if (cors.allowCredentials() != null) {
                node.put("AllowCredentials", cors.allowCredentials());
            }
        }
        out.put("CreationTime", TIME.format(config.createdAt()));
        out.put("LastModifiedTime", TIME.format(config.lastModified()));
        out.put("InvokeMode", config.invokeMode());
        return out;
    }

    private static void putList(ObjectNode node, String name, List<String> values) {
        if (!values.isEmpty()) {
            values.forEach(node.putArray(name)::add);
        }
    }
}
