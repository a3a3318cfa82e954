package dev.nube.engine.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The framing both servers share, on byte streams: what a client sends, what it gets back. */
class HttpFramingTest {
    private final HttpFraming http = new HttpFraming(1024);

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void readsTheRequestLineAndHeaders() throws IOException {
        HttpFraming.Request request = http.readRequest(stream(
                "GET /latest/meta-data/?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  two words \r\nno colon\r\n\r\n"));
        assertEquals("GET", request.method());
        assertEquals("/latest/meta-data/?x=1", request.target());
        assertEquals("/latest/meta-data/", request.path());
        assertEquals("HTTP/1.1", request.version());
        assertEquals(Map.of("host", "a", "x-thing", "two words"), request.headers());
        assertEquals(-1, request.contentLength());
        assertFalse(request.wantsClose());
    }

    @Test
    void repeatedHeadersAreJoinedWhenAskedAndOtherwiseTheLastWins() throws IOException {
        String head = "GET / HTTP/1.1\r\nX-A: 1\r\nX-A: 2\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n";
        assertEquals(Map.of("x-a", "1,2", "cookie", "a=1; b=2"), new HttpFraming(1024, true).readRequest(stream(head))
                .headers());
        assertEquals(Map.of("x-a", "2", "cookie", "b=2"), http.readRequest(stream(head)).headers());
    }

