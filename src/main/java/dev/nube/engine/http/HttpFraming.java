package dev.nube.engine.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How the engine's small HTTP/1.x servers (the Lambda Runtime API, the instance metadata service, the AWS API and
 * function URLs) read a request (its line, headers and body: by Content-Length or chunked) and write a response. They
 * are written by hand rather than on the JDK's HttpServer (see each server for why); this is the one copy of the
 * framing they share. What
 * each server answers, which methods and versions it takes and whether a connection stays open stay with the server.
 * <p>Threads: an instance is immutable and may be shared; a connection's streams are used by one thread at a time.
 */
public final class HttpFraming {
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[0-9]{1,18}");
    private static final java.util.regex.Pattern HEXADECIMAL = java.util.regex.Pattern.compile("[0-9a-fA-F]{1,15}");
    private final int maxHeadBytes;
    private final boolean joinRepeated;

    /** @param maxHeadBytes the most bytes a request line and its headers may take, line ends included */
    public HttpFraming(int maxHeadBytes) {
        this(maxHeadBytes, false);
    }

    /**
     * @param joinRepeated whether a header given more than once keeps every value, joined as HTTP allows (by
     *                     {@code ,}, and {@code Cookie} by {@code ; }), rather than the last one only; for a server
     *                     that hands a request's headers on whole (function URLs)
     */
    public HttpFraming(int maxHeadBytes, boolean joinRepeated) {
        this.maxHeadBytes = maxHeadBytes;
        this.joinRepeated = joinRepeated;
    }

    /**
     * One request line and its headers (names in lower case, the last of a repeated name wins); the body is read on
     * demand with {@link #readBody} or {@link #discardBody}.
     *
     * @param version the third word of the request line, or null when the line does not have exactly three
     */
    public record Request(String method, String target, String version, Map<String, String> headers) {
        public Request {
            headers = Map.copyOf(headers);
        }

        /** The target without its query. */
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        public String header(String name) {
            return headers.get(name);
        }

        /**
         * The declared body length, -1 when there is none. Checked here rather than when the head is read, so a
         * server that reads no bodies is not refused a request for a header it ignores.
         */
        public long contentLength() throws BadFraming {
            String value = headers.get("content-length");
            if (value == null) {
                return -1;
            }
            if (!DECIMAL.matcher(value).matches()) {
                throw new BadFraming("Content-Length is not a number: " + value);
            }
            return Long.parseLong(value);
        }

        public boolean chunked() {
            String value = headers.get("transfer-encoding");
            return value != null && value.toLowerCase(Locale.ROOT).contains("chunked");
        }

        /** The client asked to close the connection after this exchange ({@code Connection: close}). */
        public boolean wantsClose() {
            return "close".equalsIgnoreCase(headers.get("connection"));
        }
    }

    /**
     * The next request of a kept-alive connection, as a server loop reads it: null when the connection went idle
     * (the socket's read timeout) or ended cleanly; a client that waits for {@code 100 Continue} is told to go on.
     * Otherwise as {@link #readRequest}.
     */
    public Request nextRequest(InputStream in, java.io.OutputStream out) throws IOException {
        Request request;
        try {
            request = readRequest(in);
        } catch (java.net.SocketTimeoutException e) {
            return null; // idle
        }
        if (request != null && "100-continue".equalsIgnoreCase(request.header("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
        }
        return request;
    }

    /**
     * Reads the next request's line and headers; null when the stream ends cleanly before one begins. Throws
     * {@link BadRequestLine} as soon as the request line has no target, {@link HeadTooLarge} once the head passes
     * the limit, and {@link EOFException} when the stream ends inside the head.
     */
    public Request readRequest(InputStream in) throws IOException {
        String raw = readRawLine(in, maxHeadBytes, true, this::headTooLarge);
        if (raw == null) {
            return null;
        }
        int left = maxHeadBytes - raw.length() - 1;
        String line = withoutCr(raw);
        String[] words = line.split(" ");
        if (words.length < 2) {
            throw new BadRequestLine("bad request line: " + line);
        }
        Map<String, String> headers = new HashMap<>();
        while (true) {
            raw = readRawLine(in, left, false, this::headTooLarge);
            left -= raw.length() + 1;
            String header = withoutCr(raw);
            if (header.isEmpty()) {
                return new Request(words[0], words[1], words.length == 3 ? words[2] : null, headers);
            }
            int colon = header.indexOf(':');
            if (colon > 0) {
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).strip();
                if (joinRepeated) {
                    headers.merge(name, value, (first, next) -> first + (name.equals("cookie") ? "; " : ",") + next);
                } else {
                    headers.put(name, value);
                }
            }
        }
    }

    /**
     * The body of {@code request}, or null when it is longer than {@code limit} (then it was read and dropped, so the
     * connection can carry on). Throws {@link BadFraming} when its length cannot be read, and {@link EOFException}
     * when the stream ends before the body does.
     */
    public byte[] readBody(Request request, InputStream in, long limit) throws IOException {
        long declared = request.contentLength(); // a bad one is refused even beside chunks
        if (request.chunked()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean over = false;
            for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
                over |= body.size() + size > limit;
                copy(in, over ? OutputStream.nullOutputStream() : body, size);
                if (!readLine(in).isEmpty()) { // a chunk's data ends exactly where its size said
                    throw new BadFraming("a chunk is longer than its size says");
                }
            }
            for (String trailer = readLine(in); !trailer.isEmpty(); trailer = readLine(in)) {
                // trailers are not used
            }
            return over ? null : body.toByteArray();
        }
        long length = Math.max(0, declared);
        if (length > limit) {
            copy(in, OutputStream.nullOutputStream(), length);
            return null;
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
        }
        return body;
    }

