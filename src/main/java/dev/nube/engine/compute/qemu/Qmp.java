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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A QMP (QEMU Machine Protocol) connection over the instance's unix socket. One reader thread splits what QEMU sends
 * into command replies (handed to the caller waiting in {@link #execute}) and asynchronous events (handed to the
 * event listener, on the reader thread: keep it short). Commands are serialised on this object. When QEMU goes away
 * the listener hears a {@code CLOSED} event once.
 */
public final class Qmp implements AutoCloseable {
    /** The pseudo-event delivered when the connection ends. */
    public static final String CLOSED = "CLOSED";
    private static final JsonNode END = Json.mapper().createObjectNode();

    private final SocketChannel channel;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
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
            JsonNode greeting = qmp.replies.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
            if (greeting == null || !greeting.has("QMP")) {
                throw new IOException("QEMU did not greet on " + socket);
            }
            qmp.execute("qmp_capabilities", Map.of(), deadline);
            return qmp;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
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
                } else {
                    replies.add(message);
                }
            }
        } catch (IOException ignored) {
            // the socket closed: QEMU ended or we closed it
        } finally {
            replies.add(END);
            ObjectNode closed = Json.mapper().createObjectNode();
            closed.put("event", CLOSED);
            events.accept(closed);
        }
    }

    /** Runs a QMP command and returns its {@code return} value; throws with QEMU's error text. */
    public synchronized JsonNode execute(String command, Map<String, ?> arguments, Duration deadline)
            throws IOException {
        ObjectNode request = Json.mapper().createObjectNode();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.set("arguments", Json.mapper().valueToTree(arguments));
        }
        replies.removeIf(r -> r != END);
        ByteBuffer bytes = ByteBuffer.wrap((Json.mapper().writeValueAsString(request) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        JsonNode reply;
        try {
            reply = replies.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for QMP " + command, e);
        }
        if (reply == null) {
            throw new IOException("QMP " + command + " got no answer within " + deadline.toSeconds() + " s");
        }
        if (reply == END) {
            replies.add(END);
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
