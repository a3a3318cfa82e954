package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Layers of real functions: published as numbered immutable versions, refused as a function's bad zip is; merged
 * read-only under /opt in order (a later layer's file over an earlier one's) where python imports from /opt/python
 * and node requires from /opt/nodejs/node_modules, in a fresh runtime and in one started ahead; Lambda's limits
 * (five layers, 250 MB with the code, compatible runtimes); a deleted layer version still running in the functions
 * that have it.
 */
class LayerTest extends SandboxTestBase {
    private static final String PYTHON_HANDLER = """
            import errno, os
            def lambda_handler(event, context):
                import mymod, shared
                try:
                    open("/opt/python/new.py", "w").write("x")
                    written = "written"
                except OSError as e:
                    written = errno.errorcode[e.errno]
                return {"mod": mymod.VALUE, "who": shared.WHO, "wroteOpt": written, "path": os.environ["PATH"],
                        "ld": os.environ["LD_LIBRARY_PATH"], "tool": os.path.exists("/opt/bin/tool")}
            """;

    private static Path zip(String name, Map<String, String> files) throws Exception {
        Path zip = dir.resolve(name);
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        return zip;
    }

    private static LayerService layers() {
        return f.engine.layers();
    }

    private static String refused(String code, Executable call) {
        EngineException e = assertThrows(EngineException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        return e.getMessage();
    }

    private static JsonNode json(InvocationResult result) throws Exception {
        assertNull(result.error(), result.payloadText() + "\n" + result.logTail());
        return Json.mapper().readTree(result.payload());
    }

    private static LayerVersion publish(String name, Map<String, String> files) throws Exception {
        return layers().publish(REGION, PublishLayerRequest.of(name), zip(name + ".zip", files));
    }

    @Test
    void versionsAreNumberedImmutableAndBadZipsRefused() throws Exception {
        LayerVersion one = publish("numbered", Map.of("python/a.py", "A = 1\n"));
        LayerVersion two = layers().publish(REGION, PublishLayerRequest.of("numbered").withDescription("second")
                .withRuntimes(List.of(PYTHON)), zip("numbered2.zip", Map.of("python/a.py", "A = 2\n")));
        assertEquals(1, one.version());
        assertEquals(2, two.version());
        assertEquals("arn:aws:lambda:" + REGION + ":000000000000:layer:numbered:2", two.arn());
        assertEquals(List.of(2, 1), layers().versions(REGION, "numbered").stream().map(LayerVersion::version)
                .toList());
        assertEquals(List.of(PYTHON), layers().version(REGION, "numbered", 2).compatibleRuntimes());
        assertTrue(layers().layers(REGION).stream().anyMatch(l -> l.name().equals("numbered") && l.version() == 2));

        refused("InvalidZipFileException", () -> layers().publish(REGION, PublishLayerRequest.of("numbered"),
                zip("slip.zip", Map.of("../../evil.py", "x"))));
        refused("InvalidParameterValueException", () -> layers().publish(REGION, PublishLayerRequest.of("bad name"),
                zip("ok.zip", Map.of("a", "b"))));
        assertEquals(2, layers().versions(REGION, "numbered").size(), "a refused zip made no version");

        layers().delete(REGION, "numbered", 2);
        layers().delete(REGION, "numbered", 2); // as Lambda: deleting what is gone does nothing
        refused("ResourceNotFoundException", () -> layers().version(REGION, "numbered", 2));
        assertEquals(3, publish("numbered", Map.of("python/a.py", "A = 3\n")).version(), "a number is never reused");
        assertTrue(((Functions) f.functions).contentsOf(f.engine.regions().get(REGION)).stream().anyMatch(
                c -> c.endsWith("layer versions")), "layers keep their region from being removed");
    }

    @Test
    void pythonAndNodeFindTheirLayersMergedInOrderUnderReadOnlyOpt() throws Exception {
        LayerVersion a = publish("lib-a", Map.of("python/mymod.py", "VALUE = 'from a'\n",
                "python/shared.py", "WHO = 'a'\n", "bin/tool", "#!/bin/sh\n",
                "nodejs/node_modules/x/index.js", "module.exports = 'x from a';\n"));
        LayerVersion b = publish("lib-b", Map.of("python/shared.py", "WHO = 'b'\n"));
        FunctionService s = f.functions;
        s.updateSettings(s.settings().withPrestarted(0)); // a runtime started for the function
        f.python("layered", PYTHON_HANDLER);
        FunctionConfiguration function = s.updateConfiguration(REGION, "layered", ConfigurationChange.none()
                .layers(List.of(a.arn(), b.arn())));
        assertEquals(List.of(a.arn(), b.arn()), function.layers().stream().map(FunctionLayer::arn).toList());
        JsonNode out = json(f.invoke("layered", "{}"));
        assertEquals("from a", out.get("mod").asText());
        assertEquals("b", out.get("who").asText(), "the later layer's file wins");
        assertEquals("EROFS", out.get("wroteOpt").asText(), "/opt is read-only");
        assertTrue(out.get("tool").asBoolean());
        assertTrue(out.get("path").asText().endsWith(":/opt/bin"), out.get("path").asText());
        assertTrue(out.get("ld").asText().contains("/opt/lib"), out.get("ld").asText());

        // in a runtime started ahead: the layers are linked into its /opt as its code into /var/task
        s.updateSettings(s.settings().withPrestarted(1));
        f.python("starter", "def lambda_handler(event, context):\n    return 1\n");
        f.invoke("starter", "{}"); // the pool fills from a first cold start
        waitUntil("a python runtime started ahead", 120, () -> !((Functions) s).prestarted().waitingIds(
                RuntimeInfo.Language.PYTHON).isEmpty());
        List<String> waiting = ((Functions) s).prestarted().waitingIds(RuntimeInfo.Language.PYTHON);
        s.updateConfiguration(REGION, "layered", ConfigurationChange.none().layers(List.of(b.arn(), a.arn())));
        InvocationResult reordered = f.invoke("layered", "{}");
        String environment = reordered.logStream().substring(reordered.logStream().lastIndexOf(']') + 1);
        assertTrue(waiting.contains(environment), "ran in the runtime started ahead " + waiting + ": " + environment);
        JsonNode swapped = json(reordered);
        assertEquals("a", swapped.get("who").asText(), "order reversed: a's file wins now");
        assertEquals("EROFS", swapped.get("wroteOpt").asText());
        s.updateSettings(s.settings().withPrestarted(0));

        f.node("noded", "exports.handler = async () => ({x: require('x')});\n");
        s.updateConfiguration(REGION, "noded", ConfigurationChange.none().layers(List.of(a.arn())));
        assertEquals("x from a", json(f.invoke("noded", "{}")).get("x").asText());
    }

    @Test
    void lambdasLimitsAreKept() throws Exception {
        FunctionService s = f.functions;
        f.python("limited", "def lambda_handler(event, context):\n    return 1\n");
        List<String> six = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            six.add(publish("six-" + i, Map.of("python/m" + i + ".py", "x = 1\n")).arn());
        }
        assertTrue(refused("InvalidParameterValueException", () -> s.updateConfiguration(REGION, "limited",
                ConfigurationChange.none().layers(six))).contains("more than 5 layers"));
        s.updateConfiguration(REGION, "limited", ConfigurationChange.none().layers(six.subList(0, 5)));
        assertEquals(5, s.get(REGION, "limited").layers().size());

        assertTrue(refused("InvalidParameterValueException", () -> s.updateConfiguration(REGION, "limited",
                ConfigurationChange.none().layers(List.of(six.get(0).replaceAll(":[0-9]+$", ":99")))))
                .contains("does not exist"));
        assertTrue(refused("InvalidParameterValueException", () -> s.updateConfiguration(REGION, "limited",
                ConfigurationChange.none().layers(List.of(six.get(0), six.get(0))))).contains("same layer"));
        LayerVersion nodeOnly = layers().publish(REGION, PublishLayerRequest.of("node-only").withRuntimes(
                List.of(NODE)), zip("node-only.zip", Map.of("nodejs/node_modules/y/index.js", "1")));
        // Its runtimes are metadata, as on Lambda: a python function may still use a layer that names only node.
        f.python("any-layer", "def lambda_handler(event, context):\n    return 1\n");
        s.updateConfiguration(REGION, "any-layer", ConfigurationChange.none().layers(List.of(nodeOnly.arn())));
        assertEquals(List.of(nodeOnly.arn()), s.get(REGION, "any-layer").layers().stream().map(FunctionLayer::arn)
                .toList());

        LayerVersion big = publish("big", Map.of("python/big.py", "#" + "x".repeat(200_000) + "\n"));
        ((Functions) s).limitUnzippedBytes(100_000);
        try {
            assertTrue(refused("InvalidParameterValueException", () -> s.updateConfiguration(REGION, "limited",
                    ConfigurationChange.none().layers(List.of(big.arn())))).contains("exceeds the maximum"));
            assertTrue(refused("InvalidParameterValueException", () -> s.create(REGION, CreateFunctionRequest.of(
                    "too-big", PYTHON).withLayers(List.of(big.arn())))).contains("exceeds the maximum"));
            refused("ResourceNotFoundException", () -> s.get(REGION, "too-big"));
            f.python("grows", "def lambda_handler(event, context):\n    return 1\n");
            LayerVersion half = publish("half", Map.of("python/half.py", "#" + "x".repeat(60_000) + "\n"));
            s.updateConfiguration(REGION, "grows", ConfigurationChange.none().layers(List.of(half.arn())));
            Path bigger = zip("bigger.zip", Map.of("lambda_function.py", "#" + "y".repeat(60_000) + "\n"));
            assertTrue(refused("InvalidParameterValueException", () -> f.code.importZip(REGION, "grows", bigger))
                    .contains("exceeds the maximum"), "the new code and the layer are too large together");
            assertTrue(new String(f.code.readFile(REGION, "grows", null, "lambda_function.py"),
                    StandardCharsets.UTF_8).contains("return 1"), "the code is unchanged");
        } finally {
            ((Functions) s).limitUnzippedBytes(ZipPackages.MAX_UNZIPPED_BYTES);
        }
        assertEquals(5, s.get(REGION, "limited").layers().size(), "a refused change changed nothing");
    }

