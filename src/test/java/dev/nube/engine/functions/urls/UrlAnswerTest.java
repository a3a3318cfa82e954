package dev.nube.engine.functions.urls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.http.HttpFraming;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a function's result becomes a function URL's answer, and which bodies reach the event as text, for the
 * results the sandboxed tests do not make: status codes as text, answers that cannot be written (502), no body.
 */
class UrlAnswerTest {
    private static UrlAnswer of(String payload) {
        return UrlAnswer.of(payload.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(UrlAnswer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aResponseObjectGivesItsStatusHeadersCookiesAndBody() {
        UrlAnswer answer = of("{\"statusCode\": \"302\", \"headers\": {\"Location\": \"/next\", \"X-N\": 5,"
                + " \"Content-Type\": \"text/html\", \"Content-Length\": \"999\"}, \"cookies\": [\"s=1\"],"
                + " \"body\": \"<p>moved</p>\"}");
        assertEquals(302, answer.status());
        assertEquals("text/html", answer.contentType());
        assertEquals(List.of(Map.entry("Location", "/next"), Map.entry("X-N", "5"), Map.entry("Set-Cookie", "s=1")),
                answer.headers(), "the length is the server's to write");
        assertEquals("<p>moved</p>", body(answer));
        UrlAnswer empty = of("{\"statusCode\": 204}");
        assertEquals(204, empty.status());
        assertEquals(0, empty.body().length);
        assertEquals(0, of("{\"statusCode\": 204, \"body\": \"hi\"}").body().length,
                "no body on a 204: a client would read it as the next answer");
        assertEquals(0, of("{\"statusCode\": 304, \"body\": \"hi\"}").body().length);
    }

    @Test
    void anyOtherJsonIsA200JsonBodyAndWhatCannotBeWrittenIsA502() {
        for (String value : List.of("\"hello\"", "42", "[1, 2]", "{\"message\": \"no status\"}", "null")) {
            UrlAnswer answer = of(value);
            assertEquals(200, answer.status(), value);
            assertEquals("application/json", answer.contentType());
            assertEquals(value, body(answer));
        }
        for (String bad : List.of("not json", "{\"statusCode\": 99}", "{\"statusCode\": \"abc\"}",
                "{\"statusCode\": 101}", "{\"statusCode\": 100}",
                "{\"statusCode\": 200, \"headers\": {\"X\": \"a\\r\\nInjected: 1\"}}",
                "{\"statusCode\": 200, \"headers\": {\"bad name\": \"x\"}}",
                "{\"statusCode\": 200, \"headers\": [\"x\"]}",
                "{\"statusCode\": 200, \"body\": \"%%%\", \"isBase64Encoded\": true}")) {
            UrlAnswer answer = of(bad);
            assertEquals(502, answer.status(), bad);
            assertEquals("Internal Server Error", body(answer));
        }
    }

    @Test
    void textTypesStayTextAndTheRestIsBase64() throws IOException {
        assertTrue(UrlEvent.isText("application/json; charset=utf-8"));
        assertTrue(UrlEvent.isText("text/csv"));
        assertTrue(UrlEvent.isText("application/vnd.api+json"));
        assertTrue(UrlEvent.isText("application/x-www-form-urlencoded"));
        assertFalse(UrlEvent.isText("image/png"));
        assertFalse(UrlEvent.isText(null));
        HttpFraming.Request request = new HttpFraming(1024, true).readRequest(new ByteArrayInputStream(
                "POST /a HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 'a'};
        var event = UrlEvent.of(request, notUtf8, "u".repeat(32), "d", "127.0.0.1", null, "r", Instant.EPOCH);
        assertTrue(event.path("isBase64Encoded").asBoolean(), "text/plain that is not UTF-8 is sent as base64");
        assertArrayEquals(notUtf8, java.util.Base64.getDecoder().decode(event.path("body").asText()));
        assertEquals("01/Jan/1970:00:00:00 +0000", event.path("requestContext").path("time").asText());
    }
}
