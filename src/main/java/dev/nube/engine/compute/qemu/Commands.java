package dev.nube.engine.compute.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command to completion with a deadline and returns what it printed. Stateless. */
public final class Commands {
    /** What a finished command printed (stdout and stderr together) and its exit status. */
    public record Result(int exit, String output) {
        /** The last non-empty line printed, for error messages. */
        public String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1];
        }
    }

    private Commands() {
    }

    /**
     * The program {@code name} as a path to run: found on the PATH, else in {@code /usr/sbin} and {@code /sbin}, which
     * an ordinary user's PATH on Debian lacks although tools such as mke2fs live there; the bare name when neither
     * has it (running it then fails with "not available").
     */
    public static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return name;
    }

    /** Whether {@link #tool} finds {@code name}. */
    public static boolean hasTool(String name) {
        return !tool(name).equals(name);
    }

    /** Runs {@code command} in {@code dir} (null: the current folder); kills it at the deadline. */
    public static Result run(List<String> command, Path dir, Duration deadline) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is not available (" + e.getMessage() + ")", e);
        }
        process.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                process.getInputStream().transferTo(out);
            } catch (IOException ignored) {
                // the process was killed: what was read so far stays
            }
        }, "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + deadline.toSeconds()
                        + " s");
            }
            reader.join(5_000);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        synchronized (out) {
            return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8));
        }
    }

    /** As {@link #run}, failing with the command's last line of output unless it exits 0. */
    public static String check(List<String> command, Path dir, Duration deadline)
            throws IOException, InterruptedException {
        Result result = run(command, dir, deadline);
        if (result.exit() != 0) {
            throw new IOException(command.get(0) + " failed (exit " + result.exit() + "): " + result.lastLine());
        }
        return result.output();
    }
}
