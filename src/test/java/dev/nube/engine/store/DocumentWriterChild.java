package dev.nube.engine.store;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DocumentStoreCrashTest}: rewrites a few documents in a tight loop, each with a counter
 * and a payload derived from it, and after write k is complete appends the line "k" to an acknowledgement file (one
 * unbuffered write(2): once it returns the kernel has it, whenever the process dies). It runs until it is killed.
 */
public final class DocumentWriterChild {
    private DocumentWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long counter = Long.parseLong(args[1]);
        int documents = Integer.parseInt(args[2]);
        try (FileOutputStream acks = new FileOutputStream(args[3], true)) {
            while (true) {
                counter++;
                Path file = dir.resolve("doc-" + (counter % documents) + ".json");
                DocumentStore.write(file, Sample.of(counter));
                acks.write((counter + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** A document whose payload proves it was written whole. */
    public record Sample(long counter, String payload) {
        static Sample of(long counter) {
            return new Sample(counter, Long.toString(counter).repeat(4000));
        }

        boolean isWhole() {
            return payload.equals(Long.toString(counter).repeat(4000));
        }
    }
}
