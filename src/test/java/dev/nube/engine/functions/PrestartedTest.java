package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cold starts in runtimes started ahead: each is given one function, which sees only its own code, files and
 * variables, under its own memory limit from its first line on.
 */
class PrestartedTest extends SandboxTestBase {
    /** Reports what the function can see of itself and of the sandbox. */
    private static final String INSPECT = """
            import os, subprocess
            written = open("/tmp/mine", "w").write(os.environ["AWS_LAMBDA_FUNCTION_NAME"])
            def lambda_handler(event, context):
                child = subprocess.run(["/bin/sh", "-c", "echo $SECRET"], capture_output=True, text=True).stdout
                size = 0
                if event.get("mb"):
                    size = len(b"x" * (event["mb"] * 1024 * 1024))
                return {"task": sorted(os.listdir("/var/task")), "tmp": sorted(os.listdir("/tmp")),
                        "secret": os.environ.get("SECRET"), "child": child.strip(),
                        "name": context.function_name, "memory": context.memory_limit_in_mb, "size": size}
            """;

    private static Prestarted pool() {
        return ((Functions) f.functions).prestarted();
    }

    /** Waits for {@code count} waiting runtimes of {@code language} and returns their ids. */
    private static List<String> waitingRuntimes(RuntimeInfo.Language language, int count) throws Exception {
        waitUntil(count + " runtimes started ahead", 120, () -> pool().waitingIds(language).size() >= count);
        return pool().waitingIds(language);
    }

    private static String environmentOf(InvocationResult result) {
        String stream = result.logStream();
        return stream.substring(stream.lastIndexOf(']') + 1);
    }

    private static JsonNode json(InvocationResult result) throws Exception {
        assertNull(result.error(), result.payloadText());
        return Json.mapper().readTree(result.payload());
    }

    @Test
    void eachFunctionGetsARuntimeOfItsOwnWithItsCodeVariablesAndMemory() throws Exception {
        f.function(CreateFunctionRequest.of("first", PYTHON).withMemory(256).withEnvironment(Map.of("SECRET", "one")),
                Map.of("lambda_function.py", INSPECT, "first-only.txt", "1"));
        f.function(CreateFunctionRequest.of("second", PYTHON).withEnvironment(Map.of("SECRET", "two")),
                Map.of("lambda_function.py", INSPECT));
        f.invoke("first", "{}"); // the first cold start of the runtime starts the pool
        f.functions.updateConfiguration(REGION, "first", ConfigurationChange.none().description("again"));

        List<String> ready = waitingRuntimes(RuntimeInfo.Language.PYTHON, 2);
        InvocationResult first = f.invoke("first", "{\"mb\": 200}");
        assertTrue(ready.contains(environmentOf(first)), "a runtime started ahead: " + first.logStream());
        assertNotNull(first.initDurationMs());
        JsonNode seen = json(first);
        assertEquals("[\"first-only.txt\",\"lambda_function.py\"]", seen.get("task").toString());
        assertEquals("[\"mine\"]", seen.get("tmp").toString());
        assertEquals("one", seen.get("secret").asText());
        assertEquals("one", seen.get("child").asText(), "child processes get the function's variables");
        assertEquals("first", seen.get("name").asText());
        assertEquals("256", seen.get("memory").asText());
        assertEquals(200L << 20, seen.get("size").asLong(), "the limit was raised to the function's 256 MB");

        List<String> nowReady = waitingRuntimes(RuntimeInfo.Language.PYTHON, 2);
        InvocationResult second = f.invoke("second", "{}");
        assertTrue(nowReady.contains(environmentOf(second)), second.logStream());
        assertFalse(environmentOf(second).equals(environmentOf(first)), "used once");
        JsonNode other = json(second);
        assertEquals("[\"lambda_function.py\"]", other.get("task").toString(), "nothing of the first function");
        assertEquals("[\"mine\"]", other.get("tmp").toString());
        assertEquals("two", other.get("secret").asText());

        waitingRuntimes(RuntimeInfo.Language.PYTHON, 2);
        InvocationResult over = f.invoke("second", "{\"mb\": 200}");
        assertEquals("Runtime.ExitError", over.error().type(), "128 MB, its own limit, from the start");
        assertTrue(over.error().message().contains("out of memory"), over.error().message());
    }

