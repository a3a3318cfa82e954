package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine killed (SIGKILL, in a child JVM) while it takes a snapshot, copies one to another region and makes a
 * volume from one: after the next start every resource is complete or gone, and no file of the unfinished ones is
 * left.
 */
class StorageCrashTest {
    @TempDir
    Path home;

    @Test
    void killedWhileWritingItLeavesEveryResourceCompleteOrGone() throws Exception {
        String volume;
        String snapshot;
        try (Engine engine = EngineTestSupport.openWithoutKvm(home)) {
            engine.regions().create("eu-local-1", null);
            volume = engine.volumes().create("local-1", 1, null, "").id();
            // Incompressible data, so that copying and compressing take a while.
            Path disk = home.resolve("regions/local-1/volumes").resolve(volume).resolve(Volumes.DISK);
            Path raw = home.resolve("random.raw");
            EngineTestSupport.run(List.of("dd", "if=/dev/urandom", "of=" + raw, "bs=1M", "count=768",
                    "status=none"));
            Files.delete(disk);
            EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                    disk.toString()));
            EngineTestSupport.run(List.of("qemu-img", "resize", "-q", "-f", "qcow2", disk.toString(), "1G"));
            Files.delete(raw);
            snapshot = engine.snapshots().create("local-1", volume, "").id();
            EngineTestSupport.waitUntil("the snapshot completes", 120, () -> engine.snapshots().get("local-1",
                    snapshot).state() == SnapshotState.COMPLETED);
        }

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StorageCrashChild.class.getName(), home.toString(),
                volume, snapshot).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("under way")) {
                output.add(line);
            }
            assertTrue(line != null, "the child never got under way:\n" + String.join("\n", output));
            child.destroyForcibly(); // SIGKILL: no cleanup of any kind
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }

        try (Engine engine = EngineTestSupport.openWithoutKvm(home)) {
            for (String region : List.of("local-1", "eu-local-1")) {
                for (Snapshot s : engine.snapshots().list(region).items()) {
                    assertEquals(SnapshotState.COMPLETED, s.state(), s.toString());
                    assertEquals(s.checksum(), DiskFiles.checksum(home.resolve("regions").resolve(region)
                            .resolve("snapshots").resolve(s.id()).resolve(Snapshots.FILE), f -> { }), s.id());
                }
                for (Volume v : engine.volumes().list(region).items()) {
                    assertEquals(VolumeState.AVAILABLE, v.state(), v.toString());
                }
                assertTrue(engine.snapshots().list(region).problems().isEmpty());
                assertTrue(engine.volumes().list(region).problems().isEmpty());
            }
            try (Stream<Path> files = Files.walk(home.resolve("regions"))) {
                List<String> partial = files.map(Path::toString).filter(p -> p.contains(".partial")).toList();
                assertEquals(List.of(), partial, "no partial file is left");
            }
        }
    }
}
