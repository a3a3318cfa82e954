package dev.nube.engine.functions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The runtime ids this machine's toolchains should be offered under, worked out here from the interpreters' own
 * versions (not from the engine, so tests that use them also check the engine's naming): Python 3.11.2 is
 * {@code python3.11}, Node 20.1.0 is {@code nodejs20.x}. An id is null when its interpreter is missing.
 */
public final class TestRuntimes {
    public static final String PYTHON = version(List.of("/usr/bin/python3", "--version"), "Python ", "python", "");
    public static final String NODE = version(List.of("/usr/bin/node", "--version"), "v", "nodejs", ".x");
    public static final String CUSTOM = "provided.al2023";

    private TestRuntimes() {
    }

    private static String version(List<String> command, String prefix, String name, String suffix) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor();
            String[] parts = out.substring(prefix.length()).split("\\.");
            return name + parts[0] + (suffix.isEmpty() ? "." + parts[1] : suffix);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
