package dev.nube.engine.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.store.DocumentWriterChild.Sample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that is rewriting documents with SIGKILL, again and again, and checks that every document then parses
 * and holds either the last value whose write completed or the one that was being written.
 */
@Tag("slow")
class DocumentStoreCrashTest {
    private static final int DOCUMENTS = 3;
    private static final int KILLS = 25;

    @TempDir
    Path dir;

    @Test
    void everyDocumentIsOldOrNewAfterSigkill() throws Exception {
        Random random = new Random(42);
        long[] lastComplete = new long[DOCUMENTS];
        long counter = 0;
        int landedUnacknowledged = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Path acks = dir.resolve("acks-" + kill + ".txt");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xshare:auto",
                    DocumentWriterChild.class.getName(), dir.toString(), Long.toString(counter),
                    Integer.toString(DOCUMENTS), acks.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // Wait until it writes, then kill it at a random moment.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastAcknowledged(acks, counter) == counter && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(40));
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the killed child did not exit");
            long acked = lastAcknowledged(acks, counter);
            assertTrue(acked > counter, "the child wrote nothing before being killed");
            // Documents written by the child: counter+1 .. acked complete, acked+1 possibly in flight.
            for (long k = counter + 1; k <= acked; k++) {
                lastComplete[(int) (k % DOCUMENTS)] = k;
            }
            long inFlight = acked + 1;
            for (int d = 0; d < DOCUMENTS; d++) {
                Path file = dir.resolve("doc-" + d + ".json");
                Sample sample = DocumentStore.read(file, Sample.class).orElse(null);
                if (lastComplete[d] == 0 && sample == null) {
                    continue;
                }
                assertTrue(sample != null && sample.isWhole(), "document " + d + " is torn after kill " + kill);
                boolean old = sample.counter() == lastComplete[d];
                boolean fresh = sample.counter() == inFlight && inFlight % DOCUMENTS == d;
                assertTrue(old || fresh, "document " + d + " holds " + sample.counter() + ", expected "
                        + lastComplete[d] + (inFlight % DOCUMENTS == d ? " or " + inFlight : "") + " (kill " + kill
                        + ", started at " + counter + ")");
                if (fresh) {
                    lastComplete[d] = inFlight;
                    landedUnacknowledged++;
                }
            }
            counter = Math.max(acked, inFlight);
        }
        System.out.println("crash test: " + KILLS + " kills, " + counter + " writes, " + landedUnacknowledged
                + " kills landed after the rename but before the acknowledgement");
    }

    /** The last complete line of the acknowledgement file (a partial last line is the write being acknowledged). */
    private static long lastAcknowledged(Path acks, long none) throws java.io.IOException {
        if (!java.nio.file.Files.exists(acks)) {
            return none;
        }
        String text = java.nio.file.Files.readString(acks, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return none;
        }
        int start = text.lastIndexOf('\n', end - 1) + 1;
        return Long.parseLong(text.substring(start, end));
    }
}
