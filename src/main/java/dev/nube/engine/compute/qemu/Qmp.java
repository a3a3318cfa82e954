package dev.nube.engine.compute.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A QMP (QEMU Machine Protocol) connection over the instance's unix socket. One reader thread splits what QEMU sends
 * into command replies and asynchronous events (handed to the event listener, on the reader thread: keep it short).
 * Every command carries its own {@code id}, which QEMU copies into the reply, so a reply is handed only to the caller
 * that sent that command: a late reply to a command whose caller gave up is dropped, never taken as the answer to the
 * next one. Writes are serialised on this object. When QEMU goes away the listener hears a {@code CLOSED} event once.
 */
public final class Qmp implements AutoCloseable {
    /** The pseudo-event delivered when the connection ends. */
    public static final String CLOSED = "CLOSED";
    private static final JsonNode END = Json.mapper().createObjectNode();

    private final SocketChannel channel;
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private volatile boolean closed;
    private final Thread reader;

    private Qmp(SocketChannel channel, Consumer<JsonNode> events) throws IOException {
        this.channel = channel;
        // Not Channels.newInputStream/newOutputStream: on a blocking channel both take one lock, so a pending read
        // would block every write.
        BufferedReader in = new BufferedReader(new InputStreamReader(new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        }, StandardCharsets.UTF_8));
        reader = new Thread(() -> read(in, events), "qmp " + channel);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects, reads the greeting and enters command mode; fails if QEMU does not answer within {@code deadline}. */
    public static Qmp connect(Path socket, Consumer<JsonNode> events, Duration deadline) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            Qmp qmp = new Qmp(channel, events);
            JsonNode greeting = qmp.greeting.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (greeting == END) {
                throw new IOException("QEMU did not greet on " + socket);
            }
            qmp.execute("qmp_capabilities", Map.of(), deadline);
            return qmp;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            channel.close();
            throw new IOException("QEMU did not greet on " + socket + " within " + deadline.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to QMP", e);
        }
    }

    private void read(BufferedReader in, Consumer<JsonNode> events) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode message;
                try {
                    message = Json.mapper().readTree(line);
                } catch (IOException e) {
                    continue; // not JSON: ignore the line
                }
                if (message.has("event")) {
                    events.accept(message);
                } else if (message.has("QMP")) {
                    greeting.complete(message);
                } else {
                    CompletableFuture<JsonNode> waiting = pending.remove(message.path("id").asText(""));
                    if (waiting != null) {
                        waiting.complete(message); // no one waits for a reply without an id we sent: dropped
                    }
                }
            }
        } catch (IOException ignored) {
            // the socket closed: QEMU ended or we closed it
        } finally {
            this.closed = true;
            greeting.complete(END);
            pending.values().forEach(waiting -> waiting.complete(END));
            pending.clear();
            ObjectNode closed = Json.mapper().createObjectNode();
            closed.put("event", CLOSED);
            events.accept(closed);
        }
    }

    /** Runs a QMP command and returns its {@code return} value; throws with QEMU's error text. */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration deadline) throws IOException {
        String id = "nube-" + nextId.incrementAndGet();
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", Json.mapper().valueToTree(arguments));
        }
        request.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        JsonNode reply;
        try {
            if (closed) {
                throw new IOException("QEMU closed QMP before " + command);
            }
            ByteBuffer bytes = ByteBuffer.wrap((Json.oneLine().writeValueAsString(request) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            synchronized (this) {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
            reply = answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("QMP " + command + " got no answer within " + deadline.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("QMP " + command + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for QMP " + command, e);
        } finally {
            pending.remove(id);
        }
        if (reply == END) {
            throw new IOException("QEMU closed QMP during " + command);
        }
        if (reply.has("error")) {
            throw new IOException("QMP " + command + ": " + reply.path("error").path("desc").asText());
        }
        return reply.path("return");
    }

    /** A human monitor command's text (for {@code info usernet}). */
    public String human(String commandLine, Duration deadline) throws IOException {
        return execute("human-monitor-command", Map.of("command-line", commandLine), deadline).asText();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
