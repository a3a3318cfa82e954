package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What opening the engine does with what a killed engine left: code changes staged or committed, temporary files of
 * documents, and folders an earlier build swapped; and that a person's own files with similar names are kept.
 */
class CodeRecoveryTest {
    private static final String NAME = "recovered";

    @TempDir
    Path dir;

    private Path home() {
        return dir.resolve("home");
    }

    /** A function whose code is a.txt and b/c.txt holding "old"; returns its folder. */
    private Path function() {
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            String id = f.function(CreateFunctionRequest.of(NAME, TestRuntimes.PYTHON), Map.of("a.txt", "old",
                    "b/c.txt", "old")).id();
            return home().resolve("regions").resolve(REGION).resolve("functions").resolve(id);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(FunctionsFixture f, String path) {
        return new String(f.code.readFile(REGION, NAME, null, path), StandardCharsets.UTF_8);
    }

    private static String tmp(String name) {
        return "." + name + "." + UUID.randomUUID() + ".tmp";
    }

    @Test
    void leftoversOfKilledWritesAreRemovedAtOpenAndLookalikeFilesOfAPersonAreKept() throws Exception {
        Path folder = function();
        Path code = folder.resolve("code");
        Path region = home().resolve("regions").resolve(REGION);
        Path instance = Files.createDirectories(region.resolve("instances").resolve("i-0123456789abcdef0"));
        List<Path> leftovers = List.of(folder.resolve(tmp("resource.json")), folder.resolve(tmp("package.zip")),
                instance.resolve(tmp("resource.json")), instance.resolve(tmp("user-data")), region.resolve(tmp(
                        "region.json")), home().resolve("config").resolve(tmp("functions.json")),
                home().resolve("config").resolve("regions").resolve(tmp(REGION + ".json")));
        // A person may name a file of their code anything, Nube's old temporary names included.
        List<Path> kept = List.of(code.resolve(tmp("a.txt")), code.resolve("b").resolve(tmp("notes")),
                code.resolve(".draft.tmp"), instance.resolve(".user-data.tmp"), instance.resolve("serial.tmp"));
        for (Path file : leftovers) {
            Files.write(Files.createDirectories(file.getParent()).resolve(file.getFileName()), bytes("half"));
        }
        for (Path file : kept) {
            Files.write(file, bytes("mine"));
        }
        // In the configuration only what is older than a minute: nube credentials, another process, may be writing.
        Files.setLastModifiedTime(leftovers.get(5), // the configuration's
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(120)));
        Path beingWritten = home().resolve("config").resolve(tmp("access-keys.json"));
        Files.write(beingWritten, bytes("now"));
        Path staged = Files.createDirectories(folder.resolve(CodeJournal.FOLDER)).resolve("0");
        Files.write(staged, bytes("new")); // staged, never committed: the change did not happen

        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            for (Path file : leftovers) {
                assertFalse(Files.exists(file), file + " is left");
            }
            for (Path file : kept) {
                assertTrue(Files.exists(file), file + " was removed");
            }
            assertTrue(Files.exists(beingWritten), "a write of another process, under way");
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
            assertEquals("old", text(f, "a.txt"));
            List<String> listed = f.code.files(REGION, NAME, null).stream().map(CodeEntry::path).toList();
            assertTrue(listed.contains(code.relativize(kept.get(0)).toString()), listed.toString());
            assertTrue(listed.contains("b/" + kept.get(1).getFileName()), listed.toString());
            assertTrue(listed.contains(".draft.tmp"), listed.toString());
        }
    }

    @Test
    void aCommittedSaveIsCompletedAtOpenWithANewRevisionAndPackage() throws Exception {
        Path folder = function();
        long before;
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            f.code.codePackage(REGION, NAME, null); // a package of the old code, kept until the next change
            before = f.functions.get(REGION, NAME).revision();
            FunctionConfiguration function = f.functions.get(REGION, NAME);
            CodeJournal journal = new CodeJournal(folder);
            journal.stageFiles(Map.of("a.txt", bytes("new"), "b/c.txt", bytes("new"), "d/e.txt", bytes("new")));
            ((Functions) f.functions).repository().dropPackage(function);
            journal.commit();
            // the engine stops here, before any file was moved
        }
        assertTrue(Files.exists(folder.resolve(CodeJournal.FOLDER).resolve(CodeJournal.JOURNAL)));
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            assertEquals("new", text(f, "a.txt"));
            assertEquals("new", text(f, "b/c.txt"));
            assertEquals("new", text(f, "d/e.txt"));
            assertTrue(f.functions.get(REGION, NAME).revision() > before);
            assertEquals(9, f.functions.get(REGION, NAME).codeSize());
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
            assertEquals("new", exported(f, "a.txt"));
        }
    }

    @Test
    void anImportStoppedBetweenItsTwoMovesIsCompletedAtOpenWithTheUploadedPackage() throws Exception {
        Path folder = function();
        Path zip = dir.resolve("upload.zip");
        Files.write(zip, CodeSaverChild.zip(bytes("zipped")));
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            FunctionConfiguration function = f.functions.get(REGION, NAME);
            CodeJournal journal = new CodeJournal(folder);
            journal.stageImport(zip);
            ((Functions) f.functions).repository().dropPackage(function);
            journal.commit();
            // the first move: the code goes aside; the engine stops before the new code is moved in
            Files.move(folder.resolve("code"), folder.resolve(CodeJournal.FOLDER).resolve("old"));
        }
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            assertEquals("zipped", text(f, CodeSaverChild.FIRST));
            assertThrows(EngineException.class, () -> f.code.readFile(REGION, NAME, null, "a.txt"));
            assertEquals(java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance(
                    "SHA-256").digest(Files.readAllBytes(zip))), f.code.codePackage(REGION, NAME, null).sha256(),
                    "the package is the zip uploaded");
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
        }
    }

    @Test
    void anInstallOfDependenciesStoppedHalfWayIsCompletedAtOpenAndAnUncommittedOneDropped() throws Exception {
        Path folder = function();
        long before;
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            f.code.writeFile(REGION, NAME, "oldpkg/__init__.py", bytes("installed before"));
            before = f.functions.get(REGION, NAME).revision();
            Path made = Files.createDirectories(dir.resolve("made").resolve("newpkg"));
            Files.write(made.resolve("__init__.py"), bytes("installed now"));
            CodeJournal journal = new CodeJournal(folder);
            journal.stageInstall(Map.of("newpkg", made), List.of("oldpkg"), new Dependencies.Installed("pip",
                    "digest", List.of("newpkg"), "fingerprint"));
            ((Functions) f.functions).repository().dropPackage(f.functions.get(REGION, NAME));
            journal.commit();
            // the first entry is moved in; the engine stops before the old package is moved aside
            Files.move(folder.resolve(CodeJournal.FOLDER).resolve("install-0"), folder.resolve("code").resolve(
                    "newpkg"));
        }
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            assertEquals("installed now", text(f, "newpkg/__init__.py"));
            assertThrows(EngineException.class, () -> f.code.readFile(REGION, NAME, null, "oldpkg/__init__.py"));
            assertEquals("old", text(f, "a.txt"), "the person's files are untouched");
            assertTrue(f.functions.get(REGION, NAME).revision() > before);
            assertEquals(List.of("newpkg"), dev.nube.engine.store.DocumentStore.read(folder.resolve(
                    Dependencies.RECORD), Dependencies.Installed.class).orElseThrow().entries());
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
            assertEquals("installed now", exported(f, "newpkg/__init__.py"));

            Path again = Files.createDirectories(dir.resolve("again").resolve("otherpkg"));
            Files.write(again.resolve("__init__.py"), bytes("never committed"));
            new CodeJournal(folder).stageInstall(Map.of("otherpkg", again), List.of("newpkg"),
                    new Dependencies.Installed("pip", "other", List.of("otherpkg"), "fingerprint"));
            // the engine stops before the journal is written
        }
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            assertEquals("installed now", text(f, "newpkg/__init__.py"));
            assertThrows(EngineException.class, () -> f.code.readFile(REGION, NAME, null, "otherpkg/__init__.py"));
            assertEquals("digest", dev.nube.engine.store.DocumentStore.read(folder.resolve(Dependencies.RECORD),
                    Dependencies.Installed.class).orElseThrow().manifestSha256());
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
        }
    }

    @Test
    void codeAnEarlierBuildMovedAsideForAnImportIsPutBackAtOpen() throws Exception {
        Path folder = function();
        Path incoming = Files.createDirectories(folder.resolve("code.import-" + UUID.randomUUID()));
        Files.write(incoming.resolve("a.txt"), bytes("half"));
        Files.move(folder.resolve("code"), folder.resolve("code.old-" + UUID.randomUUID()));
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            assertEquals("old", text(f, "a.txt"));
            assertEquals("old", text(f, "b/c.txt"));
            CodeSaveCrashTest.assertNothingLeft(folder, "");
        }
    }

    @Test
    void aSaveIntoAFileOrOverAFolderIsRefusedWithNothingChanged() {
        Path folder = function();
        try (FunctionsFixture f = new FunctionsFixture(dir)) {
            long before = f.functions.get(REGION, NAME).revision();
            EngineException intoFile = assertThrows(EngineException.class, () -> f.code.saveFiles(REGION, NAME,
                    Map.of("x.txt", bytes("new"), "a.txt/d.txt", bytes("new"))));
            assertEquals("'a.txt' is a file, so 'a.txt/d.txt' cannot be saved inside it.", intoFile.getMessage());
            EngineException overFolder = assertThrows(EngineException.class, () -> f.code.saveFiles(REGION, NAME,
                    Map.of("x.txt", bytes("new"), "b", bytes("new"))));
            assertEquals("'b' is a folder.", overFolder.getMessage());
            // What only the final move would find out is refused before anything is staged: a change that could
            // never go in would otherwise stay pending and stop every later one.
            EngineException both = assertThrows(EngineException.class, () -> f.code.saveFiles(REGION, NAME,
                    new java.util.TreeMap<>(Map.of("n", bytes("new"), "n/m.txt", bytes("new")))));
            assertEquals("'n' cannot be a file and hold 'n/m.txt' in one save.", both.getMessage());
            String longName = "x".repeat(256);
            EngineException tooLong = assertThrows(EngineException.class, () -> f.code.saveFiles(REGION, NAME,
                    Map.of("x.txt", bytes("new"), longName, bytes("new"))));
            assertTrue(tooLong.getMessage().contains("at most 255 bytes"), tooLong.getMessage());
            assertEquals(List.of("a.txt", "b", "b/c.txt"), f.code.files(REGION, NAME, null).stream()
                    .map(CodeEntry::path).toList());
            assertEquals(before, f.functions.get(REGION, NAME).revision());
            assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)));
        }
    }

    private String exported(FunctionsFixture f, String entry) throws Exception {
        Path zip = dir.resolve("export-" + UUID.randomUUID() + ".zip");
        f.code.exportZip(REGION, NAME, null, zip);
        try (ZipFile file = new ZipFile(zip.toFile()); InputStream in = file.getInputStream(file.getEntry(entry))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
