package dev.nube.engine.functions.urls;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.api.SignatureV4;
import dev.nube.engine.http.HttpFraming;
import dev.nube.engine.store.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The event a function URL hands its function: API Gateway's HTTP API payload format 2.0, member for member as Lambda
 * builds it for function URLs. Headers by lower-case name, a repeated one comma-joined; the {@code Cookie} header
 * moved into {@code cookies}; query parameters decoded, a repeated one comma-joined; a text body as it is, any other
 * base64-encoded with {@code isBase64Encoded} true. Stateless.
 */
final class UrlEvent {
    /** Lambda's requestContext.time, e.g. {@code 12/Mar/2020:19:03:58 +0000}. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    static final String ACCOUNT = "000000000000";

    private UrlEvent() {
    }

    /** Who signed a request to an AWS_IAM URL, for requestContext.authorizer.iam; null for an AuthType NONE URL. */
    record Caller(String accessKeyId) {
    }

    /**
     * The event of one request.
     *
     * @param urlId    the URL's id (apiId and domainPrefix)
     * @param domain   the URL's host name without its port (domainName)
     * @param sourceIp the address the request came from
     */
    static ObjectNode of(HttpFraming.Request request, byte[] body, String urlId, String domain, String sourceIp,
            Caller caller, String requestId, Instant now) {
        String target = request.target();
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? "" : target.substring(q + 1);
        ObjectNode event = Json.mapper().createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", rawPath);
        event.put("rawQueryString", rawQuery);
        Map<String, String> headers = new TreeMap<>(request.headers());
        String cookie = headers.remove("cookie");
        if (cookie != null && !cookie.isBlank()) {
            ArrayNode cookies = event.putArray("cookies");
            for (String one : cookie.split(";")) {
                if (!one.isBlank()) {
                    cookies.add(one.strip());
                }
            }
        }
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);
        Map<String, String> query = queryParameters(rawQuery);
        if (!query.isEmpty()) {
            ObjectNode queryNode = event.putObject("queryStringParameters");
            query.forEach(queryNode::put);
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", caller == null ? "anonymous" : ACCOUNT);
        context.put("apiId", urlId);
        if (caller != null) {
            ObjectNode iam = context.putObject("authorizer").putObject("iam");
            iam.put("accessKey", caller.accessKeyId());
            iam.put("accountId", ACCOUNT);
            iam.put("callerId", caller.accessKeyId());
            iam.putNull("cognitoIdentity");
            iam.putNull("principalOrgId");
            iam.put("userArn", "arn:aws:iam::" + ACCOUNT + ":root");
            iam.put("userId", ACCOUNT);
        }
        context.put("domainName", domain);
        context.put("domainPrefix", urlId);
        ObjectNode http = context.putObject("http");
        http.put("method", request.method());
        http.put("path", decodePath(rawPath));
        http.put("protocol", request.version() == null ? "HTTP/1.1" : request.version());
        http.put("sourceIp", sourceIp);
        http.put("userAgent", request.headers().getOrDefault("user-agent", ""));
        context.put("requestId", requestId);
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("time", TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());
        if (body.length > 0) {
            String text = isText(request.headers().get("content-type")) ? utf8(body) : null;
            event.put("body", text != null ? text : Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", text == null);
        } else {
            event.put("isBase64Encoded", false);
        }
        return event;
    }

    /** The query's parameters, decoded ({@code +} as a space, as browsers send forms), repeated ones comma-joined. */
    static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = decodeQuery(eq < 0 ? "" : pair.substring(eq + 1));
            out.merge(key, value, (first, next) -> first + "," + next);
        }
        return out;
    }

    private static String decodeQuery(String text) {
        try {
            return SignatureV4.decode(text.replace('+', ' '));
        } catch (IllegalArgumentException e) {
            return text; // not a valid escape: handed on as it came
        }
    }

    private static String decodePath(String rawPath) {
        try {
            return SignatureV4.decode(rawPath);
        } catch (IllegalArgumentException e) {
            return rawPath;
        }
    }

    /**
     * Whether a body of this content type is handed on as text (when it is valid UTF-8): text/*, JSON, XML,
     * JavaScript, YAML and forms. Anything else, a missing type included, is base64-encoded, as Lambda does.
     */
    static boolean isText(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
        return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
                || type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript")
                || type.equals("application/x-www-form-urlencoded") || type.equals("application/yaml")
                || type.equals("application/x-yaml");
    }

    /** The body as UTF-8 text, or null when it is not valid UTF-8. */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