    /** Reads and drops the body of {@code request}, so the next request on the connection can be read. */
    public void discardBody(Request request, InputStream in) throws IOException {
        long declared = request.contentLength(); // a bad one is refused even beside chunks
        if (request.chunked() || declared > 0) {
            readBody(request, in, 0);
        }
    }

    /**
     * Writes a response and flushes: the status line, Content-Type, Content-Length, {@code headers} in the map's
     * order, then the body unless {@code sendBody} is false (an answer to HEAD, which still states the length).
     */
    public static void writeResponse(OutputStream out, String version, int status, String contentType,
            Map<String, String> headers, byte[] body, boolean sendBody) throws IOException {
        writeResponse(out, version, status, contentType, List.copyOf(headers.entrySet()), body, sendBody);
    }

    /**
     * As {@link #writeResponse(OutputStream, String, int, String, Map, byte[], boolean)}, with headers that may repeat
     * a name (several {@code Set-Cookie}), written in the list's order.
     */
    public static void writeResponse(OutputStream out, String version, int status, String contentType,
            List<Map.Entry<String, String>> headers, byte[] body, boolean sendBody) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(version).append(' ').append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        headers.forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        if (sendBody) {
            out.write(body);
        }
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 413 -> "Payload Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status";
        };
    }

    private long chunkSize(InputStream in) throws IOException {
        String line = readLine(in);
        int semicolon = line.indexOf(';');
        String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        if (!HEXADECIMAL.matcher(size).matches()) {
            throw new BadFraming("a chunk size is not a hexadecimal number: " + size);
        }
        return Long.parseLong(size, 16);
    }

    private static void copy(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buffer = new byte[8192];
        while (count > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
            if (n < 0) {
                throw new EOFException();
            }
            out.write(buffer, 0, n);
            count -= n;
        }
    }

    /** One line of a chunked body (a size or a trailer), without its end. */
    private String readLine(InputStream in) throws IOException {
        return withoutCr(readRawLine(in, maxHeadBytes, false,
                () -> new HeadTooLarge("a chunk size or trailer line is over " + maxHeadBytes + " bytes")));
    }

    /**
     * A line up to its LF, which is left out (a CR before it is kept, so the caller can count the bytes read: the
     * length plus one). Null at a clean end of stream before the line when {@code first}. Bytes are taken as
     * ISO-8859-1, as HTTP's head is. Throws {@code tooLong} rather than read more than {@code limit} bytes.
     */
    private static String readRawLine(InputStream in, int limit, boolean first, Supplier<HeadTooLarge> tooLong)
            throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (first && line.length() == 0) {
                    return null;
                }
                throw new EOFException();
            }
            if (line.length() + 1 > limit) {
                throw tooLong.get();
            }
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
    }

    private HeadTooLarge headTooLarge() {
        return new HeadTooLarge("the request line and headers are over " + maxHeadBytes + " bytes");
    }

    private static String withoutCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** A request line without a method and a target. */
    public static final class BadRequestLine extends IOException {
        private static final long serialVersionUID = 1L;

        BadRequestLine(String message) {
            super(message);
        }
    }

    /** A request line and headers (or one line of a chunked body) longer than the server reads. */
    public static final class HeadTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        HeadTooLarge(String message) {
            super(message);
        }
    }

    /** A body whose length cannot be read (a bad Content-Length or chunk size): where it ends is unknown. */
    public static final class BadFraming extends IOException {
        private static final long serialVersionUID = 1L;

        BadFraming(String message) {
            super(message);
        }
    }
}
