package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionLayer;
import dev.nube.engine.functions.LayerVersion;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.UiEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layers' view models over a real engine, without a toolkit (work and callbacks on the test's thread): the Layers
 * dialog publishes versions from zips (a bad one refused in words) and deletes one; the Configuration tab's editor
 * adds layer versions, refuses a sixth, a second version of one layer and one of another runtime before anything is
 * sent, reorders and removes, and saves the order the engine then has.
 */
class LayersViewModelTest {
    private static final String REGION = "local-1";
    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private Path zip(String name, String entry) throws Exception {
        Path zip = dir.resolve(name);
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            out.putArchiveEntry(new ZipArchiveEntry(entry));
            out.write("x = 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        return zip;
    }

    @Test
    void layersArePublishedChosenOrderedAndSaved() throws Exception {
        LayersViewModel region = new LayersViewModel(engine.layers(), new SameThreadTasks(), () -> REGION);
        List<LayerVersion> published = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            region.publish(" lib-" + i + " ", "layer " + i, i == 6 ? NODE : "", zip("lib-" + i + ".zip",
                    "python/m" + i + ".py"), published::add, failure -> { });
        }
        region.publish("lib-1", "", PYTHON + ", " + NODE, zip("lib-1b.zip", "python/again.py"), published::add,
                failure -> { });
        assertEquals("Published lib-1 version 2.", region.statusProperty().get());
        List<Throwable> refusals = new ArrayList<>();
        region.publish("lib-1", "", "", zip("slip.zip", "../../evil.py"), v -> { }, refusals::add);
        assertEquals(1, refusals.size());
        assertTrue(region.statusProperty().get().contains("zip slip"), region.statusProperty().get());
        region.publish("lib-1", "", "", null, v -> { }, refusals::add);
        assertEquals("Choose the layer's .zip file.", region.statusProperty().get());
        region.reload();
        assertEquals(8 - 1, region.versions().size(), "seven versions, the refused ones not among them");
        assertEquals(List.of(PYTHON, NODE), region.versions().get(0).compatibleRuntimes(), "lib-1:2 first");

        engine.functions().create(REGION, CreateFunctionRequest.of("edited", PYTHON));
        FunctionScope scope = new FunctionScope(REGION, "edited", engine.functions(), engine.functionCode(),
                engine.functionMonitor(), new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run));
        LayersEditorViewModel editor = new LayersEditorViewModel(scope, engine.layers());
        editor.load(engine.functions().get(REGION, "edited"));
        editor.reloadAvailable();
        assertEquals(7, editor.available().size());
        assertFalse(editor.choices().stream().anyMatch(v -> v.name().equals("lib-6")), "lib-6 is for Node.js");
        assertFalse(editor.dirtyProperty().get());

        for (int i = 0; i < 5; i++) {
            assertTrue(editor.add(published.get(i)), editor.problemProperty().get());
        }
        assertTrue(editor.dirtyProperty().get());
        assertFalse(editor.add(published.get(6)));
        assertEquals("A function has at most 5 layers: remove one first.", editor.problemProperty().get());
        editor.remove(4);
        assertFalse(editor.add(published.get(6)), "lib-1 is there at version 1");
        assertTrue(editor.problemProperty().get().contains("lib-1:1 already"), editor.problemProperty().get());
        assertFalse(editor.add(published.get(5)));
        assertTrue(editor.problemProperty().get().contains("not compatible with " + PYTHON),
                editor.problemProperty().get());
        editor.moveDown(0); // lib-2, lib-1, lib-3, lib-4
        editor.moveUp(3); // lib-2, lib-1, lib-4, lib-3
        editor.moveUp(0); // nothing moves above the first
        List<String> expected = List.of(published.get(1).arn(), published.get(0).arn(), published.get(3).arn(),
                published.get(2).arn());
        assertEquals(expected, editor.chosen());

        editor.save(() -> { }, failure -> { });
        assertEquals(expected, engine.functions().get(REGION, "edited").layers().stream().map(FunctionLayer::arn)
                .toList(), "the engine has them in the order shown");
        assertFalse(editor.dirtyProperty().get());
        assertTrue(editor.statusProperty().get().startsWith("Saved."), editor.statusProperty().get());

        region.delete(region.versions().stream().filter(v -> v.name().equals("lib-2")).findFirst().orElseThrow());
        assertEquals("Deleted lib-2 version 1.", region.statusProperty().get());
        assertEquals(6, region.versions().size());
        editor.remove(0);
        editor.reset();
        assertEquals(expected, editor.chosen(), "Reset brings back the saved layers");
        editor.remove(2);
        editor.save(() -> { }, failure -> { });
        assertEquals(List.of(published.get(1).arn(), published.get(0).arn(), published.get(2).arn()),
                engine.functions().get(REGION, "edited").layers().stream().map(FunctionLayer::arn).toList(),
                "a deleted layer version the function has stays with it");
    }
}
