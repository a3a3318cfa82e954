package dev.nube.engine.compute.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.store.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpTest {
    @TempDir
    Path dir;

    /**
     * A QMP server that answers {@code query-slow} only when the next command arrives, just before that command's own
     * reply: the late reply a caller that timed out leaves behind.
     */
    private Thread lateServer(ServerSocketChannel server) {
        Thread thread = new Thread(() -> {
            try (SocketChannel client = server.accept()) {
                OutputStream out = Channels.newOutputStream(client);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                        StandardCharsets.UTF_8));
                send(out, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}");
                JsonNode slow = null;
                String line;
                while ((line = in.readLine()) != null) {
                    JsonNode request = Json.mapper().readTree(line);
                    String command = request.path("execute").asText();
                    if (command.equals("query-slow")) {
                        slow = request;
                        continue;
                    }
                    if (slow != null) {
                        send(out, reply(slow, Json.mapper().getNodeFactory().textNode("late")));
                        slow = null;
                    }
                    ObjectNode status = Json.mapper().createObjectNode();
                    status.put("status", command);
                    send(out, reply(request, status));
                }
            } catch (IOException ignored) {
                // the test closed the connection
            }
        }, "fake qmp");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String reply(JsonNode request, JsonNode value) throws IOException {
        ObjectNode reply = Json.mapper().createObjectNode();
        reply.set("return", value);
        if (request.has("id")) {
            reply.set("id", request.get("id"));
        }
        return Json.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(reply);
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void aLateReplyIsNeverTakenAsTheNextCommandsAnswer() throws Exception {
        Path socket = dir.resolve("qmp.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            lateServer(server);
            try (Qmp qmp = Qmp.connect(socket, event -> { }, Duration.ofSeconds(10))) {
                IOException timedOut = assertThrows(IOException.class,
                        () -> qmp.execute("query-slow", Map.of(), Duration.ofMillis(300)));
                assertEquals(true, timedOut.getMessage().contains("no answer"), timedOut.getMessage());
                JsonNode answer = qmp.execute("query-status", Map.of(), Duration.ofSeconds(10));
                assertEquals("query-status", answer.path("status").asText(), answer.toString());
            }
        }
    }
}
