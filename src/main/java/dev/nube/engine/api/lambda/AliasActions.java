package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.functions.FunctionAlias;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.store.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lambda's alias actions: CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases (filtered by FunctionVersion,
 * paged by Marker and MaxItems), in Lambda's {@code AliasConfiguration} shape (AliasArn, Name, FunctionVersion,
 * Description, RoutingConfig.AdditionalVersionWeights, RevisionId). The engine checks the values. Stateless;
 * thread-safe.
 */
final class AliasActions {
    private final Engine engine;

    AliasActions(Engine engine) {
        this.engine = engine;
    }

    ApiResponse create(ApiRequest request, String functionName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        String name = body.string("Name");
        String version = body.string("FunctionVersion");
        if (name == null) {
            throw FunctionActions.invalid("Name is required: the alias's name.");
        }
        if (version == null) {
            throw FunctionActions.invalid("FunctionVersion is required: $LATEST or a published version.");
        }
        Map<String, Double> weights = weights(body);
        FunctionAlias alias = engine.functions().createAlias(request.region(), ref.name(), name, version,
                body.string("Description"), weights == null ? Map.of() : weights);
        return LambdaApi.json(201, json(function(request, ref), alias));
    }

    ApiResponse get(ApiRequest request, String functionName, String aliasName) {
        FunctionRef ref = unqualified(functionName, request.region());
        FunctionAlias alias = engine.functions().alias(request.region(), ref.name(), aliasName);
        return LambdaApi.json(200, json(function(request, ref), alias));
    }

    ApiResponse update(ApiRequest request, String functionName, String aliasName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        FunctionAlias alias = engine.functions().updateAlias(request.region(), ref.name(), aliasName,
                body.string("FunctionVersion"), body.string("Description"), weights(body), body.string("RevisionId"));
        return LambdaApi.json(200, json(function(request, ref), alias));
    }

    ApiResponse delete(ApiRequest request, String functionName, String aliasName) {
        FunctionRef ref = unqualified(functionName, request.region());
        engine.functions().deleteAlias(request.region(), ref.name(), aliasName);
        return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
    }

    /** The aliases in name order; with FunctionVersion, only those pointing to it (as their version or by weight). */
    ApiResponse list(ApiRequest request, String functionName) {
        FunctionRef ref = unqualified(functionName, request.region());
        Map<String, String> query = request.query();
        int max = FunctionActions.maxItems(query.get("MaxItems"));
        String version = query.get("FunctionVersion");
        FunctionConfiguration function = function(request, ref);
        // The marker is the name of the last alias given, so a page resumes after it when aliases came or went.
        String after = FunctionActions.marker(query.get("Marker"));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray("Aliases");
        String last = null;
        for (FunctionAlias alias : engine.functions().aliases(request.region(), ref.name())) {
            if (after != null && alias.name().compareTo(after) <= 0
                    || version != null && !version.isEmpty() && !alias.routesTo(version)) {
                continue;
            }
            if (items.size() == max) {
                out.put("NextMarker", Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(
                        StandardCharsets.UTF_8)));
                break;
            }
            items.add(json(function, alias));
            last = alias.name();
        }
        return LambdaApi.json(200, out);
    }

    /** Lambda's AliasConfiguration. */
    static ObjectNode json(FunctionConfiguration function, FunctionAlias alias) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("AliasArn", function.arn(alias.name()));
        node.put("Name", alias.name());
        node.put("FunctionVersion", alias.functionVersion());
        node.put("Description", alias.description());
        if (!alias.additionalVersionWeights().isEmpty()) {
            ObjectNode weights = node.putObject("RoutingConfig").putObject("AdditionalVersionWeights");
            alias.additionalVersionWeights().forEach(weights::put);
        }
        node.put("RevisionId", alias.revisionId());
        return node;
    }

    private FunctionConfiguration function(ApiRequest request, FunctionRef ref) {
        return engine.functions().get(request.region(), ref.name());
    }

    /**
     * RoutingConfig.AdditionalVersionWeights as given: null when RoutingConfig is absent (an update keeps the routing),
     * empty when it names no version (an update removes it).
     */
    private static Map<String, Double> weights(LambdaBody body) {
        if (!body.has("RoutingConfig")) {
            return null;
        }
        JsonNode weights = body.object("RoutingConfig").node("AdditionalVersionWeights");
        Map<String, Double> out = new LinkedHashMap<>();
        if (weights == null) {
            return out;
        }
        if (!weights.isObject()) {
            throw new EngineException("InvalidRequestContentException", "The member"
                    + " RoutingConfig.AdditionalVersionWeights must be an object of version numbers to weights.");
        }
        for (Map.Entry<String, JsonNode> weight : weights.properties()) {
            if (!weight.getValue().isNumber()) {
                throw new EngineException("InvalidRequestContentException", "The weight of version " + weight.getKey()
                        + " in RoutingConfig.AdditionalVersionWeights must be a number.");
            }
            out.put(weight.getKey(), weight.getValue().asDouble());
        }
        return out;
    }

    private static FunctionRef unqualified(String functionName, String region) {
        FunctionRef ref = FunctionRef.parse(functionName, region, null);
        if (ref.qualifier() != null) {
            throw FunctionActions.invalid("Alias actions take an unqualified function name; '" + functionName
                    + "' has the qualifier " + ref.qualifier() + ".");
        }
        return ref;
    }
}
