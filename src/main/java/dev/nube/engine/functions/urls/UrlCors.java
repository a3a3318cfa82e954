package dev.nube.engine.functions.urls;

import dev.nube.engine.functions.FunctionUrlCors;
import java.util.List;

/**
 * A function URL's CORS settings applied as Lambda applies them: a preflight request is answered by the endpoint
 * (the function is not invoked), and an answer to a request from an allowed origin carries the settings' headers in
 * place of any Access-Control-* header the function set. An origin not allowed gets no CORS header, which a browser
 * reads as a refusal. Stateless.
 */
final class UrlCors {
    private UrlCors() {
    }

    /** Whether a request is a browser's preflight: OPTIONS with Origin and Access-Control-Request-Method. */
    static boolean isPreflight(String method, String origin, String requestMethod) {
        return method.equals("OPTIONS") && origin != null && requestMethod != null;
    }

    /** The endpoint's answer to a preflight from {@code origin}: 200, with the settings' headers when it is allowed. */
    static UrlAnswer preflight(FunctionUrlCors cors, String origin) {
        UrlAnswer answer = new UrlAnswer(200, UrlAnswer.JSON, List.of(), new byte[0]);
        if (!cors.allows(origin)) {
            return answer;
        }
        answer = answer.withHeader("Access-Control-Allow-Origin", allowOrigin(cors, origin));
        if (!cors.allowMethods().isEmpty()) {
            answer = answer.withHeader("Access-Control-Allow-Methods", String.join(",", cors.allowMethods()));
        }
        if (!cors.allowHeaders().isEmpty()) {
            answer = answer.withHeader("Access-Control-Allow-Headers", String.join(",", cors.allowHeaders()));
        }
        if (cors.maxAge() != null) {
            answer = answer.withHeader("Access-Control-Max-Age", Integer.toString(cors.maxAge()));
        }
        if (Boolean.TRUE.equals(cors.allowCredentials())) {
            answer = answer.withHeader("Access-Control-Allow-Credentials", "true");
        }
        return answer.withHeader("Vary", "Origin");
    }

    /**
     * The function's answer to a request from {@code origin} (null when it sent none) with the settings' headers in
     * place of the function's own Access-Control-* headers.
     */
    static UrlAnswer apply(UrlAnswer answer, FunctionUrlCors cors, String origin) {
        UrlAnswer out = answer.withoutHeaders("access-control-");
        if (origin == null || !cors.allows(origin)) {
            return out;
        }
        out = out.withHeader("Access-Control-Allow-Origin", allowOrigin(cors, origin));
        if (!cors.exposeHeaders().isEmpty()) {
            out = out.withHeader("Access-Control-Expose-Headers", String.join(",", cors.exposeHeaders()));
        }
        if (Boolean.TRUE.equals(cors.allowCredentials())) {
            out = out.withHeader("Access-Control-Allow-Credentials", "true");
        }
        return out.withHeader("Vary", "Origin");
    }

    /** {@code *} when any origin is allowed without credentials (a browser refuses {@code *} with them), else the origin. */
    private static String allowOrigin(FunctionUrlCors cors, String origin) {
        return cors.allowOrigins().contains("*") && !Boolean.TRUE.equals(cors.allowCredentials()) ? "*" : origin;
    }
}
