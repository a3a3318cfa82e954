package dev.nube.engine.api.logs;

import dev.nube.engine.api.ApiTestBase;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.api.ApiTestSupport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A function's logs read through CloudWatch Logs' API with the real {@code aws} CLI: its log group and streams, the
 * events of a stream page by page, filtered events across streams, and {@code aws logs tail}.
 */
@Tag("sandbox")
class LogsCliTest extends ApiTestBase {
    static String stream;

    @BeforeAll
    static void invokeOnce() throws Exception {
        Path zip = dev.nube.engine.api.lambda.LambdaCliTestZips.zip(dir.resolve("logged.zip"), Map.of(
                "lambda_function.py", """
                        def lambda_handler(event, context):
                            print("handling", event["n"])
                            return event["n"]
                        """));
        api.aws("lambda", "create-function", "--function-name", "logged", "--runtime", PYTHON, "--handler",
                "lambda_function.lambda_handler", "--role", "arn:aws:iam::000000000000:role/r", "--zip-file",
                "fileb://" + zip).ok();
        for (int n = 1; n <= 3; n++) {
            api.aws("lambda", "invoke", "--function-name", "logged", "--cli-binary-format", "raw-in-base64-out",
                    "--payload", "{\"n\": " + n + "}", dir.resolve("out.json").toString()).ok();
        }
        JsonNode streams = api.aws("logs", "describe-log-streams", "--log-group-name", "/aws/lambda/logged",
                "--order-by", "LastEventTime", "--descending").ok().json().path("logStreams");
        assertEquals(1, streams.size(), "one warm environment served the three");
        stream = streams.path(0).path("logStreamName").asText();
        assertTrue(stream.matches("\\d{4}/\\d\\d/\\d\\d/\\[\\$LATEST\\][0-9a-f]{32}"), stream);
        assertTrue(streams.path(0).path("lastEventTimestamp").asLong() >= streams.path(0)
                .path("firstEventTimestamp").asLong());
    }

    @Test
    void aFunctionIsALogGroup() throws Exception {
        JsonNode groups = api.aws("logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/log").ok()
                .json().path("logGroups");
        assertEquals(1, groups.size());
        assertEquals("/aws/lambda/logged", groups.path(0).path("logGroupName").asText());
        assertEquals("arn:aws:logs:local-1:000000000000:log-group:/aws/lambda/logged:*", groups.path(0).path("arn")
                .asText());
        assertEquals(0, api.aws("logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/other").ok()
                .json().path("logGroups").size());
        ApiTestSupport.Result missing = api.aws("logs", "describe-log-streams", "--log-group-name",
                "/aws/lambda/nothing");
        assertTrue(missing.err().contains("ResourceNotFoundException"), missing.err());
    }

    @Test
    void aStreamsEventsArePagedForwardUntilTheTokenRepeats() throws Exception {
        JsonNode whole = api.aws("logs", "get-log-events", "--log-group-name", "/aws/lambda/logged",
                "--log-stream-name", stream, "--start-from-head").ok().json();
        List<String> all = messages(whole.path("events"));
        assertEquals(3, all.stream().filter(m -> m.startsWith("START RequestId: ")).count(), all.toString());
        assertEquals(3, all.stream().filter(m -> m.startsWith("REPORT RequestId: ")).count(), all.toString());
        assertEquals(List.of("handling 1", "handling 2", "handling 3"), all.stream().filter(m -> m.startsWith(
                "handling")).toList());

        List<String> paged = new ArrayList<>();
        String token = null;
        for (int pages = 0; pages < 100; pages++) {
            List<String> args = new ArrayList<>(List.of("logs", "get-log-events", "--log-group-name",
                    "/aws/lambda/logged", "--log-stream-name", stream, "--limit", "2", "--start-from-head"));
            if (token != null) {
                args.addAll(List.of("--next-token", token));
            }
            JsonNode page = api.aws(args.toArray(String[]::new)).ok().json();
            paged.addAll(messages(page.path("events")));
            String next = page.path("nextForwardToken").asText();
            if (next.equals(token)) {
                break;
            }
            token = next;
        }
        assertEquals(all, paged, "pages of two, then the same token back");

        JsonNode last = api.aws("logs", "get-log-events", "--log-group-name", "/aws/lambda/logged",
                "--log-stream-name", stream, "--limit", "1").ok().json();
        assertEquals(List.of(all.get(all.size() - 1)), messages(last.path("events")), "without startFromHead: the"
                + " newest");
        JsonNode before = api.aws("logs", "get-log-events", "--log-group-name", "/aws/lambda/logged",
                "--log-stream-name", stream, "--limit", "1", "--next-token", last.path("nextBackwardToken").asText())
                .ok().json();
        assertEquals(List.of(all.get(all.size() - 2)), messages(before.path("events")));
    }

    @Test
    void filteredEventsMatchTheirTermsAndComePageByPage() throws Exception {
        JsonNode handling = api.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/logged",
                "--filter-pattern", "handling").ok().json();
        assertEquals(List.of("handling 1", "handling 2", "handling 3"), messages(handling.path("events")));
        assertEquals(stream, handling.path("events").path(0).path("logStreamName").asText());
        assertFalse(handling.path("events").path(0).path("eventId").asText().isEmpty());
        assertEquals(List.of("handling 2"), messages(api.aws("logs", "filter-log-events", "--log-group-name",
                "/aws/lambda/logged", "--log-stream-names", stream, "--filter-pattern", "\"handling 2\"").ok().json()
                .path("events")));
        long third = handling.path("events").path(2).path("timestamp").asLong();
        assertEquals(List.of("handling 3"), messages(api.aws("logs", "filter-log-events", "--log-group-name",
                "/aws/lambda/logged", "--filter-pattern", "handling", "--start-time", Long.toString(third),
                "--end-time", Long.toString(third + 1)).ok().json().path("events")));

        JsonNode everything = api.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/logged").ok()
                .json();
        JsonNode paged = api.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/logged",
                "--page-size", "1").ok().json();
        assertEquals(messages(everything.path("events")), messages(paged.path("events")),
                "the CLI followed nextToken one event at a time");
        assertNotEquals(0, everything.path("events").size());
        ApiTestSupport.Result json = api.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/logged",
                "--filter-pattern", "{ $.level = \"ERROR\" }");
        assertTrue(json.err().contains("InvalidParameterException"), json.err());
    }

    @Test
    void logsTailPrintsTheFunctionsLines() throws Exception {
        ApiTestSupport.Result tail = api.aws("logs", "tail", "/aws/lambda/logged", "--since", "1h").ok();
        for (String line : List.of("handling 1", "handling 3", "START RequestId: ", "REPORT RequestId: ")) {
            assertTrue(tail.out().contains(line), tail.out());
        }
        assertTrue(tail.out().lines().allMatch(l -> l.contains(stream)), tail.out());
    }

    static List<String> messages(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("message").asText()));
        return out;
    }
}
