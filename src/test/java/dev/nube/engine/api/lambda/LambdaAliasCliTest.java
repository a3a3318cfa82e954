package dev.nube.engine.api.lambda;

import static dev.nube.engine.api.lambda.LambdaCliTest.returning;
import static dev.nube.engine.api.lambda.LambdaCliTest.texts;
import static dev.nube.engine.api.lambda.LambdaCliTest.zip;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestBase;
import dev.nube.engine.api.ApiTestSupport;
import dev.nube.engine.store.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lambda's alias actions driven by the real {@code aws} CLI: create, get, list (filtered and page by page), update
 * (conditional on the RevisionId), invoke and GetFunction through an alias, a version an alias points to refused
 * deletion, and the refusals with Lambda's error types and status codes.
 */
@Tag("sandbox")
class LambdaAliasCliTest extends ApiTestBase {
    private static String refusal(ApiTestSupport.Result result) {
        assertTrue(result.exit() != 0, "refused: " + result.out());
        return result.err();
    }

    /** Sends a signed request the CLI would make and checks Lambda's refusal: status, error type; the message. */
    private static String refused(int status, String type, String method, String path, String body) throws Exception {
        HttpResponse<String> response = api.signed("lambda", "local-1", Instant.now(), method, path,
                Map.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(type, response.headers().firstValue("X-Amzn-ErrorType").orElse(""), response.body());
        return Json.mapper().readTree(response.body()).path("message").asText();
    }

    @Test
    void aliasesAreMadeInvokedUpdatedAndDeletedThroughTheApi() throws Exception {
        api.aws("lambda", "create-function", "--function-name", "aliased", "--runtime", PYTHON, "--handler",
                "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip("alias-one.zip", Map.of("lambda_function.py", returning("one"))), "--publish").ok();
        api.aws("lambda", "update-function-code", "--function-name", "aliased", "--zip-file", "fileb://"
                + zip("alias-two.zip", Map.of("lambda_function.py", returning("two"))), "--publish").ok();

        JsonNode live = api.aws("lambda", "create-alias", "--function-name", "aliased", "--name", "live",
                "--function-version", "1", "--description", "production").ok().json();
        assertEquals("arn:aws:lambda:local-1:000000000000:function:aliased:live", live.path("AliasArn").asText());
        assertEquals("live", live.path("Name").asText());
        assertEquals("1", live.path("FunctionVersion").asText());
        assertEquals("production", live.path("Description").asText());
        assertTrue(live.path("RoutingConfig").isMissingNode(), live.toString());
        assertFalse(live.path("RevisionId").asText().isEmpty());

        JsonNode canary = api.aws("lambda", "create-alias", "--function-name", "aliased", "--name", "canary",
                "--function-version", "1", "--routing-config", "AdditionalVersionWeights={2=0.3}").ok().json();
        assertEquals(0.3, canary.path("RoutingConfig").path("AdditionalVersionWeights").path("2").asDouble());

        assertTrue(refusal(api.aws("lambda", "create-alias", "--function-name", "aliased", "--name", "live",
                "--function-version", "2")).contains("ResourceConflictException"));
        String aliases = "/2015-03-31/functions/aliased/aliases";
        assertTrue(refused(409, "ResourceConflictException", "POST", aliases,
                "{\"Name\": \"live\", \"FunctionVersion\": \"1\"}").contains("Alias already exists"));
        refused(400, "InvalidParameterValueException", "POST", aliases,
                "{\"Name\": \"123\", \"FunctionVersion\": \"1\"}");
        refused(400, "InvalidParameterValueException", "POST", aliases, "{\"Name\": \"same\", \"FunctionVersion\":"
                + " \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"1\": 0.5}}}");
        refused(400, "InvalidParameterValueException", "POST", aliases, "{\"Name\": \"two\", \"FunctionVersion\":"
                + " \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"2\": 0.5, \"3\": 0.1}}}");
        refused(400, "InvalidRequestContentException", "POST", aliases, "{\"Name\": \"odd\", \"FunctionVersion\":"
                + " \"1\", \"RoutingConfig\": {\"AdditionalVersionWeights\": {\"2\": \"half\"}}}");
        refused(404, "ResourceNotFoundException", "POST", aliases, "{\"Name\": \"later\", \"FunctionVersion\":"
                + " \"7\"}");
        refused(404, "ResourceNotFoundException", "POST", "/2015-03-31/functions/nobody/aliases",
                "{\"Name\": \"live\", \"FunctionVersion\": \"1\"}");

        assertEquals(live, api.aws("lambda", "get-alias", "--function-name", "aliased", "--name", "live").ok()
                .json());
        assertEquals(List.of("canary", "live"), texts(api.aws("lambda", "list-aliases", "--function-name",
                "aliased").ok().json().path("Aliases"), "Name"));
        assertEquals(List.of("canary", "live"), texts(api.aws("lambda", "list-aliases", "--function-name",
                "aliased", "--page-size", "1").ok().json().path("Aliases"), "Name"),
                "the CLI followed NextMarker page by page");
        assertEquals(List.of("canary"), texts(api.aws("lambda", "list-aliases", "--function-name", "aliased",
                "--function-version", "2").ok().json().path("Aliases"), "Name"), "weighted versions count");

        refused(412, "PreconditionFailedException", "PUT", aliases + "/live", "{\"FunctionVersion\": \"2\","
                + " \"RevisionId\": \"not-it\"}");
        JsonNode moved = api.aws("lambda", "update-alias", "--function-name", "aliased", "--name", "live",
                "--function-version", "2", "--revision-id", live.path("RevisionId").asText()).ok().json();
        assertEquals("2", moved.path("FunctionVersion").asText());
        assertEquals("production", moved.path("Description").asText(), "what the update did not name stays");

        Path out = dir.resolve("alias-out.json");
        JsonNode invoked = api.aws("lambda", "invoke", "--function-name", "aliased", "--qualifier", "live",
                out.toString()).ok().json();
        assertEquals("2", invoked.path("ExecutedVersion").asText());
        assertEquals("\"two\"", Files.readString(out));
        JsonNode split = api.aws("lambda", "invoke", "--function-name", "aliased:canary", out.toString()).ok()
                .json();
        assertEquals(split.path("ExecutedVersion").asText().equals("1") ? "\"one\"" : "\"two\"",
                Files.readString(out), "the version the header names is the one that ran");
        JsonNode configuration = api.aws("lambda", "get-function", "--function-name", "aliased", "--qualifier",
                "live").ok().json().path("Configuration");
        assertEquals("2", configuration.path("Version").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:aliased:live",
                configuration.path("FunctionArn").asText());
        refused(404, "ResourceNotFoundException", "POST", "/2015-03-31/functions/aliased/invocations?Qualifier=gone",
                "{}");

        assertTrue(refused(409, "ResourceConflictException", "DELETE", "/2015-03-31/functions/aliased?Qualifier=2",
                "").contains("[canary, live]"));
        api.aws("lambda", "delete-alias", "--function-name", "aliased", "--name", "canary").ok();
        api.aws("lambda", "update-alias", "--function-name", "aliased", "--name", "live", "--function-version",
                "$LATEST").ok();
        api.aws("lambda", "delete-function", "--function-name", "aliased", "--qualifier", "1").ok();
        assertEquals(List.of("$LATEST", "2"), texts(api.aws("lambda", "list-versions-by-function",
                "--function-name", "aliased").ok().json().path("Versions"), "Version"));
        api.aws("lambda", "delete-alias", "--function-name", "aliased", "--name", "live").ok();
        refused(404, "ResourceNotFoundException", "GET", aliases + "/live", "");
        api.aws("lambda", "delete-function", "--function-name", "aliased").ok();
        refused(404, "ResourceNotFoundException", "GET", aliases, "");
    }
}
