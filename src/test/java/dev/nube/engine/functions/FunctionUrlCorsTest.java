package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A function URL's CORS settings become header lines of every answer: what cannot be a header value, and a wildcard
 * origin with credentials, are refused before they are kept.
 */
class FunctionUrlCorsTest {
    @Test
    void ordinarySettingsPass() {
        assertDoesNotThrow(() -> new FunctionUrlCors(List.of("https://example.com", "http://localhost:3000"),
                List.of("get", "POST"), List.of("content-type", "x-api-key"), List.of("x-request-id"), 600, true)
                .check());
        assertDoesNotThrow(() -> new FunctionUrlCors(List.of("*"), List.of("*"), List.of("*"), List.of(), null, null)
                .check());
    }

    @Test
    void whatWouldInjectAHeaderLineIsRefused() {
        for (FunctionUrlCors cors : List.of(
                new FunctionUrlCors(List.of("*"), List.of(), List.of(), List.of("x\r\nSet-Cookie: s=evil"), null,
                        null),
                new FunctionUrlCors(List.of("*"), List.of(), List.of("a b"), List.of(), null, null),
                new FunctionUrlCors(List.of("https://a.example\r\nX: 1"), List.of(), List.of(), List.of(), null,
                        null),
                new FunctionUrlCors(List.of("example.com"), List.of(), List.of(), List.of(), null, null))) {
            EngineException e = assertThrows(EngineException.class, cors::check, cors::toString);
            assertTrue(e.getMessage().startsWith("Cors."), e.getMessage());
        }
    }

    @Test
    void aWildcardOriginWithCredentialsIsRefused() {
        EngineException e = assertThrows(EngineException.class, () -> new FunctionUrlCors(List.of("*"), List.of(),
                List.of(), List.of(), null, true).check());
        assertTrue(e.getMessage().contains("AllowCredentials"), e.getMessage());
    }

    @Test
    void aMissingMethodIsRefusedNotAFailure() {
        assertThrows(EngineException.class, () -> new FunctionUrlCors(List.of("*"), Arrays.asList("GET", null),
                List.of(), List.of(), null, null).check());
    }
}
