package dev.nube.engine.api.lambda;

import static dev.nube.engine.api.lambda.FunctionUrlTest.curl;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestBase;
import dev.nube.engine.functions.CreateFunctionRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Function URLs of aliases, with the real {@code aws} CLI and {@code curl}: a URL per alias beside $LATEST's, each
 * with its own address; calling an alias's URL runs the version the alias points to (following it when it moves, and
 * its weighted routing); a version number refused as a qualifier; deleting the alias deletes its URL.
 */
@Tag("sandbox")
class FunctionUrlAliasTest extends ApiTestBase {
    private static final String REGION = "local-1";

    private static String versionAt(String url) throws Exception {
        FunctionUrlTest.Answer answer = curl(url);
        assertEquals(200, answer.status(), answer.text());
        return answer.json().asText();
    }

    @Test
    void anAliasHasItsOwnUrlThatRunsItsVersions() throws Exception {
        engine.functions().create(REGION, CreateFunctionRequest.of("by-alias", PYTHON));
        engine.functionCode().writeFile(REGION, "by-alias", "lambda_function.py", ("import os\n"
                + "def lambda_handler(event, context):\n    return os.environ['AWS_LAMBDA_FUNCTION_VERSION']\n")
                .getBytes(StandardCharsets.UTF_8));
        engine.functions().publishVersion(REGION, "by-alias", "");
        engine.functions().publishVersion(REGION, "by-alias", "");
        engine.functions().createAlias(REGION, "by-alias", "live", "1", "", Map.of());

        JsonNode live = api.aws("lambda", "create-function-url-config", "--function-name", "by-alias", "--qualifier",
                "live", "--auth-type", "NONE").ok().json();
        assertEquals("arn:aws:lambda:local-1:000000000000:function:by-alias:live", live.path("FunctionArn").asText());
        JsonNode latest = api.aws("lambda", "create-function-url-config", "--function-name", "by-alias",
                "--auth-type", "NONE").ok().json();
        String liveUrl = live.path("FunctionUrl").asText();
        String latestUrl = latest.path("FunctionUrl").asText();
        assertNotEquals(liveUrl, latestUrl, "each has its own address");
        assertEquals(List.of(latestUrl, liveUrl), api.aws("lambda", "list-function-url-configs", "--function-name",
                "by-alias").ok().json().path("FunctionUrlConfigs").findValuesAsText("FunctionUrl"));
        assertEquals(liveUrl, api.aws("lambda", "get-function-url-config", "--function-name", "by-alias:live").ok()
                .json().path("FunctionUrl").asText());

        assertEquals("1", versionAt(liveUrl));
        assertEquals("$LATEST", versionAt(latestUrl));
        engine.functions().updateAlias(REGION, "by-alias", "live", "2", null, null, null);
        assertEquals("2", versionAt(liveUrl), "the URL follows its alias");
        engine.functions().updateAlias(REGION, "by-alias", "live", "1", null, Map.of("2", 0.5), null);
        Set<String> ran = new HashSet<>();
        for (int i = 0; i < 24 && ran.size() < 2; i++) {
            ran.add(versionAt(liveUrl));
        }
        assertEquals(Set.of("1", "2"), ran, "invocations split by the alias's weights");

        HttpResponseCheck.refused(api.signed("lambda", REGION, Instant.now(), "POST",
                "/2021-10-31/functions/by-alias/url?Qualifier=2", Map.of("content-type", "application/json"),
                "{\"AuthType\": \"NONE\"}".getBytes(StandardCharsets.UTF_8)), 400, "InvalidParameterValueException");
        HttpResponseCheck.refused(api.signed("lambda", REGION, Instant.now(), "POST",
                "/2021-10-31/functions/by-alias/url?Qualifier=gone", Map.of("content-type", "application/json"),
                "{\"AuthType\": \"NONE\"}".getBytes(StandardCharsets.UTF_8)), 404, "ResourceNotFoundException");

        api.aws("lambda", "delete-alias", "--function-name", "by-alias", "--name", "live").ok();
        assertEquals(404, curl(liveUrl).status(), "the alias's URL went with it");
        assertEquals("$LATEST", versionAt(latestUrl));
        assertEquals(1, engine.functionUrls().list(REGION, "by-alias").size());
        engine.functions().createAlias(REGION, "by-alias", "live", "1", "", Map.of());
        assertTrue(engine.functionUrls().find(REGION, "by-alias", "live").isEmpty(),
                "an alias made again under the name has no URL");
    }

    /** Checks a refusal's status and Lambda error type. */
    private static final class HttpResponseCheck {
        static void refused(java.net.http.HttpResponse<String> response, int status, String type) {
            assertEquals(status, response.statusCode(), response.body());
            assertEquals(type, response.headers().firstValue("X-Amzn-ErrorType").orElse(""), response.body());
        }
    }
}
