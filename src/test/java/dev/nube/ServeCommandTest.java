package dev.nube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.api.ApiTestSupport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nube serve} and {@code nube credentials} as a user runs them: separate processes on one data folder. The
 * first line says where the API is; a key printed by credentials signs the CLI's requests; a second serve is told
 * which process holds the folder; SIGTERM stops the engine cleanly and frees the folder.
 */
class ServeCommandTest {
    @TempDir
    Path temp;

    @Test
    void serveAnswersTheCliWithAKeyFromCredentialsAndStopsOnSigterm() throws Exception {
        Path home = temp.resolve("home");
        String printed = run(List.of("credentials", "--data-dir", home.toString()), 60);
        String id = value(printed, "aws_access_key_id = ");
        String secret = value(printed, "aws_secret_access_key = ");
        assertTrue(printed.contains("[profile nube]") && printed.contains("region = local-1"), printed);

        int port = freePort();
        Process serve = start(List.of("serve", "--data-dir", home.toString(), "--port", Integer.toString(port)));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("Serving the AWS API at http://127.0.0.1:" + port, out.readLine());

            ProcessBuilder aws = new ProcessBuilder(ApiTestSupport.AWS, "--endpoint-url", "http://127.0.0.1:" + port,
                    "--region", "local-1", "--output", "text", "ec2", "describe-regions", "--query",
                    "Regions[0].RegionName").redirectErrorStream(true);
            aws.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
            aws.environment().put("HOME", temp.toString());
            aws.environment().put("AWS_ACCESS_KEY_ID", id);
            aws.environment().put("AWS_SECRET_ACCESS_KEY", secret);
            aws.environment().put("AWS_EC2_METADATA_DISABLED", "true");
            Process cli = aws.start();
            String answer = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(cli.waitFor(60, TimeUnit.SECONDS));
            assertEquals("local-1", answer);

            String second = run(List.of("serve", "--data-dir", home.toString(), "--port",
                    Integer.toString(freePort())), 60, 1);
            assertTrue(second.contains("pid " + serve.pid() + ", nube serve"), second);

            // SIGTERM, sent without Process.destroy, which would close the output before it is read
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(serve.pid())).start().waitFor());
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve stops on SIGTERM");
            List<String> rest = new ArrayList<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                rest.add(line);
            }
            assertTrue(rest.stream().anyMatch(l -> l.endsWith("ec2 DescribeRegions 200") || l.matches(
                    ".* ec2 DescribeRegions 200 .*")), "the request was logged: " + rest);
        } finally {
            serve.destroyForcibly();
        }
        // The folder is free again: another serve can open it (and is stopped at once).
        Process again = start(List.of("serve", "--data-dir", home.toString(), "--port", Integer.toString(freePort())));
        try {
            String first = new BufferedReader(new InputStreamReader(again.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(first != null && first.startsWith("Serving the AWS API at "), String.valueOf(first));
        } finally {
            again.destroy();
            again.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static String value(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
                "no " + prefix + " in " + text)).substring(prefix.length()).strip();
    }

    private static Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    private static String run(List<String> args, long seconds) throws Exception {
        return run(args, seconds, 0);
    }

    private static String run(List<String> args, long seconds, int expectedExit) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "finished: " + args);
        assertEquals(expectedExit, process.exitValue(), out);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
