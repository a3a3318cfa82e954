package dev.nube.engine.api.lambda;

import static dev.nube.engine.api.lambda.LambdaCliTest.download;
import static dev.nube.engine.api.lambda.LambdaCliTest.sha256;
import static dev.nube.engine.api.lambda.LambdaCliTest.texts;
import static dev.nube.engine.api.lambda.LambdaCliTest.zip;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestBase;
import dev.nube.engine.api.ApiTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lambda's layer actions driven by the real {@code aws} CLI: publish-layer-version (numbered 1, 2), list-layers,
 * list-layer-versions, get-layer-version (its content downloadable) and by ARN, a function given layers with
 * update-function-configuration --layers and shown them by get-function-configuration, its handler importing from
 * the layer, Lambda's refusals, and delete-layer-version leaving the function running.
 */
@Tag("sandbox")
class LambdaLayerCliTest extends ApiTestBase {
    private static String refusal(ApiTestSupport.Result result) {
        assertTrue(result.exit() != 0, "refused: " + result.out());
        return result.err();
    }

    /** A signed request as the CLI makes it (faster than the CLI): its JSON answer at {@code status}. */
    private static JsonNode call(int status, String method, String path, String body) throws Exception {
        java.net.http.HttpResponse<String> response = api.signed("lambda", "local-1", java.time.Instant.now(),
                method, path, Map.of("content-type", "application/json"), body.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(status, response.statusCode(), response.body());
        return response.body().isEmpty() ? null : dev.nube.engine.store.Json.mapper().readTree(response.body());
    }

    private static String refused(int status, String type, String method, String path, String body)
            throws Exception {
        java.net.http.HttpResponse<String> response = api.signed("lambda", "local-1", java.time.Instant.now(),
                method, path, Map.of("content-type", "application/json"), body.getBytes(
                        java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(type, response.headers().firstValue("X-Amzn-ErrorType").orElse(""), response.body());
        return response.body();
    }

    @Test
    void layersArePublishedListedUsedAndDeletedThroughTheApi() throws Exception {
        Path content = zip("helpers.zip", Map.of("python/helpers.py", "GREETING = 'hello from a layer'\n"));
        JsonNode one = api.aws("lambda", "publish-layer-version", "--layer-name", "helpers", "--description",
                "shared code", "--zip-file", "fileb://" + content, "--compatible-runtimes", PYTHON,
                "--license-info", "MIT").ok().json();
        assertEquals(1, one.path("Version").asInt());
        assertEquals("arn:aws:lambda:local-1:000000000000:layer:helpers", one.path("LayerArn").asText());
        String arn = "arn:aws:lambda:local-1:000000000000:layer:helpers:1";
        assertEquals(arn, one.path("LayerVersionArn").asText());
        assertEquals(sha256(content), one.path("Content").path("CodeSha256").asText());
        assertEquals(Files.size(content), one.path("Content").path("CodeSize").asLong());
        assertEquals(PYTHON, one.path("CompatibleRuntimes").get(0).asText());
        assertEquals(1, one.path("CompatibleRuntimes").size());
        assertArrayEquals(Files.readAllBytes(content), download(one.path("Content").path("Location").asText())
                .body(), "Content.Location downloads the zip as published");
        JsonNode two = call(201, "POST", "/2018-10-31/layers/helpers/versions", "{\"Content\": {\"ZipFile\": \""
                + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(content)) + "\"}}");
        assertEquals(2, two.path("Version").asInt());

        JsonNode listed = api.aws("lambda", "list-layers").ok().json().path("Layers");
        assertEquals(List.of("helpers"), texts(listed, "LayerName"));
        assertEquals(2, listed.get(0).path("LatestMatchingVersion").path("Version").asInt());
        assertEquals(1, call(200, "GET", "/2018-10-31/layers?CompatibleRuntime=" + PYTHON, "").path("Layers").get(0)
                .path("LatestMatchingVersion").path("Version").asInt(),
                "only version 1 names the runtime");
        assertEquals(List.of(2, 1), call(200, "GET", "/2018-10-31/layers/helpers/versions", "")
                .path("LayerVersions").findValuesAsText("Version").stream().map(Integer::parseInt).toList());
        assertEquals("shared code", call(200, "GET", "/2018-10-31/layers/helpers/versions/1", "")
                .path("Description").asText());
        assertEquals("MIT", api.aws("lambda", "get-layer-version-by-arn", "--arn", arn).ok().json()
                .path("LicenseInfo").asText());
        refused(400, "InvalidZipFileException", "POST", "/2018-10-31/layers/helpers/versions",
                "{\"Content\": {\"ZipFile\": \"" + java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(
                        zip("slip.zip", Map.of("../../evil.py", "x")))) + "\"}}");

        api.aws("lambda", "create-function", "--function-name", "layered", "--runtime", PYTHON, "--handler",
                "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip("layered.zip", Map.of("lambda_function.py", "import helpers\n"
                        + "def lambda_handler(event, context):\n    return helpers.GREETING\n"))).ok();
        JsonNode updated = api.aws("lambda", "update-function-configuration", "--function-name", "layered",
                "--layers", arn).ok().json();
        assertEquals(List.of(arn), texts(updated.path("Layers"), "Arn"));
        JsonNode configuration = api.aws("lambda", "get-function-configuration", "--function-name", "layered").ok()
                .json();
        assertEquals(configuration.path("Layers"), call(200, "GET", "/2015-03-31/functions/layered", "")
                .path("Configuration").path("Layers"), "GetFunction shows them too");
        assertEquals(List.of(arn), texts(configuration.path("Layers"), "Arn"));
        assertEquals(Files.size(content), configuration.path("Layers").get(0).path("CodeSize").asLong());
        Path out = dir.resolve("layered-out.json");
        api.aws("lambda", "invoke", "--function-name", "layered", out.toString()).ok();
        assertEquals("\"hello from a layer\"", Files.readString(out));

