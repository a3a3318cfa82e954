package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.JAVA;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runtimes under AWS's names (after the installed interpreters' versions), the ids earlier builds stored read as
 * today's, and functions created from a zip (a refused zip creates nothing).
 */
class RuntimeNamesTest {
    @TempDir
    Path dir;
    FunctionsFixture f;

    @BeforeEach
    void open() {
        f = new FunctionsFixture(dir);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void runtimesAreNamedAsAwsNamesThemAndAbsentOnesAreRefusedNamingThoseThereAre() {
        List<String> expected = JAVA == null ? List.of(PYTHON, NODE, CUSTOM) : List.of(PYTHON, NODE, JAVA, CUSTOM);
        assertEquals(expected, f.functions.runtimes().stream().map(RuntimeInfo::id).toList());
        assertEquals("AWS_Lambda_" + PYTHON, f.functions.runtimes().get(0).executionEnv());
        for (String absent : List.of("python3.9", "nodejs16.x", "java11", "python3", "nodejs")) {
            EngineException e = assertThrows(EngineException.class,
                    () -> f.functions.create(REGION, CreateFunctionRequest.of("f", absent)), absent);
            assertEquals("InvalidParameterValueException", e.code());
            assertTrue(e.getMessage().contains(absent) && e.getMessage().contains(String.join(", ", expected)),
                    e.getMessage());
        }
        assertTrue(f.functions.list(REGION).items().isEmpty());
        for (String custom : List.of(CUSTOM, "provided.al2", "provided")) {
            String name = "custom-" + custom.replace('.', '-');
            assertEquals(custom, f.functions.create(REGION, CreateFunctionRequest.of(name, custom)).runtime(),
                    "stored as given");
            assertEquals(List.of("bootstrap"), f.code.files(REGION, name, null).stream().map(CodeEntry::path)
                    .toList());
        }
        f.functions.create(REGION, CreateFunctionRequest.of("changes", PYTHON));
        assertEquals("provided.al2", f.functions.updateConfiguration(REGION, "changes",
                ConfigurationChange.none().runtime("provided.al2")).runtime());
        assertEquals("InvalidParameterValueException", assertThrows(EngineException.class,
                () -> f.functions.updateConfiguration(REGION, "changes", ConfigurationChange.none()
                        .runtime("python3.9"))).code());
    }

    @Test
    void functionsStoredWithTheOldRuntimeIdsAreReadAsTodaysAndStillRun() throws Exception {
        f.python("old-python", "def lambda_handler(event, context):\n    return {'py': event['n']}\n");
        f.node("old-node", "exports.handler = async (event) => ({ node: event.n });\n");
        f.functions.create(REGION, CreateFunctionRequest.of("old-custom", CUSTOM));
        f.functions.publishVersion(REGION, "old-python", "v1");
        Path functions = f.engine.home().resolve("regions").resolve(REGION).resolve("functions");
        f.close();
        Map<String, String> old = Map.of(PYTHON, "python3", NODE, "nodejs", CUSTOM, "provided");
        List<Path> documents;
        try (Stream<Path> walk = Files.walk(functions)) {
            documents = walk.filter(p -> p.getFileName().toString().matches("resource\\.json|version\\.json"))
                    .toList();
        }
        assertEquals(4, documents.size());
        for (Path document : documents) {
            String text = Files.readString(document);
            for (Map.Entry<String, String> id : old.entrySet()) {
                text = text.replace("\"" + id.getKey() + "\"", "\"" + id.getValue() + "\"");
            }
            Files.writeString(document, text);
            assertTrue(text.contains("\"python3\"") || text.contains("\"nodejs\"") || text.contains("\"provided\""),
                    text);
        }

        f = new FunctionsFixture(dir);
        assertEquals(PYTHON, f.functions.get(REGION, "old-python").runtime());
        assertEquals(NODE, f.functions.get(REGION, "old-node").runtime());
        assertEquals("provided", f.functions.get(REGION, "old-custom").runtime(), "a name AWS still has is kept");
        assertEquals(PYTHON, f.functions.versions(REGION, "old-python").get(0).runtime());
        assertEquals(List.of("provided", NODE, PYTHON), f.functions.list(REGION).items().stream()
                .map(s -> s.configuration().runtime()).toList(), "by name: old-custom, old-node, old-python");
        assertEquals("{\"py\": 1}", f.invoke("old-python", "{\"n\": 1}").payloadText());
        assertEquals("{\"node\":2}", f.invoke("old-node", "{\"n\": 2}").payloadText());
        assertEquals("{\"py\": 3}", f.functions.invoke(REGION, "old-python", InvokeRequest.of("{\"n\": 3}")
                .qualified("1")).payloadText());
    }

    @Test
    void aFunctionWhoseRuntimeVersionIsNoLongerInstalledRunsOnItsLanguagesInterpreter() throws Exception {
        // As after a system upgrade: stored as python3.9 / nodejs16.x, while another version is installed.
        f.python("older-python", "def lambda_handler(event, context):\n    return {'py': event['n']}\n");
        f.node("older-node", "exports.handler = async (event) => ({ node: event.n });\n");
        Path functions = f.engine.home().resolve("regions").resolve(REGION).resolve("functions");
        f.close();
        try (Stream<Path> walk = Files.walk(functions)) {
            for (Path document : walk.filter(p -> p.getFileName().toString().equals("resource.json")).toList()) {
                Files.writeString(document, Files.readString(document).replace("\"" + PYTHON + "\"", "\"python3.9\"")
                        .replace("\"" + NODE + "\"", "\"nodejs16.x\""));
            }
        }
        f = new FunctionsFixture(dir);
        assertEquals("python3.9", f.functions.get(REGION, "older-python").runtime(), "kept as stored");
        assertEquals("{\"py\": 4}", f.invoke("older-python", "{\"n\": 4}").payloadText());
        assertEquals("{\"node\":5}", f.invoke("older-node", "{\"n\": 5}").payloadText());
    }

    @Test
    void aFunctionMadeFromARefusedZipIsNotMadeAtAll() throws Exception {
        Path functions = f.engine.home().resolve("regions").resolve(REGION).resolve("functions");
        Path bad = dir.resolve("slip.zip");
        writeZip(bad, Map.of("../../evil.py", "x"));
        Path notZip = dir.resolve("text.zip");
        Files.writeString(notZip, "not a zip");
        for (Path zip : List.of(bad, notZip)) {
            EngineException e = assertThrows(EngineException.class, () -> f.functions.create(REGION,
                    CreateFunctionRequest.of("zipped", PYTHON), zip));
            assertEquals("InvalidZipFileException", e.code(), e.getMessage());
            assertTrue(f.functions.list(REGION).items().isEmpty());
            assertTrue(f.functions.list(REGION).problems().isEmpty());
            assertEquals(List.of(), listing(functions), "nothing left on disk");
        }
        Path good = dir.resolve("good.zip");
        writeZip(good, Map.of("lambda_function.py", "def lambda_handler(e, c):\n    return 'zipped'\n",
                "lib/helper.py", "X = 1\n"));
        f.functions.create(REGION, CreateFunctionRequest.of("zipped", PYTHON), good);
        assertEquals(List.of("lambda_function.py", "lib", "lib/helper.py"), f.code.files(REGION, "zipped", null)
                .stream().map(CodeEntry::path).toList());
        assertEquals("\"zipped\"", f.invoke("zipped", "{}").payloadText());
        assertEquals("ResourceConflictException", assertThrows(EngineException.class, () -> f.functions.create(
                REGION, CreateFunctionRequest.of("zipped", PYTHON), good)).code());
        assertEquals(1, listing(functions).size(), "the refused duplicate left no staging folder");
    }

    private static List<String> listing(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    static void writeZip(Path zip, Map<String, String> files) throws Exception {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
    }
}
