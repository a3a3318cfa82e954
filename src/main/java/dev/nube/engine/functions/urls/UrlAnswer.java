package dev.nube.engine.functions.urls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP answer of a function URL: status, content type, headers in order (a name may repeat, as Set-Cookie does)
 * and body; and how Lambda makes one from what the function returned. Immutable.
 */
record UrlAnswer(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {
    static final String JSON = "application/json";

    UrlAnswer {
        headers = List.copyOf(headers);
    }

    /** An answer of the endpoint itself (not the function's): a JSON body {@code {"Message": ...}}. */
    static UrlAnswer message(int status, String message) {
        return new UrlAnswer(status, JSON, List.of(), Json.mapper().createObjectNode().put("Message", message)
                .toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Lambda's answer when the function failed, or answered what cannot be made into a response: 502. */
    static UrlAnswer badGateway() {
        return new UrlAnswer(502, JSON, List.of(), "Internal Server Error".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The answer a function's result gives, as Lambda reads payload format 2.0: a JSON object with {@code statusCode}
     * gives that status, its {@code headers}, {@code cookies} (each a Set-Cookie) and {@code body} (base64-decoded when
     * {@code isBase64Encoded}); any other JSON value is the body of a 200 answer of type application/json. A payload
     * that is not JSON, or a statusCode, body or header that cannot be one, is a 502.
     */
    static UrlAnswer of(byte[] payload) {
        JsonNode root;
        try {
            root = payload.length == 0 ? null : Json.mapper().readTree(payload);
        } catch (IOException e) {
            return badGateway();
        }
        if (root == null || !root.isObject() || !root.has("statusCode")) {
            return new UrlAnswer(200, JSON, List.of(), payload);
        }
        JsonNode statusNode = root.get("statusCode");
        int status = statusNode.isIntegralNumber() ? statusNode.asInt() : statusNode.isTextual()
                && statusNode.asText().matches("\\d{3}") ? Integer.parseInt(statusNode.asText()) : -1;
        if (status < 200 || status > 599) {
            return badGateway(); // an informational status is never a final answer
        }
        String contentType = JSON;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        JsonNode headerNode = root.path("headers");
        if (headerNode.isObject()) {
            for (Map.Entry<String, JsonNode> header : headerNode.properties()) {
                JsonNode value = header.getValue();
                if (!value.isValueNode() || value.isNull() || !validHeader(header.getKey(), value.asText())) {
                    return badGateway();
                }
                if (header.getKey().equalsIgnoreCase("content-type")) {
                    contentType = value.asText();
                } else if (!header.getKey().equalsIgnoreCase("content-length")
                        && !header.getKey().equalsIgnoreCase("transfer-encoding")
                        && !header.getKey().equalsIgnoreCase("connection")) {
                    headers.add(Map.entry(header.getKey(), value.asText()));
                }
            }
        } else if (!headerNode.isMissingNode() && !headerNode.isNull()) {
            return badGateway();
        }
        JsonNode cookies = root.path("cookies");
        if (cookies.isArray()) {
            for (JsonNode cookie : cookies) {
                if (!cookie.isTextual() || !validHeader("Set-Cookie", cookie.asText())) {
                    return badGateway();
                }
                headers.add(Map.entry("Set-Cookie", cookie.asText()));
            }
        }
        JsonNode bodyNode = root.path("body");
        String text = bodyNode.isMissingNode() || bodyNode.isNull() ? "" : bodyNode.isTextual() ? bodyNode.asText()
                : bodyNode.toString();
        byte[] body;
        if (root.path("isBase64Encoded").asBoolean(false)) {
            try {
                body = Base64.getDecoder().decode(text.replaceAll("\\s", "")); // line breaks allowed, nothing else
            } catch (IllegalArgumentException e) {
                return badGateway();
            }
        } else {
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        if (status == 204 || status == 304) {
            body = new byte[0]; // these answers have no body: one would be read as the start of the next answer
        }
        return new UrlAnswer(status, contentType, headers, body);
    }

    /** The same answer with one more header at the end. */
    UrlAnswer withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new UrlAnswer(status, contentType, more, body);
    }

    /** The same answer without the headers whose (lower-case) name starts with {@code prefix}. */
    UrlAnswer withoutHeaders(String prefix) {
        List<Map.Entry<String, String>> kept = headers.stream()
                .filter(h -> !h.getKey().toLowerCase(Locale.ROOT).startsWith(prefix)).toList();
        return new UrlAnswer(status, contentType, kept, body);
    }

    /** A header a function chose that can be written: a token for a name, no line break in the value. */
    private static boolean validHeader(String name, String value) {
        return name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") && value.indexOf('\r') < 0 && value.indexOf('\n') < 0;
    }
}