    @Test
    void aDeletedLayerVersionKeepsRunningInTheFunctionsThatHaveIt() throws Exception {
        FunctionService s = f.functions;
        LayerVersion doomed = publish("doomed", Map.of("python/mymod.py", "VALUE = 'kept'\n",
                "python/shared.py", "WHO = 'doomed'\n"));
        f.python("keeper", PYTHON_HANDLER);
        s.updateConfiguration(REGION, "keeper", ConfigurationChange.none().layers(List.of(doomed.arn())));
        FunctionVersion published = s.publishVersion(REGION, "keeper", "with the layer");
        assertEquals(List.of(doomed.arn()), published.layers().stream().map(FunctionLayer::arn).toList());
        layers().delete(REGION, "doomed", doomed.version());

        s.updateConfiguration(REGION, "keeper", ConfigurationChange.none().memory(256)); // a fresh environment
        assertEquals("kept", json(f.invoke("keeper", "{}")).get("mod").asText());
        assertEquals("kept", json(f.functions.invoke(REGION, "keeper", InvokeRequest.of("{}").qualified(
                published.version()))).get("mod").asText());
        assertTrue(refused("InvalidParameterValueException", () -> s.create(REGION, CreateFunctionRequest.of(
                "latecomer", PYTHON).withLayers(List.of(doomed.arn())))).contains("does not exist"));

        s.updateConfiguration(REGION, "keeper", ConfigurationChange.none().layers(List.of()));
        assertTrue(s.get(REGION, "keeper").layers().isEmpty());
        assertEquals("kept", json(f.functions.invoke(REGION, "keeper", InvokeRequest.of("{}").qualified(
                published.version()))).get("mod").asText(), "the version keeps its layers");
    }
}
