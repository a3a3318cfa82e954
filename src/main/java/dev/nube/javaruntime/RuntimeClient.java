package dev.nube.javaruntime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Speaks the Lambda Runtime API (2018-06-01) over one keep-alive socket, by hand as Nube's other runtimes do: the
 * engine's server always answers with Content-Length, and the JDK's HTTP clients would add their own start-up to
 * every cold start. One thread only (the runtime's main loop).
 */
final class RuntimeClient {
    static final String BASE = "/2018-06-01/runtime";
    static final String NEXT = BASE + "/invocation/next";

    /** One answer of the Runtime API; header names in lower case. */
    record Response(int status, Map<String, String> headers, byte[] body) {
    }

    private final String address;
    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RuntimeClient(String address) {
        this.address = address;
        int colon = address.lastIndexOf(':');
        this.host = address.substring(0, colon);
        this.port = Integer.parseInt(address.substring(colon + 1));
    }

    /** Sends one request; a broken connection is opened again once. */
    Response request(String method, String path, byte[] body, Map<String, String> headers) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                connect();
                out.write(message(method, path, body, headers));
                out.flush();
                return read();
            } catch (IOException e) {
                close();
                if (attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /**
     * Posts an answer and asks for the next invocation in one write (HTTP/1.1 pipelining), so the runtime makes no
     * round trip of its own in between; on a broken connection, both again one after the other on a new one.
     */
    Response postThenNext(String path, byte[] body, Map<String, String> headers) throws IOException {
        try {
            connect();
            byte[] post = message("POST", path, body, headers);
            byte[] next = message("GET", NEXT, new byte[0], Map.of());
            byte[] both = new byte[post.length + next.length];
            System.arraycopy(post, 0, both, 0, post.length);
            System.arraycopy(next, 0, both, post.length, next.length);
            out.write(both);
            out.flush();
            read();
        } catch (IOException e) {
            close();
            request("POST", path, body, headers);
            return request("GET", NEXT, new byte[0], Map.of());
        }
        try {
            return read();
        } catch (IOException e) {
            close();
            return request("GET", NEXT, new byte[0], Map.of());
        }
    }

    private void connect() throws IOException {
        if (socket == null) {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        }
    }

    private void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // gone already
            }
            socket = null;
        }
    }

    private byte[] message(String method, String path, byte[] body, Map<String, String> headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(address).append("\r\nContent-Length: ").append(body.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] message = new byte[start.length + body.length];
        System.arraycopy(start, 0, message, 0, start.length);
        System.arraycopy(body, 0, message, start.length, body.length);
        return message;
    }

    private Response read() throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ");
        if (parts.length < 2) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new HashMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).strip());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("the Runtime API closed the connection");
        }
        return new Response(status, headers, body);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the Runtime API closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
