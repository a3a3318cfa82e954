package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Lambda request's JSON body, read member by member with Lambda's refusals: a body that is not a JSON object is
 * InvalidRequestContentException, a member of the wrong type names the member. Immutable.
 */
final class LambdaBody {
    private final JsonNode root;

    private LambdaBody(JsonNode root) {
        this.root = root;
    }

    static LambdaBody of(byte[] body) {
        if (body.length == 0) {
            return new LambdaBody(Json.mapper().createObjectNode());
        }
        try {
            JsonNode root = Json.mapper().readTree(body);
            if (root == null || !root.isObject()) {
                throw new EngineException("InvalidRequestContentException", "The request body must be a JSON object.");
            }
            return new LambdaBody(root);
        } catch (IOException e) {
            throw new EngineException("InvalidRequestContentException", "Could not parse request body into json: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    boolean has(String name) {
        JsonNode node = root.get(name);
        return node != null && !node.isNull();
    }

    JsonNode node(String name) {
        return has(name) ? root.get(name) : null;
    }

    LambdaBody object(String name) {
        JsonNode node = node(name);
        if (node != null && !node.isObject()) {
            throw wrongType(name, "an object");
        }
        return new LambdaBody(node == null ? Json.mapper().createObjectNode() : node);
    }

    String string(String name) {
        JsonNode node = node(name);
        if (node != null && !node.isTextual()) {
            throw wrongType(name, "a string");
        }
        return node == null ? null : node.asText();
    }

    Integer integer(String name) {
        JsonNode node = node(name);
        if (node != null && !node.canConvertToInt()) {
            throw wrongType(name, "a whole number");
        }
        return node == null ? null : node.asInt();
    }

    boolean flag(String name) {
        JsonNode node = node(name);
        if (node != null && !node.isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return node != null && node.asBoolean();
    }

    /** A map of strings (Environment.Variables), or null when absent. */
    Map<String, String> strings(String name) {
        JsonNode node = node(name);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw wrongType(name, "an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw wrongType(name + "." + field.getKey(), "a string");
            }
            out.put(field.getKey(), field.getValue().asText());
        }
        return out;
    }

    /** A list of strings (Cors.AllowOrigins), or null when absent. */
    java.util.List<String> list(String name) {
        JsonNode node = node(name);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw wrongType(name, "a list of strings");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw wrongType(name + "[" + out.size() + "]", "a string");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** A true or false member, or null when absent. */
    Boolean optionalFlag(String name) {
        return has(name) ? flag(name) : null;
    }

    /** Refuses a member Nube does not serve, when it is given with a value other than those it can honour. */
    void refuseUnless(String name, java.util.function.Predicate<JsonNode> honoured, String why) {
        JsonNode node = node(name);
        if (node != null && !honoured.test(node)) {
            throw new EngineException("InvalidParameterValueException", why);
        }
    }

    private static EngineException wrongType(String name, String what) {
        return new EngineException("InvalidRequestContentException", "The member " + name + " must be " + what + ".");
    }
}
