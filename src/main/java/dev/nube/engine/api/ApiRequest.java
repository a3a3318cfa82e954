package dev.nube.engine.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request to the AWS API, once its signature was accepted: as it arrived (method, path and query still
 * percent-encoded, headers by lower-case name, the body) with the region and access key of its signature and the
 * request id it is answered under.
 */
public record ApiRequest(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body,
        String region, String accessKeyId, String requestId) {
    public ApiRequest {
        headers = Map.copyOf(headers);
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    /** The path, percent-decoded segment by segment (so an encoded {@code /} inside a segment is not a separator). */
    public List<String> pathSegments() {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(SignatureV4.decode(segment));
            }
        }
        return segments;
    }

    /** The query's parameters, decoded, in their order (a repeated name keeps its first value). */
    public Map<String, String> query() {
        return parseForm(rawQuery, false);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Parameters of a query string or an {@code application/x-www-form-urlencoded} body ({@code plusIsSpace}: a
     * {@code +} in a form is a space), decoded, in their order; a repeated name keeps its first value.
     */
    public static Map<String, String> parseForm(String text, boolean plusIsSpace) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (plusIsSpace) {
                key = key.replace('+', ' ');
                value = value.replace('+', ' ');
            }
            out.putIfAbsent(SignatureV4.decode(key), SignatureV4.decode(value));
        }
        return out;
    }
}