        String configure = "/2015-03-31/functions/layered/configuration";
        // A layer's runtimes are metadata, as on Lambda: a runtime its layer does not name is taken, the layer kept.
        assertEquals(List.of(arn), texts(call(200, "PUT", configure, "{\"Runtime\": \"" + NODE + "\"}")
                .path("Layers"), "Arn"));
        call(200, "PUT", configure, "{\"Runtime\": \"" + PYTHON + "\"}");
        assertTrue(refusal(api.aws("lambda", "update-function-configuration", "--function-name", "layered",
                "--layers", arn + "0")).contains("does not exist"));
        List<String> six = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add("\"" + arn.replaceAll(":helpers:", ":helpers-" + i + ":") + "\"");
        }
        assertTrue(refused(400, "InvalidParameterValueException", "PUT", configure, "{\"Layers\": ["
                + String.join(", ", six) + "]}").contains("more than 5 layers"));
        refused(400, "ValidationException", "PUT", configure, "{\"Layers\": [\"helpers\"]}");

        api.aws("lambda", "delete-layer-version", "--layer-name", "helpers", "--version-number", "1").ok();
        refused(404, "ResourceNotFoundException", "GET", "/2018-10-31/layers/helpers/versions/1", "");
        call(200, "PUT", configure, "{\"MemorySize\": 256}"); // a new environment: the files are the function's copy
        api.aws("lambda", "invoke", "--function-name", "layered", out.toString()).ok();
        assertEquals("\"hello from a layer\"", Files.readString(out));
        assertEquals(List.of(arn), texts(call(200, "GET", "/2015-03-31/functions/layered", "").path("Configuration")
                .path("Layers"), "Arn"), "a function keeps a deleted layer version");
        assertTrue(call(200, "PUT", configure, "{\"Layers\": []}").path("Layers").isMissingNode(), "removed");
    }
}
