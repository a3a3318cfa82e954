package dev.nube.engine.functions;

import java.util.List;
import java.util.Locale;

/**
 * The cross-origin settings of a function URL, as Lambda's {@code Cors} member names them. The URL endpoint answers
 * preflight requests ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) from them without
 * invoking the function, and puts them on every answer to a request from an allowed origin, replacing any the
 * function set.
 *
 * @param allowOrigins     origins allowed ({@code *} for any), at most 100
 * @param allowMethods     methods allowed ({@code *} for any), at most 6
 * @param allowHeaders     request headers allowed, at most 100
 * @param exposeHeaders    response headers a browser may read, at most 100
 * @param maxAge           seconds a browser may keep a preflight's answer (0-86400), null for none
 * @param allowCredentials whether cookies and authorization may be sent, null for not said (false)
 */
public record FunctionUrlCors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
        List<String> exposeHeaders, Integer maxAge, Boolean allowCredentials) {
    /** Lambda's longest MaxAge: a day. */
    public static final int MAX_AGE_SECONDS = 86_400;

    public FunctionUrlCors {
        allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
        allowMethods = allowMethods == null ? List.of() : allowMethods.stream()
                .map(m -> m == null ? null : m.toUpperCase(Locale.ROOT)).toList();
        allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
        exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    }

    /** Whether nothing is set (a URL with such settings answers no cross-origin request). */
    public boolean isEmpty() {
        return allowOrigins.isEmpty() && allowMethods.isEmpty() && allowHeaders.isEmpty() && exposeHeaders.isEmpty()
                && maxAge == null && allowCredentials == null;
    }

    /** Whether {@code origin} may call the URL: listed, or {@code *} listed. */
    public boolean allows(String origin) {
        return allowOrigins.contains("*") || allowOrigins.stream().anyMatch(o -> o.equalsIgnoreCase(origin));
    }

    /** Refuses what Lambda refuses, naming the member (InvalidParameterValueException). */
    void check() {
        checkList("AllowOrigins", allowOrigins, 100, 253);
        checkList("AllowMethods", allowMethods, 6, 6);
        checkList("AllowHeaders", allowHeaders, 100, 1024);
        checkList("ExposeHeaders", exposeHeaders, 100, 1024);
        for (String method : allowMethods) {
            if (!method.equals("*") && !method.matches("[A-Z]+")) {
                throw FunctionRules.invalid("Cors.AllowMethods: '" + method + "' is not an HTTP method (GET, POST,"
                        + " ... or *).");
            }
        }
        for (String origin : allowOrigins) {
            if (!origin.equals("*") && !origin.matches("[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.:\\[\\]*-]+")) {
                throw FunctionRules.invalid("Cors.AllowOrigins: '" + origin + "' is not an origin (a scheme and a"
                        + " host, with a port if any, such as https://example.com, or *).");
            }
        }
        for (List<String> names : List.of(allowHeaders, exposeHeaders)) {
            for (String name : names) {
                if (!name.equals("*") && !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw FunctionRules.invalid("Cors." + (names == allowHeaders ? "AllowHeaders" : "ExposeHeaders")
                            + ": '" + name + "' is not a header name.");
                }
            }
        }
        if (Boolean.TRUE.equals(allowCredentials) && allowOrigins.contains("*")) {
            throw FunctionRules.invalid("Cors.AllowCredentials cannot be true with AllowOrigins '*': a browser sends"
                    + " no credentials to a wildcard origin; list the origins instead.");
        }
        if (maxAge != null && (maxAge < 0 || maxAge > MAX_AGE_SECONDS)) {
            throw FunctionRules.invalid("Cors.MaxAge must be between 0 and " + MAX_AGE_SECONDS + " seconds; " + maxAge
                    + " is not.");
        }
    }

    private static void checkList(String member, List<String> values, int maxItems, int maxLength) {
        if (values.size() > maxItems) {
            throw FunctionRules.invalid("Cors." + member + " takes at most " + maxItems + " values; " + values.size()
                    + " were given.");
        }
        for (String value : values) {
            if (value == null || value.isBlank() || value.length() > maxLength) {
                throw FunctionRules.invalid("Cors." + member + ": each value is 1 to " + maxLength + " characters;"
                        + " '" + value + "' is not.");
            }
        }
    }
}
