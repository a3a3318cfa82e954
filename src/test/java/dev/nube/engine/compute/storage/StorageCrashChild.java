package dev.nube.engine.compute.storage;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link StorageCrashTest}: opens the engine, starts a snapshot of a volume, a copy of a
 * snapshot to another region and a volume made from that snapshot, prints "under way" once the snapshot has begun
 * writing its file, and waits to be killed.
 */
public final class StorageCrashChild {
    private StorageCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        String volume = args[1];
        String snapshot = args[2];
        Engine engine = EngineTestSupport.openWithoutKvm(home);
        String taken = engine.snapshots().create("local-1", volume, "cut short").id();
        String copied;
        try {
            copied = engine.snapshots().copy("local-1", snapshot, "eu-local-1", "").id();
        } catch (RuntimeException e) {
            try (var left = Files.list(home.resolve("regions/local-1/snapshots"))) {
                System.out.println("snapshots here: " + left.map(p -> p.getFileName() + " " + (Files.isDirectory(p)
                        ? String.join(",", p.toFile().list()) : "")).toList());
            }
            throw e;
        }
        String made = engine.volumes().create("local-1", 0, snapshot, "cut short").id();
        // Killed while the slowest of them, the snapshot (compressing incompressible data), writes its file; the
        // others are then under way, waiting their turn, or done: each must end up complete or gone.
        Path partial = home.resolve("regions/local-1/snapshots").resolve(taken).resolve(Snapshots.PARTIAL);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(partial) && Files.size(partial) > 0)) {
            if (System.nanoTime() > deadline) {
                System.out.println("the snapshot never began writing " + partial + " (copy " + copied + ", volume "
                        + made + ")");
                System.exit(1);
            }
            Thread.sleep(1);
        }
        System.out.println("under way");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
