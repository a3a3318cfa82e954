package dev.nube.engine.api.lambda;

import dev.nube.engine.api.ApiTestBase;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestSupport;
import dev.nube.engine.store.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lambda's REST-JSON actions driven by the real {@code aws} CLI against an engine's API: functions made from zips,
 * invoked (with their log tail, errors, Event and DryRun), downloaded, updated, published, limited and deleted, and
 * the refusals a user meets. One engine and one API server for the class; each test uses its own functions.
 */
@Tag("sandbox")
class LambdaCliTest extends ApiTestBase {
    static final String REGION = "local-1";
    static final String ECHO = """
            import json

            def lambda_handler(event, context):
                print("handling " + json.dumps(event, sort_keys=True))
                if event.get("fail"):
                    raise ValueError("asked to fail")
                return {"echo": event, "name": context.function_name}
            """;

    @Test
    void aPythonFunctionMadeFromAZipRunsAndItsCodeComesBack() throws Exception {
        Path zip = zip("echo.zip", Map.of("lambda_function.py", ECHO));
        JsonNode created = api.aws("lambda", "create-function", "--function-name", "echo", "--runtime", PYTHON,
                "--handler", "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/echo",
                "--zip-file", "fileb://" + zip, "--description", "echoes", "--environment",
                "Variables={GREETING=hi}").ok().json();
        assertEquals("echo", created.path("FunctionName").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:echo", created.path("FunctionArn").asText());
        assertEquals(PYTHON, created.path("Runtime").asText());
        assertEquals("arn:aws:iam::000000000000:role/echo", created.path("Role").asText());
        assertEquals(sha256(zip), created.path("CodeSha256").asText());
        assertEquals(Files.size(zip), created.path("CodeSize").asLong());
        assertEquals(128, created.path("MemorySize").asInt());
        assertEquals(3, created.path("Timeout").asInt());
        assertEquals("$LATEST", created.path("Version").asText());
        assertEquals("hi", created.path("Environment").path("Variables").path("GREETING").asText());
        assertEquals("Active", created.path("State").asText());
        assertEquals("Successful", created.path("LastUpdateStatus").asText());
        assertEquals("Zip", created.path("PackageType").asText());
        assertEquals("x86_64", created.path("Architectures").path(0).asText());
        assertEquals(512, created.path("EphemeralStorage").path("Size").asInt());
        assertTrue(created.path("LastModified").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
                + "\\+0000"), created.path("LastModified").asText());

        Path out = dir.resolve("echo-out.json");
        JsonNode invoked = api.aws("lambda", "invoke", "--function-name", "echo", "--log-type", "Tail",
                "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"n\": 1}", out.toString()).ok().json();
        assertEquals(200, invoked.path("StatusCode").asInt());
        assertEquals("$LATEST", invoked.path("ExecutedVersion").asText());
        assertTrue(invoked.path("FunctionError").isMissingNode());
        assertEquals(Json.mapper().readTree("{\"echo\": {\"n\": 1}, \"name\": \"echo\"}"),
                Json.mapper().readTree(Files.readString(out)));
        String log = new String(Base64.getDecoder().decode(invoked.path("LogResult").asText()),
                StandardCharsets.UTF_8);
        assertTrue(log.contains("START RequestId: ") && log.contains("handling {\"n\": 1}")
                && log.contains("END RequestId: ") && log.contains("REPORT RequestId: "), log);

        JsonNode failed = api.aws("lambda", "invoke", "--function-name", "echo", "--cli-binary-format",
                "raw-in-base64-out", "--payload", "{\"fail\": true}", out.toString()).ok().json();
        assertEquals(200, failed.path("StatusCode").asInt());
        assertEquals("Unhandled", failed.path("FunctionError").asText());
        JsonNode error = Json.mapper().readTree(Files.readString(out));
        assertEquals("ValueError", error.path("errorType").asText());
        assertEquals("asked to fail", error.path("errorMessage").asText());

        assertEquals(202, api.aws("lambda", "invoke", "--function-name", "echo", "--invocation-type", "Event",
                "--cli-binary-format", "raw-in-base64-out", "--payload", "{}", out.toString()).ok().json()
                .path("StatusCode").asInt());
        assertEquals(204, api.aws("lambda", "invoke", "--function-name", "echo", "--invocation-type", "DryRun",
                out.toString()).ok().json().path("StatusCode").asInt());

        JsonNode got = api.aws("lambda", "get-function", "--function-name", "echo").ok().json();
        assertEquals(created.path("CodeSha256"), got.path("Configuration").path("CodeSha256"));
        assertEquals("S3", got.path("Code").path("RepositoryType").asText());
        assertTrue(got.path("Concurrency").isMissingNode(), "no reserved concurrency");
        HttpResponse<byte[]> download = download(got.path("Code").path("Location").asText());
        assertEquals(200, download.statusCode());
        assertArrayEquals(Files.readAllBytes(zip), download.body(), "the zip as it was uploaded");
        assertEquals(403, download(api.url() + CodeLinks.PREFIX + "not-a-link").statusCode());

        for (String name : List.of("arn:aws:lambda:local-1:000000000000:function:echo", "000000000000:function:echo",
                "echo:$LATEST")) {
            assertEquals("echo", api.aws("lambda", "get-function-configuration", "--function-name", name).ok().json()
                    .path("FunctionName").asText(), name);
        }
    }

