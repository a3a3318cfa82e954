package dev.nube.ui.functions;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * JSON as the console shows and checks it: what is wrong with a text (with line and column, before anything is
 * sent), and payloads pretty-printed. Stateless and thread-safe.
 */
final class JsonText {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));

    private JsonText() {
    }

    /** Why {@code text} is not one JSON value, e.g. "Line 3, column 5: Unexpected character ('}')", or empty. */
    static Optional<String> problem(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of("The event is empty. An event is a JSON value, for example {}.");
        }
        try {
            STRICT.readTree(text);
            return Optional.empty();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "Line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            return Optional.of(where + e.getOriginalMessage().lines().findFirst().orElse("not valid JSON"));
        }
    }

    /** {@code text} indented two spaces a level, or as it is when it is not JSON. */
    static String pretty(String text) {
        try {
            JsonNode node = STRICT.readTree(text);
            return MAPPER.writer(PRETTY).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    static String pretty(byte[] payload) {
        return pretty(new String(payload, StandardCharsets.UTF_8));
    }
}
