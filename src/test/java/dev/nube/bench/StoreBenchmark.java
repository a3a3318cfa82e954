package dev.nube.bench;

import dev.nube.engine.store.DocumentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Durable document writes (temp file, fsync, rename, fsync of the folder) beside a bare baseline in the same run:
 * the same bytes written with {@code Files.write} and no fsync. The ratio is the price of never tearing a document.
 */
final class StoreBenchmark implements Bench.Suite {
    record Doc(String id, String name, long counter, String padding) {
    }

    @Override
    public String description() {
        return "durable JSON document writes vs plain unsynced writes";
    }

    @Override
    public void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path dir = Files.createTempDirectory("nube-bench-store");
        try {
            Doc doc = new Doc("key-0123456789abcdef0", "bench", 0, "x".repeat(400));
            byte[] bytes = dev.nube.engine.store.Json.mapper().writeValueAsBytes(doc);
            for (int i = 0; i < 50; i++) { // warm-up
                DocumentStore.write(dir.resolve("warm.json"), doc);
                Files.write(dir.resolve("warm-bare.json"), bytes);
            }
            double[] durable = new double[count];
            double[] bare = new double[count];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                DocumentStore.write(dir.resolve("doc-" + (i % 10) + ".json"), new Doc(doc.id(), doc.name(), i,
                        doc.padding()));
                long t1 = System.nanoTime();
                Files.write(dir.resolve("bare-" + (i % 10) + ".json"), bytes);
                long t2 = System.nanoTime();
                durable[i] = (t1 - t0) / 1000.0;
                bare[i] = (t2 - t1) / 1000.0;
            }
            Stats d = new Stats(durable);
            Stats b = new Stats(bare);
            System.out.printf("durable write: p50 %.0f us, p99 %.0f us (%d writes)%n", d.median(), d.percentile(99),
                    count);
            System.out.printf("bare write:    p50 %.0f us, p99 %.0f us%n", b.median(), b.percentile(99));
            System.out.printf("store: durable_p50_us=%.0f bare_p50_us=%.0f ratio=%.1f%n", d.median(), b.median(),
                    d.median() / b.median());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
