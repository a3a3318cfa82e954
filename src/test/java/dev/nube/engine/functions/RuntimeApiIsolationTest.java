package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.store.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An environment's Runtime API port is on loopback, where any local process (another function too: they share the
 * host's network) can connect. Only the environment's own processes are served.
 */
class RuntimeApiIsolationTest extends SandboxTestBase {
    /** Only a broken engine reaches this bound (a connection left waiting); it is never a measured time. */
    private static final int SAFETY_TIMEOUT_MS = 60_000;
    private static final String NEXT = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";

    @BeforeAll
    static void open() {
        f.python("guarded", """
                import os, socket
                def lambda_handler(event, context):
                    if "report" in event:  # tell the test which invocation runs, wait until it hangs up
                        with socket.create_connection(("127.0.0.1", event["report"])) as s:
                            s.sendall(context.aws_request_id.encode() + b"\\n")
                            s.recv(1)
                    return {"api": os.environ["AWS_LAMBDA_RUNTIME_API"], "event": event}
                """);
    }

    /** Sends {@code request} from this JVM, a process outside every environment; returns all it got back. */
    private static String foreign(String api, String request) throws IOException {
        String[] address = api.split(":");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address[0], Integer.parseInt(address[1])));
            socket.setSoTimeout(SAFETY_TIMEOUT_MS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForeignProcessGetsNoEventAndCannotAnswer() throws Exception {
        InvocationResult first = f.invoke("guarded", "{}");
        assertNull(first.error(), first.payloadText());
        String api = Json.mapper().readTree(first.payload()).get("api").asText();

        // The warm runtime waits in GET /next; a stranger asks too, while the next caller's event goes out.
        CompletableFuture<String> stolen = CompletableFuture.supplyAsync(() -> {
            try {
                return foreign(api, NEXT);
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
        InvocationResult second = f.invoke("guarded", "{\"secret\": \"s3cr3t\"}");
        assertEquals("", stolen.get(2 * SAFETY_TIMEOUT_MS, TimeUnit.MILLISECONDS), "closed without an event");
        assertNull(second.error(), second.payloadText());
        assertEquals("s3cr3t", Json.mapper().readTree(second.payload()).get("event").get("secret").asText());
        assertEquals(null, second.initDurationMs(), "the same warm environment answered");

        // While an invocation runs, a stranger who knows its id posts an answer for it.
        try (ServerSocket report = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            report.setSoTimeout(SAFETY_TIMEOUT_MS);
            CompletableFuture<InvocationResult> running = CompletableFuture.supplyAsync(() -> f.invoke("guarded",
                    "{\"report\": " + report.getLocalPort() + "}"));
            try (Socket function = report.accept()) {
                function.setSoTimeout(SAFETY_TIMEOUT_MS);
                String requestId = new BufferedReader(new InputStreamReader(function.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                String body = "\"forged\"";
                String forged = foreign(api, "POST /2018-06-01/runtime/invocation/" + requestId + "/response"
                        + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                assertEquals("", forged, "closed without taking the answer");
            }
            InvocationResult answered = running.get(2 * SAFETY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNull(answered.error(), answered.payloadText());
            JsonNode out = Json.mapper().readTree(answered.payload());
            assertEquals(api, out.get("api").asText(), "the function's own answer");
        }
    }
}
