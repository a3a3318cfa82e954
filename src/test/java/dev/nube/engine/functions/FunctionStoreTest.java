package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functions as stored: validation, code as files, zips in and out, versions, test events (nothing is invoked). */
class FunctionStoreTest {
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

    private String code(EngineException e) {
        return e.code() + ": " + e.getMessage();
    }

    @Test
    void createRefusesWhatAwsRefuses() {
        FunctionService s = f.functions;
        for (CreateFunctionRequest bad : List.of(CreateFunctionRequest.of("has space", PYTHON),
                CreateFunctionRequest.of("x".repeat(65), PYTHON), CreateFunctionRequest.of("ok", "cobol"),
                CreateFunctionRequest.of("ok", PYTHON).withMemory(130),
                CreateFunctionRequest.of("ok", PYTHON).withMemory(3072),
                CreateFunctionRequest.of("ok", PYTHON).withTimeout(301),
                CreateFunctionRequest.of("ok", PYTHON).withTimeout(0),
                CreateFunctionRequest.of("ok", PYTHON).withEnvironment(Map.of("AWS_REGION", "x")),
                CreateFunctionRequest.of("ok", PYTHON).withEnvironment(Map.of("_HANDLER", "x")),
                CreateFunctionRequest.of("ok", PYTHON).withEnvironment(Map.of("BIG", "v".repeat(4100))))) {
            EngineException e = assertThrows(EngineException.class, () -> s.create(REGION, bad), bad.toString());
            assertEquals("InvalidParameterValueException", e.code(), code(e));
        }
        assertTrue(assertThrows(EngineException.class, () -> s.create(REGION, CreateFunctionRequest.of("ok",
                PYTHON).withEnvironment(Map.of("AWS_REGION", "x")))).getMessage().contains("reserved"));
        FunctionConfiguration ok = s.create(REGION, CreateFunctionRequest.of("Ok_name-1", PYTHON).withMemory(3008)
                .withTimeout(300).withEnvironment(Map.of("A", "v".repeat(4000))));
        assertTrue(ok.id().matches("fn-[0-9a-f]{17}"));
        assertEquals("lambda_function.lambda_handler", ok.handler());
        assertEquals("ResourceConflictException", assertThrows(EngineException.class,
                () -> s.create(REGION, CreateFunctionRequest.of("Ok_name-1", NODE))).code());
        assertEquals("ResourceNotFoundException", assertThrows(EngineException.class,
                () -> s.get(REGION, "missing")).code());
        assertEquals(List.of("lambda_function.py"), f.code.files(REGION, "Ok_name-1", null).stream()
                .map(CodeEntry::path).toList(), "the blueprint");
        assertTrue(s.runtimes().stream().anyMatch(r -> r.id().equals(PYTHON) && r.version().startsWith("3.")));
    }

    @Test
    void codeIsAFolderOfFiles() {
        f.functions.create(REGION, CreateFunctionRequest.of("files", NODE));
        long revision = f.functions.get(REGION, "files").revision();
        f.code.createFolder(REGION, "files", "lib");
        f.code.writeFile(REGION, "files", "lib/util.js", "module.exports = 1;".getBytes(StandardCharsets.UTF_8));
        f.code.rename(REGION, "files", "lib", "src");
        assertEquals("module.exports = 1;", new String(f.code.readFile(REGION, "files", null, "src/util.js"),
                StandardCharsets.UTF_8));
        assertEquals(List.of("index.mjs", "src", "src/util.js"), f.code.files(REGION, "files", null).stream()
                .map(CodeEntry::path).toList());
        f.code.delete(REGION, "files", "src");
        assertEquals(List.of("index.mjs"), f.code.files(REGION, "files", null).stream().map(CodeEntry::path).toList());
        assertTrue(f.functions.get(REGION, "files").revision() > revision, "each save makes a new revision");
        for (String bad : List.of("../escape.js", "/etc/passwd", "a/../../b", "")) {
            assertThrows(EngineException.class, () -> f.code.writeFile(REGION, "files", bad, new byte[0]), bad);
        }
        assertEquals("ResourceConflictException", assertThrows(EngineException.class,
                () -> f.code.createFolder(REGION, "files", "index.mjs")).code());
    }