    @Test
    void nodeAndAFunctionWhoseVariablesChangeTheInterpreterStart() throws Exception {
        f.function(CreateFunctionRequest.of("node-inspect", NODE).withMemory(1024), Map.of("index.js", """
                const fs = require('fs');
                exports.handler = async (event, context) => ({
                  task: fs.readdirSync('/var/task').sort(), secret: process.env.SECRET || null,
                  name: context.functionName, heap: require('v8').getHeapStatistics().heap_size_limit });
                """));
        long ownStart = json(f.invoke("node-inspect", "{}")).get("heap").asLong(); // and node's 1024 MB pool fills
        f.functions.updateConfiguration(REGION, "node-inspect", ConfigurationChange.none().environment(
                Map.of("SECRET", "three")));
        List<String> ready = waitingRuntimes(RuntimeInfo.Language.NODE, 2);
        InvocationResult result = f.invoke("node-inspect", "{}");
        assertTrue(ready.contains(environmentOf(result)), result.logStream());
        JsonNode seen = json(result);
        assertEquals("[\"index.js\"]", seen.get("task").toString());
        assertEquals("three", seen.get("secret").asText());
        assertEquals("node-inspect", seen.get("name").asText());
        assertEquals(ownStart, seen.get("heap").asLong(), "node sized its heap for the function's 1024 MB");

        f.function(CreateFunctionRequest.of("own-path", PYTHON).withEnvironment(Map.of("PYTHONPATH", "/var/task/lib")),
                Map.of("lambda_function.py", "import helper\ndef lambda_handler(e, c):\n    return helper.VALUE\n",
                        "lib/helper.py", "VALUE = 42\n"));
        List<String> pythonReady = pool().waitingIds(RuntimeInfo.Language.PYTHON);
        InvocationResult own = f.invoke("own-path", "{}");
        assertEquals("42", own.payloadText(), "PYTHONPATH took effect: the interpreter started with it");
        assertFalse(pythonReady.contains(environmentOf(own)), "started for it, not ahead");
    }

    @Test
    void codeWithTooManyFilesToLinkStartsItsOwnRuntime() throws Exception {
        Map<String, String> files = new java.util.HashMap<>();
        files.put("lambda_function.py", "import os\ndef lambda_handler(e, c):\n    return len(os.listdir('/var/task/data'))\n");
        for (int i = 0; i <= Prestarted.MAX_LINKED_FILES; i++) {
            files.put("data/" + i + ".txt", Integer.toString(i));
        }
        f.function(CreateFunctionRequest.of("many-files", PYTHON), files);
        f.python("starts-pool", "def lambda_handler(e, c):\n    return 1\n");
        f.invoke("starts-pool", "{}");
        for (int attempt = 0; attempt < 2; attempt++) {
            List<String> ready = waitingRuntimes(RuntimeInfo.Language.PYTHON, 1);
            InvocationResult result = f.invoke("many-files", "{}");
            assertEquals(Integer.toString(Prestarted.MAX_LINKED_FILES + 1), result.payloadText());
            assertFalse(ready.contains(environmentOf(result)), "a runtime of its own: " + result.logStream());
            f.functions.updateConfiguration(REGION, "many-files", ConfigurationChange.none().description("" + attempt));
        }
    }

    @Test
    void nothingIsLeftOnceTheEngineCloses() throws Exception {
        Path tasks = dir.resolve("home").resolve("run").resolve("function-code");
        f.python("leftover", "def lambda_handler(e, c):\n    return 1\n");
        f.invoke("leftover", "{}");
        waitingRuntimes(RuntimeInfo.Language.PYTHON, 2);
        try (var folders = Files.list(tasks)) {
            assertTrue(folders.count() >= 2, "each waiting runtime has its own /var/task");
        }
        f.close();
        f = new FunctionsFixture(dir); // for the class's last step, and a fresh pool
        if (Files.exists(tasks)) {
            try (var folders = Files.list(tasks)) {
                assertEquals(List.of(), folders.toList(), "no /var/task folder is left");
            }
        }
    }
}