    @Test
    void aResponseMayRepeatAHeader() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpFraming.writeResponse(out, "HTTP/1.1", 201, "text/plain", java.util.List.of(Map.entry("Set-Cookie", "a=1"),
                Map.entry("Set-Cookie", "b=2")), "ok".getBytes(StandardCharsets.UTF_8), true);
        assertEquals("HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nSet-Cookie: a=1\r\n"
                + "Set-Cookie: b=2\r\n\r\nok", text(out.toByteArray()));
    }

    @Test
    void badRequestLines() throws IOException {
        HttpFraming.Request noVersion = http.readRequest(stream("POST /x\r\n\r\n"));
        assertEquals("/x", noVersion.path());
        assertNull(noVersion.version(), "method and target are enough for the Runtime API");
        assertNull(http.readRequest(stream("GET / HTTP/1.1 extra\r\n\r\n")).version());
        // refused at the request line: the headers (here: none, the stream ends) are not waited for
        assertThrows(HttpFraming.BadRequestLine.class, () -> http.readRequest(stream("hello\r\n")));
        assertThrows(HttpFraming.BadRequestLine.class, () -> http.readRequest(stream("\r\n\r\n")));
    }

    @Test
    void theStreamMayEndBetweenRequestsButNotInsideOne() throws IOException {
        assertNull(http.readRequest(stream("")));
        assertThrows(EOFException.class, () -> http.readRequest(stream("GET / HTTP/1.1\r\nHost: a\r\n")));
        assertThrows(EOFException.class, () -> http.readRequest(stream("GET /")));
    }

    @Test
    void theHeadHasALimitLineEndsIncluded() throws IOException {
        HttpFraming small = new HttpFraming(64);
        String line = "GET / HTTP/1.1\r\n"; // 16 bytes
        String header = "A: " + "x".repeat(64 - line.length() - 2 - 2 - 3) + "\r\n";
        String exactly = line + header + "\r\n";
        assertEquals(64, exactly.length());
        assertEquals("GET", small.readRequest(stream(exactly)).method());
        String over = line + "A: x" + header.substring(3) + "\r\n";
        assertThrows(HttpFraming.HeadTooLarge.class, () -> small.readRequest(stream(over)));
        assertThrows(HttpFraming.HeadTooLarge.class, () -> small.readRequest(stream("GET /" + "a".repeat(100))),
                "a request line that does not end is not read without bound");
        assertEquals("GET", small.readRequest(stream("GET / HTTP/1.0\n\n")).method(), "bare LF ends lines too");
        InputStream longChunk = stream("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1" + ";x".repeat(40));
        HttpFraming.Request chunked = small.readRequest(longChunk);
        assertThrows(HttpFraming.HeadTooLarge.class, () -> small.readBody(chunked, longChunk, 100));
    }

    @Test
    void contentLengthFramesTheBody() throws IOException {
        InputStream in = stream("POST /a HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
        HttpFraming.Request request = http.readRequest(in);
        assertEquals(4, request.contentLength());
        assertEquals("body", text(http.readBody(request, in, 100)));

        for (String bad : new String[] {"ten", "-5", "1234567890123456789"}) {
            InputStream badIn = stream("POST /a HTTP/1.1\r\nContent-Length: " + bad + "\r\n\r\n");
            HttpFraming.Request badRequest = http.readRequest(badIn); // the head itself is fine
            HttpFraming.BadFraming e = assertThrows(HttpFraming.BadFraming.class,
                    () -> http.readBody(badRequest, badIn, 100));
            assertEquals("Content-Length is not a number: " + bad, e.getMessage());
            assertThrows(HttpFraming.BadFraming.class, () -> http.discardBody(badRequest, badIn));
        }

        InputStream shortIn = stream("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        HttpFraming.Request shortRequest = http.readRequest(shortIn);
        assertThrows(EOFException.class, () -> http.readBody(shortRequest, shortIn, 100));
    }

    @Test
    void chunkedBodies() throws IOException {
        InputStream in = stream("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n");
        HttpFraming.Request request = http.readRequest(in);
        assertTrue(request.chunked());
        assertEquals("abcde", text(http.readBody(request, in, 100)));
        assertEquals(-1, in.read(), "the trailers were read");

        InputStream bad = stream("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n");
        HttpFraming.Request badRequest = http.readRequest(bad);
        assertThrows(HttpFraming.BadFraming.class, () -> http.readBody(badRequest, bad, 100));

        // 5 bytes said, 7 sent (a size counted in characters, not bytes): refused, never cut short in silence.
        InputStream longer = stream("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nh\u00e9llo!\r\n0\r\n\r\n");
        HttpFraming.Request longerRequest = http.readRequest(longer);
        assertThrows(HttpFraming.BadFraming.class, () -> http.readBody(longerRequest, longer, 100));

        InputStream cut = stream("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"partial\"");
        HttpFraming.Request cutRequest = http.readRequest(cut);
        assertThrows(EOFException.class, () -> http.readBody(cutRequest, cut, 100));
    }

    @Test
    void keepAliveReadsTheNextRequestAfterABodyTooLargeOrDiscarded() throws IOException {
        InputStream in = stream("POST /big HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678"
                + "POST /chunks HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"
                + "GET /next HTTP/1.1\r\nContent-Length: 2\r\n\r\nxx"
                + "GET /last HTTP/1.1\r\nConnection: Close\r\n\r\n");
        HttpFraming.Request big = http.readRequest(in);
        assertNull(http.readBody(big, in, 4), "over the limit: read and dropped");
        HttpFraming.Request chunks = http.readRequest(in);
        assertNull(http.readBody(chunks, in, 3));
        HttpFraming.Request next = http.readRequest(in);
        assertEquals("/next", next.path());
        http.discardBody(next, in);
        HttpFraming.Request last = http.readRequest(in);
        assertEquals("/last", last.path());
        assertTrue(last.wantsClose());
        assertNull(http.readRequest(in), "the client closed cleanly");
    }

    @Test
    void writesAResponseWithItsLength() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Lambda-Runtime-Aws-Request-Id", "abc");
        headers.put("Connection", "close");
        HttpFraming.writeResponse(out, "HTTP/1.1", 202, "application/json", headers,
                "{}".getBytes(StandardCharsets.UTF_8), true);
        assertEquals("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Lambda-Runtime-Aws-Request-Id: abc\r\nConnection: close\r\n\r\n{}",
                out.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream head = new ByteArrayOutputStream();
        HttpFraming.writeResponse(head, "HTTP/1.0", 200, "text/plain", Map.of(), new byte[5], false);
        assertArrayEquals("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
                .getBytes(StandardCharsets.UTF_8), head.toByteArray(), "an answer to HEAD states the length only");
        assertEquals("Payload Too Large", HttpFraming.reason(413));
        assertEquals("Method Not Allowed", HttpFraming.reason(405));
    }
}
