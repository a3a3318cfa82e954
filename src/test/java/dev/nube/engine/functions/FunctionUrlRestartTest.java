package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function URL outlives its engine: the same address (id and port) is served by the next engine on the same data
 * folder from the moment it opens, and the endpoint stops with its engine. Nothing is invoked: an AWS_IAM URL answers
 * an unsigned request 403 only once its route is found (an unknown id is 404), which is what is checked.
 */
class FunctionUrlRestartTest {
    @TempDir
    Path dir;

    @Test
    void theUrlIsServedAgainAtTheSameAddressAfterARestart() throws Exception {
        Path home = dir.resolve("home");
        String url;
        try (Engine first = EngineTestSupport.openWithoutKvm(home)) {
            first.functions().create("local-1", CreateFunctionRequest.of("kept", PYTHON));
            url = first.functionUrls().create("local-1", "kept", FunctionUrlConfig.AuthType.AWS_IAM, null, null)
                    .url();
            assertTrue(url.matches("http://[a-z0-9]{32}\\.lambda-url\\.local-1\\.localhost:\\d+/"), url);
            assertEquals(403, status(url));
            assertTrue(Files.exists(home.resolve("config").resolve("function-urls.json")), "the port is kept");
        }
        assertFalse(listening(url), "the endpoint stops with its engine");
        try (Engine second = EngineTestSupport.openWithoutKvm(home)) {
            assertEquals(url, second.functionUrls().get("local-1", "kept").url(), "same id and port");
            assertEquals(403, status(url), "served from the start");
            assertEquals(404, status(url.replaceAll("//[a-z0-9]{32}", "//" + "1".repeat(32))));
            second.functions().delete("local-1", "kept");
            assertEquals(404, status(url), "gone with its function");
        }
    }

    private static boolean listening(String url) {
        try (Socket socket = new Socket("127.0.0.1", URI.create(url).getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The status curl gets for a GET of {@code url} (curl sends *.localhost to loopback itself). */
    private static int status(String url) throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}",
                url).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!curl.waitFor(60, TimeUnit.SECONDS) || curl.exitValue() != 0) {
            throw new AssertionError("curl failed: " + err);
        }
        return Integer.parseInt(out.strip());
    }
}
