package dev.nube.engine.store;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link DocumentStoreCrashTest}: rewrites a few documents in a tight loop, each with a counter
 * and a payload derived from it, and prints "written k" after write k is complete. It runs until it is killed.
 */
public final class DocumentWriterChild {
    /** What starts an acknowledgement line. */
    static final String ACK = "written ";

    private DocumentWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long counter = Long.parseLong(args[1]);
        int documents = Integer.parseInt(args[2]);
        while (true) {
            counter++;
            Path file = dir.resolve("doc-" + (counter % documents) + ".json");
            DocumentStore.write(file, Sample.of(counter));
            System.out.println(ACK + counter);
            System.out.flush();
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