    @Test
    void codeAndConfigurationAreUpdatedAndPublishedAsVersions() throws Exception {
        api.aws("lambda", "create-function", "--function-name", "versioned", "--runtime", PYTHON, "--handler",
                "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip("v0.zip", Map.of("lambda_function.py", returning("zero")))).ok();
        JsonNode configured = api.aws("lambda", "update-function-configuration", "--function-name", "versioned",
                "--memory-size", "256", "--timeout", "30", "--description", "second", "--environment",
                "Variables={A=1,B=2}", "--handler", "lambda_function.lambda_handler").ok().json();
        assertEquals(256, configured.path("MemorySize").asInt());
        assertEquals(30, configured.path("Timeout").asInt());
        assertEquals("second", configured.path("Description").asText());
        assertEquals(Map.of("A", "1", "B", "2"), Json.mapper().convertValue(configured.path("Environment")
                .path("Variables"), TreeMap.class));

        Path one = zip("v1.zip", Map.of("lambda_function.py", returning("one")));
        JsonNode published = api.aws("lambda", "update-function-code", "--function-name", "versioned", "--zip-file",
                "fileb://" + one, "--publish").ok().json();
        assertEquals("1", published.path("Version").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:versioned:1", published.path("FunctionArn")
                .asText());
        assertEquals(sha256(one), published.path("CodeSha256").asText());
        assertEquals("1", api.aws("lambda", "publish-version", "--function-name", "versioned").ok().json()
                .path("Version").asText(), "nothing changed since version 1: it is returned again");

        api.aws("lambda", "update-function-code", "--function-name", "versioned", "--zip-file", "fileb://"
                + zip("v2.zip", Map.of("lambda_function.py", returning("two")))).ok();
        JsonNode two = api.aws("lambda", "publish-version", "--function-name", "versioned", "--description",
                "the second").ok().json();
        assertEquals("2", two.path("Version").asText());
        assertEquals("the second", two.path("Description").asText());
        assertEquals(256, two.path("MemorySize").asInt());

        Path out = dir.resolve("versioned-out.json");
        JsonNode first = api.aws("lambda", "invoke", "--function-name", "versioned", "--qualifier", "1",
                out.toString()).ok().json();
        assertEquals("1", first.path("ExecutedVersion").asText());
        assertEquals("\"one\"", Files.readString(out));
        api.aws("lambda", "invoke", "--function-name", "versioned:2", out.toString()).ok();
        assertEquals("\"two\"", Files.readString(out));

        JsonNode versions = api.aws("lambda", "list-versions-by-function", "--function-name", "versioned").ok()
                .json();
        assertEquals(List.of("$LATEST", "1", "2"), texts(versions.path("Versions"), "Version"));
        JsonNode paged = api.aws("lambda", "list-versions-by-function", "--function-name", "versioned",
                "--page-size", "1").ok().json();
        assertEquals(List.of("$LATEST", "1", "2"), texts(paged.path("Versions"), "Version"),
                "the CLI followed NextMarker page by page");
        assertEquals("2", api.aws("lambda", "get-function", "--function-name", "versioned", "--qualifier", "2").ok()
                .json().path("Configuration").path("Version").asText());
        assertTrue(api.aws("lambda", "get-function", "--function-name", "versioned", "--qualifier", "9").err()
                .contains("ResourceNotFoundException"));

        assertTrue(api.aws("lambda", "delete-function", "--function-name", "versioned", "--qualifier", "$LATEST")
                .err().contains("InvalidParameterValueException"));
        api.aws("lambda", "delete-function", "--function-name", "versioned").ok();
        assertTrue(api.aws("lambda", "get-function", "--function-name", "versioned").err().contains(
                "ResourceNotFoundException"));
    }

    @Test
    void reservedConcurrencyIsPutReadAndRemoved() throws Exception {
        createEcho("limited");
        assertEquals(5, api.aws("lambda", "put-function-concurrency", "--function-name", "limited",
                "--reserved-concurrent-executions", "5").ok().json().path("ReservedConcurrentExecutions").asInt());
        assertEquals(5, api.aws("lambda", "get-function-concurrency", "--function-name", "limited").ok().json()
                .path("ReservedConcurrentExecutions").asInt());
        assertEquals(5, api.aws("lambda", "get-function", "--function-name", "limited").ok().json()
                .path("Concurrency").path("ReservedConcurrentExecutions").asInt());
        api.aws("lambda", "delete-function-concurrency", "--function-name", "limited").ok();
        assertTrue(api.aws("lambda", "get-function-concurrency", "--function-name", "limited").ok().json()
                .path("ReservedConcurrentExecutions").isMissingNode());
        assertEquals(0, api.aws("lambda", "put-function-concurrency", "--function-name", "limited",
                "--reserved-concurrent-executions", "0").ok().json().path("ReservedConcurrentExecutions").asInt());
        ApiTestSupport.Result throttled = api.aws("lambda", "invoke", "--function-name", "limited",
                dir.resolve("limited.json").toString());
        assertTrue(throttled.err().contains("TooManyRequestsException"), throttled.err());
        api.aws("lambda", "delete-function", "--function-name", "limited").ok();
    }

    @Test
    void functionsAreListedPageByPage() throws Exception {
        List<String> names = List.of("page-a", "page-b", "page-c");
        for (String name : names) {
            createEcho(name);
        }
        JsonNode all = api.aws("lambda", "list-functions", "--page-size", "1").ok().json();
        List<String> listed = texts(all.path("Functions"), "FunctionName").stream().filter(n -> n.startsWith("page-"))
                .toList();
        assertEquals(names, listed, "each once, in order, over pages of one");
        JsonNode first = api.aws("lambda", "list-functions", "--max-items", "1").ok().json();
        assertEquals(1, first.path("Functions").size());
        assertFalse(first.path("NextToken").asText().isEmpty());
        JsonNode rest = api.aws("lambda", "list-functions", "--starting-token", first.path("NextToken").asText())
                .ok().json();
        List<String> together = new ArrayList<>(texts(first.path("Functions"), "FunctionName"));
        together.addAll(texts(rest.path("Functions"), "FunctionName"));
        assertEquals(texts(all.path("Functions"), "FunctionName"), together);

        HttpResponse<String> raw = api.signed("lambda", REGION, java.time.Instant.now(), "GET",
                "/2015-03-31/functions/?MaxItems=2", Map.of(), new byte[0]);
        JsonNode page = Json.mapper().readTree(raw.body());
        assertEquals(2, page.path("Functions").size());
        assertFalse(page.path("NextMarker").asText().isEmpty());
        for (String name : names) {
            api.aws("lambda", "delete-function", "--function-name", name).ok();
        }
    }

    @Test
    void refusalsSayWhatIsWrongAndChangeNothing() throws Exception {
        Path code = zip("refused.zip", Map.of("lambda_function.py", ECHO));
        ApiTestSupport.Result runtime = api.aws("lambda", "create-function", "--function-name", "refused",
                "--runtime", "python3.9", "--handler", "lambda_function.lambda_handler", "--role",
                "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + code);
        assertEquals(254, runtime.exit());
        assertTrue(runtime.err().contains("InvalidParameterValueException") && runtime.err().contains("python3.9")
                && runtime.err().contains(PYTHON) && runtime.err().contains(NODE)
                && runtime.err().contains(CUSTOM), runtime.err());

        Path bad = zip("slip.zip", Map.of("lambda_function.py", ECHO, "../../outside.py", "x = 1\n"));
        ApiTestSupport.Result zip = api.aws("lambda", "create-function", "--function-name", "refused", "--runtime",
                PYTHON, "--handler", "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r",
                "--zip-file", "fileb://" + bad);
        assertTrue(zip.err().contains("InvalidZipFileException"), zip.err());
        ApiTestSupport.Result missing = api.aws("lambda", "get-function", "--function-name", "refused");
        assertTrue(missing.err().contains("ResourceNotFoundException") && missing.err().contains(
                "Function not found: arn:aws:lambda:local-1:000000000000:function:refused"), missing.err());

        ApiTestSupport.Result memory = api.aws("lambda", "create-function", "--function-name", "refused",
                "--runtime", PYTHON, "--handler", "lambda_function.lambda_handler", "--role",
                "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + code, "--memory-size", "4096");
        assertTrue(memory.err().contains("InvalidParameterValueException") && memory.err().contains("3008"),
                memory.err());
        ApiTestSupport.Result timeout = api.aws("lambda", "create-function", "--function-name", "refused",
                "--runtime", PYTHON, "--handler", "lambda_function.lambda_handler", "--role",
                "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + code, "--timeout", "600");
        assertTrue(timeout.err().contains("InvalidParameterValueException") && timeout.err().contains("300"),
                timeout.err());
        assertTrue(api.aws("lambda", "get-function", "--function-name", "refused").err()
                .contains("ResourceNotFoundException"), "still nothing made");

        createEcho("taken");
        ApiTestSupport.Result duplicate = api.aws("lambda", "create-function", "--function-name", "taken",
                "--runtime", PYTHON, "--handler", "lambda_function.lambda_handler", "--role",
                "arn:aws:iam::000000000000:role/r", "--zip-file", "fileb://" + code);
        assertTrue(duplicate.err().contains("ResourceConflictException"), duplicate.err());
        HttpResponse<String> conflict = api.signed("lambda", REGION, java.time.Instant.now(), "POST",
                "/2015-03-31/functions", Map.of("content-type", "application/json"), ("{\"FunctionName\":\"taken\","
                        + "\"Runtime\":\"" + PYTHON + "\",\"Role\":\"r\","
                        + "\"Handler\":\"lambda_function.lambda_handler\",\"Code\":{\"ZipFile\":\""
                        + Base64.getEncoder().encodeToString(Files.readAllBytes(code))
                        + "\"}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(409, conflict.statusCode());
        assertEquals("ResourceConflictException", conflict.headers().firstValue("x-amzn-errortype").orElse(""));

        HttpResponse<String> notFound = api.signed("lambda", REGION, java.time.Instant.now(), "POST",
                "/2015-03-31/functions/nowhere/invocations", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(404, notFound.statusCode());
        assertEquals("ResourceNotFoundException", notFound.headers().firstValue("x-amzn-errortype").orElse(""));

        Path big = dir.resolve("big.json");
        Files.writeString(big, "{\"pad\": \"" + "x".repeat(6 * 1024 * 1024) + "\"}");
        ApiTestSupport.Result tooLarge = api.aws("lambda", "invoke", "--function-name", "taken", "--payload",
                "fileb://" + big, dir.resolve("big-out.json").toString());
        assertTrue(tooLarge.err().contains("RequestTooLargeException"), tooLarge.err());
        api.aws("lambda", "delete-function", "--function-name", "taken").ok();
    }

    @Test
    void aNodeFunctionRunsToo() throws Exception {
        Path zip = zip("node.zip", Map.of("index.mjs", """
                export const handler = async (event, context) => {
                  console.log("node got", JSON.stringify(event));
                  return { doubled: event.n * 2, name: context.functionName };
                };
                """));
        JsonNode created = api.aws("lambda", "create-function", "--function-name", "node-fn", "--runtime", NODE,
                "--handler", "index.handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip).ok().json();
        assertEquals(NODE, created.path("Runtime").asText());
        Path out = dir.resolve("node-out.json");
        JsonNode invoked = api.aws("lambda", "invoke", "--function-name", "node-fn", "--log-type", "Tail",
                "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"n\": 21}", out.toString()).ok().json();
        assertEquals(Json.mapper().readTree("{\"doubled\": 42, \"name\": \"node-fn\"}"),
                Json.mapper().readTree(Files.readString(out)));
        String log = new String(Base64.getDecoder().decode(invoked.path("LogResult").asText()),
                StandardCharsets.UTF_8);
        assertTrue(log.contains("node got {\"n\":21}"), log);
        api.aws("lambda", "delete-function", "--function-name", "node-fn").ok();
    }

    static void createEcho(String name) throws Exception {
        api.aws("lambda", "create-function", "--function-name", name, "--runtime", PYTHON, "--handler",
                "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip(name + ".zip", Map.of("lambda_function.py", ECHO))).ok();
    }

    static String returning(String value) {
        return "def lambda_handler(event, context):\n    return '" + value + "'\n";
    }

    static List<String> texts(JsonNode array, String member) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.path(member).asText()));
        return out;
    }

    static Path zip(String name, Map<String, String> files) throws Exception {
        return LambdaCliTestZips.zip(dir.resolve(name), files);
    }

    static String sha256(Path file) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(
                file)));
    }

    static HttpResponse<byte[]> download(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
