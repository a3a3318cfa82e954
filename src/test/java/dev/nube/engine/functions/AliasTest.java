package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Aliases of real functions: Lambda's rules for names, versions and weights; stored with the function across a
 * restart and gone with it; versions they point to kept; invocations by alias running the alias's version, and a
 * weighted alias splitting invocations by its weight.
 */
class AliasTest extends SandboxTestBase {
    /** A handler that answers {@code answer} with what Lambda told it about the invocation. */
    private static String handler(String answer) {
        return """
                import os
                def lambda_handler(event, context):
                    return {"answer": "%s", "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
                            "arn": context.invoked_function_arn}
                """.formatted(answer);
    }

    private static void write(String name, String answer) {
        f.code.writeFile(REGION, name, "lambda_function.py", handler(answer).getBytes(StandardCharsets.UTF_8));
    }

    private static String refused(String code, Executable call) {
        EngineException e = assertThrows(EngineException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aliasesFollowLambdasRulesAndAreKeptWithTheFunction() {
        FunctionService s = f.functions;
        f.python("aliased", handler("one"));
        s.publishVersion(REGION, "aliased", "one");
        s.publishVersion(REGION, "aliased", "two");
        String invalid = "InvalidParameterValueException";
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "", "1", "", Map.of()))
                .contains("Enter an alias name"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "123", "1", "", Map.of()))
                .contains("only digits"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "$LATEST", "1", "", Map.of()))
                .contains("$LATEST"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "has space", "1", "", Map.of()))
                .contains("only letters, digits"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "a".repeat(129), "1", "", Map.of()))
                .contains("at most 128"));
        assertTrue(refused("ResourceNotFoundException", () -> s.createAlias(REGION, "aliased", "live", "3", "",
                Map.of())).contains("function:aliased:3"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "latest", "", Map.of()))
                .contains("neither"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "1", "", Map.of("2", 0.1,
                "3", 0.1))).contains("at most one additional version"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "1", "", Map.of("2", 1.0)))
                .contains("not including"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "1", "", Map.of("2", -0.1)))
                .contains("not including"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "$LATEST", "",
                Map.of("2", 0.5))).contains("$LATEST is not supported"));
        assertTrue(refused(invalid, () -> s.createAlias(REGION, "aliased", "live", "1", "", Map.of("1", 0.5)))
                .contains("already the alias's version"));
        assertTrue(refused("ResourceNotFoundException", () -> s.createAlias(REGION, "aliased", "live", "1", "",
                Map.of("5", 0.5))).contains("function:aliased:5"));
        assertTrue(s.aliases(REGION, "aliased").isEmpty(), "nothing refused was kept");

        FunctionAlias live = s.createAlias(REGION, "aliased", "live", "1", "production", Map.of());
        s.createAlias(REGION, "aliased", "dev", "$LATEST", "", Map.of());
        assertTrue(refused("ResourceConflictException", () -> s.createAlias(REGION, "aliased", "live", "2", "",
                Map.of())).contains("Alias already exists: arn:aws:lambda:local-1:000000000000:function:aliased:live"));
        refused("PreconditionFailedException", () -> s.updateAlias(REGION, "aliased", "live", "2", null, null,
                "not-the-revision"));
        FunctionAlias canary = s.updateAlias(REGION, "aliased", "live", null, null, Map.of("2", 0.25),
                live.revisionId());
        assertEquals("1", canary.functionVersion());
        assertEquals("production", canary.description(), "what the update did not name stays");
        assertEquals(Map.of("2", 0.25), canary.additionalVersionWeights());
        assertFalse(canary.revisionId().equals(live.revisionId()));
        refused("ResourceNotFoundException", () -> s.updateAlias(REGION, "aliased", "nope", "1", null, null, null));
        refused("ResourceNotFoundException", () -> s.alias(REGION, "aliased", "nope"));
        assertEquals(List.of("dev", "live"), s.aliases(REGION, "aliased").stream().map(FunctionAlias::name).toList());

        assertTrue(refused("ResourceConflictException", () -> s.deleteVersion(REGION, "aliased", "2"))
                .contains("[live]"), "an additional version is in use too");
        assertTrue(refused("ResourceConflictException", () -> s.deleteVersion(REGION, "aliased", "1"))
                .contains("[live]"));
        refused(invalid, () -> s.deleteVersion(REGION, "aliased", "$LATEST"));
        refused("ResourceNotFoundException", () -> s.deleteVersion(REGION, "aliased", "9"));

        f.close();
        f = new FunctionsFixture(dir); // reopened: read back from disk
        FunctionService reopened = f.functions;
        assertEquals(canary, reopened.alias(REGION, "aliased", "live"));
        FunctionAlias plain = reopened.updateAlias(REGION, "aliased", "live", null, null, Map.of(), null);
        assertTrue(plain.additionalVersionWeights().isEmpty(), "an empty routing removes the weights");
        reopened.deleteVersion(REGION, "aliased", "2");
        assertEquals(List.of("1"), reopened.versions(REGION, "aliased").stream().map(FunctionVersion::version)
                .toList());
        refused("ResourceNotFoundException", () -> reopened.updateAlias(REGION, "aliased", "live", "2", null, null,
                null));
        reopened.deleteAlias(REGION, "aliased", "dev");
        refused("ResourceNotFoundException", () -> reopened.deleteAlias(REGION, "aliased", "dev"));
        assertEquals(List.of("live"), reopened.aliases(REGION, "aliased").stream().map(FunctionAlias::name).toList());

        java.nio.file.Path folder = ((Functions) reopened).repository().folder(reopened.get(REGION, "aliased"));
        assertTrue(Files.exists(folder.resolve("aliases.json")));
        reopened.delete(REGION, "aliased");
        assertFalse(Files.exists(folder), "the aliases went with the function");
        f.python("aliased", handler("again"));
        assertTrue(reopened.aliases(REGION, "aliased").isEmpty(), "a function of the same name starts without");
        reopened.delete(REGION, "aliased");
    }

    @Test
    void weightsSplitOnlyBetweenVersionsOfTheSameRole() {
        FunctionService s = f.functions;
        s.create(REGION, CreateFunctionRequest.of("roles", TestRuntimes.PYTHON)
                .withRole("arn:aws:iam::000000000000:role/a"));
        FunctionVersion one = s.publishVersion(REGION, "roles", "");
        assertEquals("arn:aws:iam::000000000000:role/a", one.role(), "a version keeps the role it was published with");
        s.updateConfiguration(REGION, "roles", ConfigurationChange.none().role("arn:aws:iam::000000000000:role/b"));
        s.publishVersion(REGION, "roles", "");
        assertTrue(refused("InvalidParameterValueException", () -> s.createAlias(REGION, "roles", "split", "1", "",
                Map.of("2", 0.5))).contains("different execution roles"));
        s.createAlias(REGION, "roles", "plain", "1", "", Map.of()); // one version: any role
        s.updateConfiguration(REGION, "roles", ConfigurationChange.none().role("arn:aws:iam::000000000000:role/a"));
        s.publishVersion(REGION, "roles", "");
        assertEquals(Map.of("3", 0.5), s.createAlias(REGION, "roles", "split", "1", "", Map.of("3", 0.5))
                .additionalVersionWeights());
        s.delete(REGION, "roles");
    }

    @Test
    void anAliasRunsItsVersionsCode() throws Exception {
        FunctionService s = f.functions;
        f.python("by-alias", handler("one"));
        s.publishVersion(REGION, "by-alias", "");
        write("by-alias", "two");
        s.publishVersion(REGION, "by-alias", "");
        write("by-alias", "three");
        FunctionAlias live = s.createAlias(REGION, "by-alias", "live", "1", "", Map.of());

        InvocationResult one = s.invoke(REGION, "by-alias", InvokeRequest.of("{}").qualified("live"));
        assertNull(one.error(), one.payloadText());
        JsonNode out = Json.mapper().readTree(one.payload());
        assertEquals("one", out.path("answer").asText());
        assertEquals("1", out.path("version").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:by-alias:live", out.path("arn").asText());
        assertEquals("1", one.executedVersion());
        assertTrue(one.logTail().contains(" Version: 1"), one.logTail());

        s.updateAlias(REGION, "by-alias", "live", "2", null, null, live.revisionId());
        InvocationResult two = s.invoke(REGION, "by-alias", InvokeRequest.of("{}").qualified("live"));
        assertEquals("two", Json.mapper().readTree(two.payload()).path("answer").asText());
        assertEquals("2", two.executedVersion());

        s.updateAlias(REGION, "by-alias", "live", "$LATEST", null, null, null);
        InvocationResult latest = s.invoke(REGION, "by-alias", InvokeRequest.of("{}").qualified("live"));
        assertEquals("three", Json.mapper().readTree(latest.payload()).path("answer").asText());
        assertEquals("$LATEST", latest.executedVersion());

        assertTrue(refused("ResourceNotFoundException", () -> s.invoke(REGION, "by-alias",
                InvokeRequest.of("{}").qualified("staging"))).contains("function:by-alias:staging"));
        s.delete(REGION, "by-alias");
    }

    /**
     * 1,000 invocations of an alias sending 0.3 to version 2: the count that ran version 2 is binomial (mean 300,
     * standard deviation 14.5), so it lies within five deviations (228 to 372) unless the weight is ignored (0 or
     * 1,000) or misread; the function's metrics count the same split per version.
     */
    @Test
    void aWeightedAliasSplitsInvocationsByItsWeight() {
        FunctionService s = f.functions;
        f.python("weighted", "import os\ndef lambda_handler(e, c):\n"
                + "    return os.environ['AWS_LAMBDA_FUNCTION_VERSION']\n");
        s.publishVersion(REGION, "weighted", "");
        s.publishVersion(REGION, "weighted", "");
        s.createAlias(REGION, "weighted", "canary", "1", "", Map.of("2", 0.3));
        ((Functions) s).routeWith(new SplittableRandom(20261203L));
        Instant from = Instant.now().minus(Duration.ofMinutes(1));
        int n = 1000;
        int second = 0;
        for (int i = 0; i < n; i++) {
            InvocationResult result = s.invoke(REGION, "weighted", InvokeRequest.of("{}").qualified("canary")
                    .withoutLogTail());
            assertNull(result.error(), result.payloadText());
            assertEquals("\"" + result.executedVersion() + "\"", result.payloadText(), "the version that ran");
            if (result.executedVersion().equals("2")) {
                second++;
            } else {
                assertEquals("1", result.executedVersion());
            }
        }
        double sd = Math.sqrt(n * 0.3 * 0.7);
        assertTrue(Math.abs(second - n * 0.3) <= 5 * sd, second + " of " + n + " ran version 2");
        Map<String, Long> counted = f.monitor.invocationsByVersion(REGION, "weighted", from,
                Instant.now().plus(Duration.ofMinutes(1)));
        assertEquals(Map.of("1", (long) (n - second), "2", (long) second), counted);
        s.delete(REGION, "weighted");
    }

    @Test
    void aDrawBelowTheWeightPicksTheAdditionalVersion() {
        FunctionAlias alias = new FunctionAlias("a", "1", "", Map.of("2", 0.3), "r");
        assertEquals("2", alias.pick(0.0));
        assertEquals("2", alias.pick(0.2999));
        assertEquals("1", alias.pick(0.3));
        assertEquals("1", alias.pick(0.9999));
        assertEquals("1", new FunctionAlias("a", "1", "", Map.of(), "r").pick(0.0));
        assertTrue(AliasRules.nameProblem("blue-green_2").isEmpty());
        assertTrue(AliasRules.routingProblem("1", Map.of("2", 0.5)).isEmpty());
        assertTrue(AliasRules.routingProblem("1", Map.of("2", 1.5)).isPresent());
    }
}
