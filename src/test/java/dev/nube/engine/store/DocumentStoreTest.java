package dev.nube.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentStoreTest {
    record Thing(String id, String name, Instant createdAt) {
    }

    @TempDir
    Path dir;

    @Test
    void writesWithSchemaVersionAndReadsBack() throws Exception {
        Path file = dir.resolve("a/thing.json");
        Thing thing = new Thing("x", "first", Instant.parse("2026-01-02T03:04:05Z"));
        DocumentStore.write(file, thing);
        String text = Files.readString(file);
        assertTrue(text.contains("\"schemaVersion\" : 1"), text);
        assertTrue(text.contains("2026-01-02T03:04:05Z"), text);
        assertEquals(thing, DocumentStore.read(file, Thing.class).orElseThrow());
        try (var entries = Files.list(file.getParent())) {
            assertEquals(List.of(file), entries.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aWriteOnAnInterruptedThreadTakesEffectAndKeepsTheInterrupt() {
        Path file = dir.resolve("b/thing.json");
        Thing thing = new Thing("y", "second", Instant.parse("2026-01-02T03:04:05Z"));
        Thread.currentThread().interrupt();
        try {
            DocumentStore.write(file, thing);
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        }
        assertEquals(thing, DocumentStore.read(file, Thing.class).orElseThrow());
    }

    @Test
    void missingDocumentIsEmpty() {
        assertTrue(DocumentStore.read(dir.resolve("none.json"), Thing.class).isEmpty());
    }

    @Test
    void brokenDocumentsAreReportedWithTheReasonAndLeftInPlace() throws Exception {
        Path torn = dir.resolve("torn.json");
        Files.writeString(torn, "{\"schemaVersion\": 1, \"id\": \"x\", \"na");
        UnreadableDocumentException e = assertThrows(UnreadableDocumentException.class,
                () -> DocumentStore.read(torn, Thing.class));
        assertTrue(e.reason().startsWith("not valid JSON"), e.reason());
        assertTrue(Files.exists(torn));

        Path empty = dir.resolve("empty.json");
        Files.write(empty, new byte[0]);
        assertEquals("the file is empty", assertThrows(UnreadableDocumentException.class,
                () -> DocumentStore.read(empty, Thing.class)).reason());

        Path newer = dir.resolve("newer.json");
        Files.writeString(newer, "{\"schemaVersion\": 7, \"id\": \"x\"}");
        assertTrue(assertThrows(UnreadableDocumentException.class, () -> DocumentStore.read(newer, Thing.class))
                .reason().contains("newer Nube"));

        Path noSchema = dir.resolve("noschema.json");
        Files.writeString(noSchema, "{\"id\": \"x\"}", StandardCharsets.UTF_8);
        assertTrue(assertThrows(UnreadableDocumentException.class, () -> DocumentStore.read(noSchema, Thing.class))
                .reason().contains("schemaVersion"));

        Path wrongShape = dir.resolve("shape.json");
        Files.writeString(wrongShape, "{\"schemaVersion\": 1, \"createdAt\": \"yesterday\"}");
        assertTrue(assertThrows(UnreadableDocumentException.class,
                () -> DocumentStore.read(wrongShape, Thing.class)).reason().startsWith("does not describe a Thing"));
    }

    @Test
    void collectionListsGoodDocumentsAndReportsBrokenOnesWithoutDeleting() throws Exception {
        ResourceCollection<Thing> things = new ResourceCollection<>(ResourceKind.KEY_PAIR, dir, Thing.class);
        String good = Ids.newId(ResourceKind.KEY_PAIR);
        String bad = Ids.newId(ResourceKind.KEY_PAIR);
        things.put(good, new Thing(good, "good", Instant.now()));
        Files.createDirectories(things.folderOf(bad));
        Files.writeString(things.folderOf(bad).resolve(ResourceCollection.DOCUMENT), "garbage");
        Files.createDirectories(dir.resolve("keypairs/not-an-id"));

        Listing<Thing> listing = things.list();
        assertEquals(List.of("good"), listing.items().stream().map(Thing::name).toList());
        assertEquals(1, listing.problems().size());
        StoreProblem problem = listing.problems().get(0);
        assertEquals(bad, problem.id());
        assertTrue(problem.message().startsWith("not valid JSON"), problem.message());
        assertTrue(Files.exists(things.folderOf(bad).resolve(ResourceCollection.DOCUMENT)));

        things.delete(good);
        assertFalse(Files.exists(things.folderOf(good)));
        assertTrue(things.find(good).isEmpty());
    }

    @Test
    void idsHaveThePrefixAndSeventeenHexDigits() {
        for (ResourceKind kind : ResourceKind.values()) {
            String id = Ids.newId(kind);
            assertTrue(id.matches(kind.prefix() + "-[0-9a-f]{17}"), id);
            assertTrue(Ids.isId(kind, id));
        }
        assertFalse(Ids.isId(ResourceKind.INSTANCE, "i-123"));
        assertFalse(Ids.isId(ResourceKind.INSTANCE, "ami-0123456789abcdef0"));
        assertFalse(Ids.isId(ResourceKind.INSTANCE, "i-0123456789ABCDEF0"));
        assertThrows(dev.nube.engine.EngineException.class,
                () -> new ResourceCollection<>(ResourceKind.INSTANCE, dir, Thing.class).folderOf("../../etc"));
    }
}
