package dev.nube.engine.api.lambda;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.Engine;
import dev.nube.engine.api.ApiTestBase;
import dev.nube.engine.functions.CodeEntry;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Function URLs end to end: made, read, changed and deleted with the real {@code aws} CLI, and called with real
 * {@code curl} (which sends {@code *.localhost} to loopback, as browsers do) at the address they show, invoking real
 * sandboxed Python functions: the 2.0 event the handler receives, the answer it chooses, plain values, errors, AWS_IAM
 * signatures (curl's own {@code --aws-sigv4}), CORS, the 6 MB limit, and a URL deleted with its function.
 */
@Tag("sandbox")
class FunctionUrlTest extends ApiTestBase {
    static final String REGION = "local-1";
    static final String HANDLER = """
            import base64, json

            def lambda_handler(event, context):
                mode = (event.get("queryStringParameters") or {}).get("mode", "echo")
                if mode == "fail":
                    raise ValueError("asked to fail")
                if mode == "plain":
                    return {"plain": True, "n": [1, 2]}
                if mode == "binary":
                    return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                            "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
                return {"statusCode": 201, "headers": {"content-type": "application/json", "x-handler": "chosen",
                                                       "access-control-allow-origin": "https://function.example"},
                        "cookies": ["a=1; Path=/", "b=2"], "body": json.dumps(event)}
            """;

    /** What curl received: status, headers in order (names in lower case), body. */
    record Answer(int status, List<String[]> headers, byte[] body) {
        String header(String name) {
            return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        List<String> all(String name) {
            return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).toList();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return Json.mapper().readTree(body);
        }
    }

    @Test
    void theHandlerGetsThe20EventAndChoosesTheAnswer() throws Exception {
        function("url-echo");
        JsonNode created = api.aws("lambda", "create-function-url-config", "--function-name", "url-echo",
                "--auth-type", "NONE").ok().json();
        String url = created.path("FunctionUrl").asText();
        assertTrue(url.matches("http://[a-z0-9]{32}\\.lambda-url\\.local-1\\.localhost:\\d+/"), url);
        assertEquals("arn:aws:lambda:local-1:000000000000:function:url-echo", created.path("FunctionArn").asText());
        assertEquals("NONE", created.path("AuthType").asText());
        assertEquals("NONE", created.path("AuthType").asText());
        String urlId = url.substring(7, 39);

        Answer echo = curl("-X", "POST", "-H", "Content-Type: text/plain", "-H", "X-Multi: a", "-H", "X-Multi: b",
                "-H", "Cookie: c1=v1; c2=v2", "-A", "nube-test/1", "--data-binary", "héllo body",
                url + "some/path?x=1&x=2&y=hello%20world&mode=echo");
        assertEquals(201, echo.status(), echo.text());
        assertEquals("chosen", echo.header("x-handler"));
        assertEquals("application/json", echo.header("content-type"));
        assertEquals(List.of("a=1; Path=/", "b=2"), echo.all("set-cookie"));
        assertEquals("https://function.example", echo.header("access-control-allow-origin"),
                "without CORS settings the function's own headers stand");
        JsonNode event = echo.json();
        assertEquals("2.0", event.path("version").asText());
        assertEquals("$default", event.path("routeKey").asText());
        assertEquals("/some/path", event.path("rawPath").asText());
        assertEquals("x=1&x=2&y=hello%20world&mode=echo", event.path("rawQueryString").asText());
        assertEquals("1,2", event.path("queryStringParameters").path("x").asText());
        assertEquals("hello world", event.path("queryStringParameters").path("y").asText());
        assertEquals(List.of("c1=v1", "c2=v2"), texts(event.path("cookies")));
        assertTrue(event.path("headers").path("cookie").isMissingNode(), "cookies are not repeated as a header");
        assertEquals("a,b", event.path("headers").path("x-multi").asText());
        assertEquals("text/plain", event.path("headers").path("content-type").asText());
        assertEquals("nube-test/1", event.path("headers").path("user-agent").asText());
        assertEquals("héllo body", event.path("body").asText());
        assertFalse(event.path("isBase64Encoded").asBoolean());
        JsonNode context = event.path("requestContext");
        assertEquals(urlId, context.path("apiId").asText());
        assertEquals(urlId, context.path("domainPrefix").asText());
        assertEquals(urlId + ".lambda-url.local-1.localhost", context.path("domainName").asText());
        assertEquals("anonymous", context.path("accountId").asText());
        assertEquals("$default", context.path("stage").asText());
        assertEquals("$default", context.path("routeKey").asText());
        assertEquals("POST", context.path("http").path("method").asText());
        assertEquals("/some/path", context.path("http").path("path").asText());
        assertEquals("HTTP/1.1", context.path("http").path("protocol").asText());
        assertEquals("127.0.0.1", context.path("http").path("sourceIp").asText());
        assertEquals("nube-test/1", context.path("http").path("userAgent").asText());
        assertTrue(context.path("timeEpoch").asLong() > 1_700_000_000_000L);
        assertTrue(context.path("time").asText().matches("\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000"),
                context.path("time").asText());
        assertEquals(echo.header("x-amzn-requestid"), context.path("requestId").asText());

        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }
        Path file = Files.write(dir.resolve("binary.bin"), binary);
        JsonNode binaryEvent = curl("-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary",
                "@" + file, url + "?mode=echo").json();
        assertTrue(binaryEvent.path("isBase64Encoded").asBoolean());
        assertArrayEquals(binary, Base64.getDecoder().decode(binaryEvent.path("body").asText()));
        assertEquals("PUT", binaryEvent.path("requestContext").path("http").path("method").asText());
        assertEquals("/", binaryEvent.path("rawPath").asText());

        JsonNode get = curl(url + "?mode=echo").json();
        assertTrue(get.path("body").isMissingNode(), "a request without a body has none in its event");
        assertTrue(get.path("cookies").isMissingNode());

        Answer binaryAnswer = curl(url + "?mode=binary");
        assertEquals(200, binaryAnswer.status());
        assertEquals("application/octet-stream", binaryAnswer.header("content-type"));
        byte[] expected = new byte[256];
        for (int i = 0; i < 256; i++) {
            expected[i] = (byte) i;
        }
        assertArrayEquals(expected, binaryAnswer.body());

        Answer plain = curl(url + "?mode=plain");
        assertEquals(200, plain.status());
        assertEquals("application/json", plain.header("content-type"));
        assertEquals(Json.mapper().readTree("{\"plain\": true, \"n\": [1, 2]}"), plain.json());

        Answer failed = curl(url + "?mode=fail");
        assertEquals(502, failed.status());
        assertEquals("Internal Server Error", failed.text());

        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[6 * 1024 * 1024 + 1]);
        Answer tooLarge = curl("-X", "POST", "-H", "Content-Type: application/octet-stream", "--data-binary",
                "@" + big, url);
        assertEquals(413, tooLarge.status(), tooLarge.text());

        Answer unknown = curl(url.replace(urlId, "0".repeat(32)));
        assertEquals(404, unknown.status());

        engine.functions().putReservedConcurrency(REGION, "url-echo", 0);
        Answer throttled = curl(url + "?mode=plain");
        assertEquals(429, throttled.status());
        assertEquals("{\"Message\":\"Rate Exceeded.\"}", throttled.text());
    }

    @Test
    void configurationsAreMadeReadChangedListedAndDeletedThroughTheApi() throws Exception {
        function("url-crud");
        api.aws("lambda", "create-function-url-config", "--function-name", "url-crud", "--auth-type", "NONE",
                "--cors", "AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=60").ok();
        // Refusals are checked with signed requests of its own (each CLI run takes a second or two).
        HttpResponse<String> again = raw("POST", "/2021-10-31/functions/url-crud/url", "{\"AuthType\": \"NONE\"}");
        assertEquals(409, again.statusCode());
        assertEquals("ResourceConflictException", again.headers().firstValue("X-Amzn-ErrorType").orElse(""));

        JsonNode got = api.aws("lambda", "get-function-url-config", "--function-name", "url-crud").ok().json();
        assertEquals("https://a.example", got.path("Cors").path("AllowOrigins").path(0).asText());
        assertEquals("GET", got.path("Cors").path("AllowMethods").path(0).asText());
        assertEquals(60, got.path("Cors").path("MaxAge").asInt());
        assertTrue(got.path("CreationTime").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"));
        String url = got.path("FunctionUrl").asText();

        JsonNode updated = api.aws("lambda", "update-function-url-config", "--function-name", "url-crud",
                "--auth-type", "AWS_IAM").ok().json();
        assertEquals("AWS_IAM", updated.path("AuthType").asText());
        assertEquals(url, updated.path("FunctionUrl").asText(), "the address does not change");
        assertEquals(60, updated.path("Cors").path("MaxAge").asInt(), "CORS left as it was when not given");

        JsonNode listed = api.aws("lambda", "list-function-url-configs", "--function-name", "url-crud").ok().json();
        assertEquals(1, listed.path("FunctionUrlConfigs").size());
        assertEquals(url, listed.path("FunctionUrlConfigs").path(0).path("FunctionUrl").asText());

        HttpResponse<String> alias = raw("GET", "/2021-10-31/functions/url-crud/url?Qualifier=live", "");
        assertEquals("ResourceNotFoundException", alias.headers().firstValue("X-Amzn-ErrorType").orElse(""),
                "there is no alias live");
        HttpResponse<String> version = raw("GET", "/2021-10-31/functions/url-crud/url?Qualifier=1", "");
        assertEquals("InvalidParameterValueException", version.headers().firstValue("X-Amzn-ErrorType").orElse(""));
        assertTrue(version.body().contains("version number"), version.body());
        // The CLI here (2.9) predates InvokeMode: it is sent and read raw.
        HttpResponse<String> read = raw("GET", "/2021-10-31/functions/url-crud/url", "");
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("BUFFERED", Json.mapper().readTree(read.body()).path("InvokeMode").asText());
        HttpResponse<String> stream = raw("PUT", "/2021-10-31/functions/url-crud/url",
                "{\"InvokeMode\": \"RESPONSE_STREAM\"}");
        assertEquals(400, stream.statusCode());
        assertEquals("InvalidParameterValueException", stream.headers().firstValue("X-Amzn-ErrorType").orElse(""));
        assertTrue(stream.body().contains("RESPONSE_STREAM is not served"), stream.body());

        api.aws("lambda", "delete-function-url-config", "--function-name", "url-crud").ok();
        HttpResponse<String> gone = raw("GET", "/2021-10-31/functions/url-crud/url", "");
        assertEquals(404, gone.statusCode());
        assertEquals("ResourceNotFoundException", gone.headers().firstValue("X-Amzn-ErrorType").orElse(""));
        assertEquals(0, Json.mapper().readTree(raw("GET", "/2021-10-31/functions/url-crud/urls", "").body())
                .path("FunctionUrlConfigs").size());
        assertEquals(404, raw("DELETE", "/2021-10-31/functions/url-crud/url", "").statusCode());
        assertEquals(404, curl(url).status(), "a deleted URL answers no more");
    }

    @Test
    void awsIamUrlsTakeOnlySignedRequests() throws Exception {
        function("url-iam");
        String url = api.aws("lambda", "create-function-url-config", "--function-name", "url-iam", "--auth-type",
                "AWS_IAM").ok().json().path("FunctionUrl").asText();
        Answer unsigned = curl(url + "?mode=plain");
        assertEquals(403, unsigned.status());
        assertEquals("{\"Message\":\"Forbidden\"}", unsigned.text());
        Answer wrongSecret = curl("--aws-sigv4", "aws:amz:local-1:lambda", "--user", api.keyId() + ":" + "x".repeat(40),
                url + "?mode=plain");
        assertEquals(403, wrongSecret.status());
        Answer otherService = curl("--aws-sigv4", "aws:amz:local-1:ec2", "--user", api.keyId() + ":" + api.secret(),
                url + "?mode=plain");
        assertEquals(403, otherService.status());

        Answer signed = curl("--aws-sigv4", "aws:amz:local-1:lambda", "--user", api.keyId() + ":" + api.secret(),
                url + "?mode=echo");
        assertEquals(201, signed.status(), signed.text());
        JsonNode iam = signed.json().path("requestContext").path("authorizer").path("iam");
        assertEquals(api.keyId(), iam.path("accessKey").asText());
        assertEquals("000000000000", signed.json().path("requestContext").path("accountId").asText());
    }

    @Test
    void corsSettingsAnswerPreflightsAndReplaceTheFunctionsHeaders() throws Exception {
        function("url-cors");
        String url = api.aws("lambda", "create-function-url-config", "--function-name", "url-cors", "--auth-type",
                "NONE", "--cors", "{\"AllowOrigins\": [\"https://app.example\"], \"AllowMethods\": [\"post\"],"
                + " \"AllowHeaders\": [\"x-custom\"], \"ExposeHeaders\": [\"x-handler\"], \"MaxAge\": 300,"
                + " \"AllowCredentials\": true}").ok().json().path("FunctionUrl").asText();
        Answer preflight = curl("-X", "OPTIONS", "-H", "Origin: https://app.example", "-H",
                "Access-Control-Request-Method: POST", url + "?mode=fail");
        assertEquals(200, preflight.status(), "answered by the endpoint: the failing function is not invoked");
        assertEquals("https://app.example", preflight.header("access-control-allow-origin"));
        assertEquals("POST", preflight.header("access-control-allow-methods"));
        assertEquals("x-custom", preflight.header("access-control-allow-headers"));
        assertEquals("300", preflight.header("access-control-max-age"));
        assertEquals("true", preflight.header("access-control-allow-credentials"));

        Answer allowed = curl("-H", "Origin: https://app.example", url + "?mode=echo");
        assertEquals(201, allowed.status());
        assertEquals(List.of("https://app.example"), allowed.all("access-control-allow-origin"),
                "the settings replace the function's own");
        assertEquals("x-handler", allowed.header("access-control-expose-headers"));
        assertEquals("true", allowed.header("access-control-allow-credentials"));

        Answer other = curl("-H", "Origin: https://evil.example", url + "?mode=echo");
        assertEquals(201, other.status());
        assertNull(other.header("access-control-allow-origin"));
    }

    @Test
    void aUrlGoesWithItsFunction() throws Exception {
        function("url-gone");
        String url = api.aws("lambda", "create-function-url-config", "--function-name", "url-gone", "--auth-type",
                "NONE").ok().json().path("FunctionUrl").asText();
        assertEquals(200, curl(url + "?mode=plain").status());
        api.aws("lambda", "delete-function", "--function-name", "url-gone").ok();
        assertEquals(404, curl(url + "?mode=plain").status());
        function("url-gone");
        assertEquals(404, raw("GET", "/2021-10-31/functions/url-gone/url", "").statusCode(),
                "a new function of the same name has no URL");
    }

    /** A Lambda API request signed with the test key. */
    private static HttpResponse<String> raw(String method, String pathAndQuery, String json) throws Exception {
        return api.signed("lambda", REGION, Instant.now(), method, pathAndQuery, json.isEmpty() ? Map.of()
                : Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    }

    private static void function(String name) {
        engine.functions().create(REGION, CreateFunctionRequest.of(name, PYTHON));
        writeHandler(engine, name);
    }

    static void writeHandler(Engine target, String name) {
        for (CodeEntry entry : target.functionCode().files(REGION, name, null)) {
            if (!entry.directory()) {
                target.functionCode().delete(REGION, name, entry.path());
            }
        }
        target.functionCode().writeFile(REGION, name, "lambda_function.py", HANDLER.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Runs curl with {@code args} (the URL last); the head it printed and the body it saved. */
    static Answer curl(String... args) throws Exception {
        Path body = Files.createTempFile(dir, "curl-", ".body");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-D", "-", "-o",
                body.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] head = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("curl failed: " + err);
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("HTTP/") && !lines[i].contains(" 100 ")) {
                start = i;
            }
        }
        int status = Integer.parseInt(lines[start].split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (int i = start + 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            headers.add(new String[] {lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip()});
        }
        return new Answer(status, headers, Files.readAllBytes(body));
    }
}
