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
    /** The system JDK 17's java under /usr/lib/jvm (the one java17 functions run on), or null. */
    public static final String JAVA_EXECUTABLE = jdk17();
    public static final String JAVA = JAVA_EXECUTABLE == null ? null : "java17";

    private TestRuntimes() {
    }

    private static String jdk17() {
        java.io.File[] homes = new java.io.File("/usr/lib/jvm").listFiles();
        if (homes == null) {
            return null;
        }
        java.util.Arrays.sort(homes);
        for (java.io.File home : homes) {
            java.io.File java = new java.io.File(home, "bin/java");
            if (java.canExecute() && java.getPath().startsWith("/usr/")) {
                try {
                    Process process = new ProcessBuilder(java.getPath(), "-version").redirectErrorStream(true).start();
                    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    process.waitFor();
                    if (out.contains("version \"17.") || out.contains("version \"17\"")) {
                        return java.getPath();
                    }
                } catch (IOException e) {
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
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