    private Path zip(String name, Map<String, byte[]> files, Map<String, String> links) throws Exception {
        Path zip = dir.resolve(name);
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                out.write(file.getValue());
                out.closeArchiveEntry();
            }
            for (Map.Entry<String, String> link : links.entrySet()) {
                ZipArchiveEntry entry = new ZipArchiveEntry(link.getKey());
                entry.setUnixMode(0120777);
                out.putArchiveEntry(entry);
                out.write(link.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        return zip;
    }

    @Test
    void zipsAreImportedAndExportedAndBadOnesRefusedWithNothingChanged() throws Exception {
        f.functions.create(REGION, CreateFunctionRequest.of("zips", PYTHON));
        Path good = zip("good.zip", Map.of("lambda_function.py", "x = 1\n".getBytes(StandardCharsets.UTF_8),
                "pkg/mod.py", "y = 2\n".getBytes(StandardCharsets.UTF_8)), Map.of("pkg/alias.py", "mod.py"));
        f.code.importZip(REGION, "zips", good);
        assertEquals(List.of("lambda_function.py", "pkg", "pkg/alias.py", "pkg/mod.py"),
                f.code.files(REGION, "zips", null).stream().map(CodeEntry::path).toList());
        List<CodeEntry> before = f.code.files(REGION, "zips", null);

        Map<String, Path> bad = new java.util.LinkedHashMap<>();
        bad.put("zip slip", zip("slip.zip", Map.of("../../evil.py", new byte[1]), Map.of()));
        bad.put("absolute", zip("abs.zip", Map.of("/tmp/evil.py", new byte[1]), Map.of()));
        bad.put("link out", zip("link.zip", Map.of("a.py", new byte[1]), Map.of("passwd", "../../../../etc/passwd")));
        bad.put("absolute link", zip("link2.zip", Map.of(), Map.of("shadow", "/etc/shadow")));
        bad.put("bomb", zip("bomb.zip", Map.of("zeros.bin", new byte[50 * 1024 * 1024]), Map.of()));
        Path huge = dir.resolve("huge.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(huge))) {
            byte[] random = new byte[1024 * 1024];
            new java.util.Random(1).nextBytes(random);
            for (int i = 0; i < 260; i++) { // incompressible, so no bomb: only the 250 MB limit refuses it
                out.putArchiveEntry(new ZipArchiveEntry("part" + i + ".bin"));
                out.write(random);
                out.closeArchiveEntry();
            }
        }
        bad.put("over 250 MB", huge);
        for (Map.Entry<String, Path> zip : bad.entrySet()) {
            EngineException e = assertThrows(EngineException.class, () -> f.code.importZip(REGION, "zips",
                    zip.getValue()), zip.getKey());
            assertEquals("InvalidZipFileException", e.code(), code(e));
            assertTrue(e.getMessage().contains("Nothing was changed"), e.getMessage());
            assertEquals(before, f.code.files(REGION, "zips", null), "nothing half-written after " + zip.getKey());
        }
        assertFalse(Files.exists(dir.resolve("evil.py")));
        try (var entries = Files.list(f.engine.home().resolve("regions/local-1/functions/" + f.functions.get(REGION,
                "zips").id()))) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith("code.")), "no leftovers");
        }

        Path exported = dir.resolve("out/exported.zip");
        Files.createDirectories(exported.getParent());
        f.code.exportZip(REGION, "zips", null, exported);
        f.functions.create(REGION, CreateFunctionRequest.of("zips2", PYTHON));
        f.code.importZip(REGION, "zips2", exported);
        assertEquals(f.code.files(REGION, "zips", null).stream().map(CodeEntry::path).toList(),
                f.code.files(REGION, "zips2", null).stream().map(CodeEntry::path).toList());
    }

    /** A zip of entries in this order: a value starting with "->" makes a link to the rest, else a file. */
    private Path orderedZip(String name, List<Map.Entry<String, String>> entries) throws Exception {
        Path zip = dir.resolve(name);
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, String> e : entries) {
                ZipArchiveEntry entry = new ZipArchiveEntry(e.getKey());
                boolean link = e.getValue().startsWith("->");
                entry.setUnixMode(link ? 0120777 : 0100644);
                out.putArchiveEntry(entry);
                out.write((link ? e.getValue().substring(2) : e.getValue()).getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        return zip;
    }

    @Test
    void linksInAZipCannotReachOutsideTheCode() throws Exception {
        FunctionConfiguration function = f.functions.create(REGION, CreateFunctionRequest.of("links", PYTHON));
        Path folder = ((Functions) f.functions).repository().folder(function);
        Map<String, Path> bad = new java.util.LinkedHashMap<>();
        // Each link on its own reads as inside (x/up/.. is x), but up2 really sits in the code's folder.
        bad.put("chained links", orderedZip("chain.zip", List.of(Map.entry("x/up", "->.."),
                Map.entry("x/up/up2", "->.."), Map.entry("x/up/up2/escaped.txt", "out"))));
        // A later file of the same name as a link would be written through the link.
        bad.put("file over a link", orderedZip("twice.zip", List.of(Map.entry("x/up", "->.."),
                Map.entry("out", "->x/up/../escaped.txt"), Map.entry("out", "out"))));
        bad.put("down then up", orderedZip("downup.zip", List.of(Map.entry("x/up", "->.."),
                Map.entry("peek", "->x/up/../escaped.txt"))));
        bad.put("a file under a link", orderedZip("under.zip", List.of(Map.entry("lib", "->."),
                Map.entry("lib/a.py", "x"))));
        for (Map.Entry<String, Path> zip : bad.entrySet()) {
            EngineException e = assertThrows(EngineException.class, () -> f.code.importZip(REGION, "links",
                    zip.getValue()), zip.getKey());
            assertEquals("InvalidZipFileException", e.code(), code(e));
        }
        try (var all = Files.walk(f.engine.home())) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().equals("escaped.txt")), "nothing escaped");
        }

        // Links that stay inside are kept, and read as the file they lead to.
        f.code.importZip(REGION, "links", orderedZip("fine.zip", List.of(Map.entry("lib/util.py", "u = 1\n"),
                Map.entry("lib/again.py", "->util.py"), Map.entry("sub/dir/up.py", "->../../lib/util.py"),
                Map.entry("lambda_function.py", "x = 1\n"))));
        assertEquals("u = 1\n", new String(f.code.readFile(REGION, "links", null, "sub/dir/up.py"),
                StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(folder.resolve("code/lib/again.py")));

        // A link left by an older import that points outside is not followed when the code is read.
        Files.writeString(folder.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(folder.resolve("code/peek.txt"), Path.of("../secret.txt"));
        EngineException outside = assertThrows(EngineException.class, () -> f.code.readFile(REGION, "links", null,
                "peek.txt"));
        assertEquals("InvalidParameterValueException", outside.code(), code(outside));
    }

    @Test
    void aDeletedFunctionsLogIsNotBroughtBack() {
        FunctionConfiguration function = f.functions.create(REGION, CreateFunctionRequest.of("gone", PYTHON));
        FunctionRepository repository = ((Functions) f.functions).repository();
        FunctionLog log = repository.log(function); // as an invocation that started just before the delete holds it
        Path folder = repository.folder(function);
        f.functions.delete(REGION, "gone");
        EngineException e = assertThrows(EngineException.class, () -> log.open("2024/01/01/[$LATEST]abc"));
        assertEquals("ResourceNotFoundException", e.code(), code(e));
        assertFalse(Files.exists(folder), "no folder with only logs/ in it");
    }

    @Test
    void versionsAreImmutableCopiesAndTestEventsAreSaved() throws Exception {
        f.functions.create(REGION, CreateFunctionRequest.of("versions", PYTHON));
        FunctionVersion one = f.functions.publishVersion(REGION, "versions", "first");
        f.code.writeFile(REGION, "versions", "lambda_function.py", "changed".getBytes(StandardCharsets.UTF_8));
        FunctionVersion two = f.functions.publishVersion(REGION, "versions", "second");
        assertEquals(List.of("1", "2"), f.functions.versions(REGION, "versions").stream().map(FunctionVersion::version)
                .toList());
        assertTrue(new String(f.code.readFile(REGION, "versions", "1", "lambda_function.py"), StandardCharsets.UTF_8)
                .contains("lambda_handler"));
        assertEquals("changed", new String(f.code.readFile(REGION, "versions", "2", "lambda_function.py"),
                StandardCharsets.UTF_8));
        assertTrue(!one.codeSha256().equals(two.codeSha256()));
        assertEquals("ResourceNotFoundException", assertThrows(EngineException.class,
                () -> f.code.files(REGION, "versions", "3")).code());

        f.functions.saveTestEvent(REGION, "versions", new TestEvent("hello", "{\"key1\": \"value1\"}"));
        f.functions.saveTestEvent(REGION, "versions", new TestEvent("apigw", "{\"httpMethod\": \"GET\"}"));
        assertEquals(List.of("apigw", "hello"), f.functions.testEvents(REGION, "versions").stream()
                .map(TestEvent::name).toList());
        assertEquals("InvalidParameterValueException", assertThrows(EngineException.class,
                () -> f.functions.saveTestEvent(REGION, "versions", new TestEvent("broken", "{nope"))).code());
        f.functions.deleteTestEvent(REGION, "versions", "apigw");
        assertEquals(1, f.functions.testEvents(REGION, "versions").size());

        f.functions.delete(REGION, "versions");
        assertTrue(f.functions.list(REGION).items().stream().noneMatch(s -> s.configuration().name()
                .equals("versions")));
    }

    @Test
    void configurationChangesAreValidatedAndKept() {
        f.functions.create(REGION, CreateFunctionRequest.of("config", PYTHON));
        FunctionConfiguration changed = f.functions.updateConfiguration(REGION, "config", ConfigurationChange.none()
                .memory(512).timeout(30).environment(Map.of("K", "v")).description("mine"));
        assertEquals(512, changed.memoryMb());
        assertEquals(30, changed.timeoutSeconds());
        assertEquals(Map.of("K", "v"), changed.environment());
        assertEquals("InvalidParameterValueException", assertThrows(EngineException.class,
                () -> f.functions.updateConfiguration(REGION, "config", ConfigurationChange.none().memory(100)))
                .code());
        f.close();
        f = new FunctionsFixture(dir); // reopened: read back from disk
        assertEquals(512, f.functions.get(REGION, "config").memoryMb());
    }

    @Test
    void blueprintsStartTheCodeAndUnknownOnesAreRefused() {
        assertEquals(List.of("hello-world", "http-api", "s3-object-created"), f.functions.blueprints(PYTHON).stream()
                .map(Blueprint::id).toList());
        assertEquals(List.of("hello-world", "go-hello"), f.functions.blueprints(CUSTOM).stream().map(Blueprint::id)
                .toList());
        f.functions.create(REGION, CreateFunctionRequest.of("api", PYTHON).withBlueprint("http-api"));
        assertTrue(new String(f.code.readFile(REGION, "api", null, "lambda_function.py"), StandardCharsets.UTF_8)
                .contains("statusCode"));
        f.functions.create(REGION, CreateFunctionRequest.of("s3", NODE).withBlueprint("s3-object-created"));
        assertTrue(new String(f.code.readFile(REGION, "s3", null, "index.mjs"), StandardCharsets.UTF_8)
                .contains("Records"));
        EngineException unknown = assertThrows(EngineException.class, () -> f.functions.create(REGION,
                CreateFunctionRequest.of("nope", CUSTOM).withBlueprint("http-api")));
        assertEquals("InvalidParameterValueException", unknown.code());
        assertTrue(f.functions.list(REGION).items().stream().noneMatch(s -> s.configuration().name().equals("nope")));
    }

    @Test
    void rulesSayWhatIsWrongAsAConsoleTypes() {
        assertTrue(FunctionRules.nameProblem("ok-name_1").isEmpty());
        assertTrue(FunctionRules.nameProblem("has space").orElseThrow().contains("only letters"));
        assertTrue(FunctionRules.nameProblem("x".repeat(65)).orElseThrow().contains("at most 64"));
        assertTrue(FunctionRules.handlerProblem("index.handler").isEmpty());
        assertTrue(FunctionRules.handlerProblem("nodot").isPresent());
        assertTrue(FunctionRules.environmentProblem(Map.of("AWS_REGION", "x")).orElseThrow().contains("reserved"));
        assertTrue(FunctionRules.environmentProblem(Map.of("1BAD", "x")).isPresent());
        assertTrue(FunctionRules.environmentProblem(Map.of("BIG", "v".repeat(4094))).orElseThrow().contains("4 KB"));
        assertTrue(FunctionRules.environmentProblem(Map.of("BIG", "v".repeat(4093))).isEmpty());
        assertEquals(7, FunctionRules.environmentBytes(Map.of("KEY", "val", "A", "")));
        assertTrue(FunctionRules.reservedVariable("_HANDLER"));
        assertFalse(FunctionRules.reservedVariable("LANG"));
    }

    @Test
    void oneFunctionsRowIsTheRowTheListGivesAndNoneOnceItIsGone() {
        FunctionService s = f.functions;
        FunctionConfiguration one = s.create(REGION, CreateFunctionRequest.of("one", PYTHON));
        s.create(REGION, CreateFunctionRequest.of("two", PYTHON));
        assertEquals(s.list(REGION).items().get(0), s.summary(REGION, one.id()).orElseThrow());
        assertTrue(s.summary(REGION, "fn-00000000000000000").isEmpty());
        assertTrue(s.summary(REGION, "not-an-id").isEmpty());
        s.delete(REGION, "one");
        assertTrue(s.summary(REGION, one.id()).isEmpty());
    }
}
