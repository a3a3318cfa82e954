package dev.nube.engine.compute.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.EngineEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build that fails registers nothing and leaves no half-built folder. */
class ImageBuildFailureTest {
    @TempDir
    Path dir;

    @Test
    void aFailedBuildLeavesNoImage() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("cache"), "a file where the cache should be");
        try (Engine engine = Engine.open(dir.resolve("home"), notAFolder)) {
            List<EngineEvent> events = new CopyOnWriteArrayList<>();
            engine.events().subscribe(events::add);
            EngineException e = assertThrows(EngineException.class, () -> engine.images().ensureTinyImage("local-1"));
            assertEquals("ImageBuildFailed", e.code());
            assertTrue(e.getMessage().contains(ImageService.TINY_IMAGE_NAME), e.getMessage());
            assertTrue(engine.images().list("local-1").items().isEmpty());
            assertTrue(engine.images().list("local-1").problems().isEmpty());
            Path images = dir.resolve("home/regions/local-1/images");
            try (var left = Files.list(images)) {
                assertEquals(List.of(), left.toList(), "no half-built image folder");
            }
            ImageBuildProgress last = (ImageBuildProgress) events.stream()
                    .filter(ImageBuildProgress.class::isInstance).reduce((a, b) -> b).orElseThrow();
            assertTrue(last.finished() && last.error() != null && last.imageId() == null, last.toString());
        }
    }
}
