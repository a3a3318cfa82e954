package dev.nube.engine.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads and writes one JSON document per file. Every document carries {@value #SCHEMA_FIELD}; writes are atomic
 * ({@link AtomicFiles}). Reading never deletes or rewrites a file, even a broken one. Thread-safe (stateless).
 */
public final class DocumentStore {
    public static final String SCHEMA_FIELD = "schemaVersion";
    /** The schema this build writes. A document with a higher number was written by a newer Nube. */
    public static final int SCHEMA_VERSION = 1;

    private DocumentStore() {
    }

    public static void write(Path file, Object value) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put(SCHEMA_FIELD, SCHEMA_VERSION);
        JsonNode body = Json.mapper().valueToTree(value);
        if (!body.isObject()) {
            throw new IllegalArgumentException("a document must be a JSON object, not " + body.getNodeType());
        }
        body.fields().forEachRemaining(field -> node.set(field.getKey(), field.getValue()));
        try {
            AtomicFiles.write(file, Json.mapper().writeValueAsBytes(node));
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not save " + file + ": " + e.getMessage(), e);
        }
    }

    /** The document at {@code file}, or empty when there is none. */
    public static <T> Optional<T> read(Path file, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UnreadableDocumentException(file, "cannot read the file (" + e.getMessage() + ")", e);
        }
        return Optional.of(parse(file, bytes, type));
    }

    private static <T> T parse(Path file, byte[] bytes, Class<T> type) {
        if (bytes.length == 0) {
            throw new UnreadableDocumentException(file, "the file is empty", null);
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UnreadableDocumentException(file, "not valid JSON (" + firstLine(e) + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new UnreadableDocumentException(file, "not a JSON object", null);
        }
        JsonNode schema = node.get(SCHEMA_FIELD);
        if (schema == null || !schema.canConvertToInt()) {
            throw new UnreadableDocumentException(file, "no " + SCHEMA_FIELD + " field", null);
        }
        if (schema.asInt() > SCHEMA_VERSION) {
            throw new UnreadableDocumentException(file, "written by a newer Nube (schema " + schema.asInt()
                    + ", this one reads up to " + SCHEMA_VERSION + ")", null);
        }
        ((ObjectNode) node).remove(SCHEMA_FIELD);
        try {
            return Json.mapper().treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new UnreadableDocumentException(file, "does not describe a " + type.getSimpleName()
                    + " (" + firstLine(e) + ")", e);
        }
    }

    private static String firstLine(Exception e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
