package dev.nube.engine.functions;

import static dev.nube.engine.functions.CodeSaverChild.FIRST;
import static dev.nube.engine.functions.CodeSaverChild.FUNCTION;
import static dev.nube.engine.functions.CodeSaverChild.SECOND;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.store.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM whose engine is saving two files of a function (and importing zips of them) with SIGKILL, again and
 * again, reopens the engine on the same data folder each time, and checks what a person would: both files hold the
 * same change, the last acknowledged one or the one under way; the package exported and its digest are of that code;
 * a change seen for the first time came with a new revision; nothing half written is left.
 */
@Tag("slow")
class CodeSaveCrashTest {
    private static final int KILLS = 30;

    @TempDir
    Path dir;

    @Test
    void bothFilesAreOldOrNewAfterSigkill() throws Exception {
        String id;
        try (FunctionsFixture fixture = new FunctionsFixture(dir)) {
            String first = new String(CodeSaverChild.content(0), StandardCharsets.US_ASCII);
            id = fixture.function(CreateFunctionRequest.of(FUNCTION, TestRuntimes.PYTHON), Map.of(FIRST, first,
                    SECOND, first)).id();
        }
        Path folder = dir.resolve("home").resolve("regions").resolve(REGION).resolve("functions").resolve(id);
        Path uploads = Files.createDirectories(dir.resolve("uploads"));
        Random random = new Random(42);
        long counter = 0;
        long seen = 0;
        long revision = 0;
        int committed = 0;
        int staged = 0;
        int landedUnacknowledged = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Path acks = dir.resolve("acks-" + kill + ".txt");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xshare:auto", CodeSaverChild.class.getName(),
                    dir.resolve("home").toString(), Long.toString(counter), uploads.toString(), acks.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child-" + kill + ".log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lastAcknowledged(acks, counter) == counter && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(60));
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the killed child did not exit");
            long acked = lastAcknowledged(acks, counter);
            assertTrue(acked > counter, "the child changed nothing before being killed: "
                    + Files.readString(dir.resolve("child-" + kill + ".log")));
            Path staging = folder.resolve(CodeJournal.FOLDER);
            if (Files.exists(staging.resolve(CodeJournal.JOURNAL))) {
                committed++;
            } else if (Files.exists(staging)) {
                staged++;
            }

            try (FunctionsFixture fixture = new FunctionsFixture(dir)) { // opening recovers
                long one = CodeSaverChild.counter(fixture.code.readFile(REGION, FUNCTION, null, FIRST));
                long two = CodeSaverChild.counter(fixture.code.readFile(REGION, FUNCTION, null, SECOND));
                String where = " after kill " + kill + " (acknowledged " + acked + ")";
                assertTrue(one >= 0 && two >= 0, "a file is torn" + where);
                assertEquals(one, two, "the two files hold different changes" + where);
                assertTrue(one == acked || one == acked + 1, "the files hold change " + one + where);
                if (one == acked + 1) {
                    landedUnacknowledged++;
                }
                assertEquals(List.of("first.txt", "lib", "lib/second.txt"), fixture.code.files(REGION, FUNCTION, null)
                        .stream().map(CodeEntry::path).toList(), "the code holds other files" + where);
                assertNothingLeft(folder, where);

                FunctionConfiguration function = fixture.functions.get(REGION, FUNCTION);
                assertEquals(2L * CodeSaverChild.content(one).length, function.codeSize(), "code size" + where);
                if (one != seen) {
                    assertTrue(function.revision() > revision, "change " + one + " kept revision "
                            + function.revision() + where);
                }
                Path exported = dir.resolve("export-" + kill + ".zip");
                fixture.code.exportZip(REGION, FUNCTION, null, exported);
                try (ZipFile zip = new ZipFile(exported.toFile()); InputStream in = zip.getInputStream(
                        zip.getEntry(FIRST))) {
                    assertEquals(one, CodeSaverChild.counter(in.readAllBytes()), "the package's code" + where);
                }
                assertEquals(sha256(exported), fixture.code.codePackage(REGION, FUNCTION, null).sha256(),
                        "the package's digest" + where);
                seen = one;
                revision = function.revision();
                counter = Math.max(acked, one);
            }
        }
        System.out.println("code save crash test: " + KILLS + " kills, " + counter + " changes; found at reopening: "
                + committed + " committed and completed, " + staged + " staged and dropped; " + landedUnacknowledged
                + " landed before their acknowledgement");
    }

    /** No staging folder, no temporary file in the function's folder, no folder an earlier build swapped with. */
    static void assertNothingLeft(Path folder, String where) throws IOException {
        assertFalse(Files.exists(folder.resolve(CodeJournal.FOLDER)), "a staging folder is left" + where);
        try (Stream<Path> entries = Files.list(folder)) {
            List<String> left = entries.map(p -> p.getFileName().toString()).filter(name -> AtomicFiles.isTemporary(
                    Path.of(name)) || name.startsWith("code.") || name.endsWith(".tmp")).toList();
            assertEquals(List.of(), left, "left in the function's folder" + where);
        }
    }

    private static String sha256(Path file) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(file)));
    }

    /** The last complete line of the acknowledgement file (a partial last line is the change being acknowledged). */
    private static long lastAcknowledged(Path acks, long none) throws IOException {
        if (!Files.exists(acks)) {
            return none;
        }
        String text = Files.readString(acks, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return none;
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        return Long.parseLong(text.substring(start, end));
    }
}
