package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A package manager's process, run to its end on the calling thread with its output read line by line on a thread
 * of its own, and stopped (its whole tree) at {@link Dependencies#TIME_LIMIT} or when the calling thread is
 * interrupted. Stateless.
 */
final class ToolProcess {
    static final int KEPT_LINES = 400;

    private ToolProcess() {
    }

    /**
     * Starts the tool and waits for it, publishing its lines as they come (the last {@value #KEPT_LINES} kept in
     * {@code lines} for the error). Its whole process tree is stopped (TERM, then KILL after 5 s) at the time limit
     * or when this thread is interrupted. Returns the exit code.
     */
    static int run(ProcessBuilder builder, String name, Consumer<String> output, Deque<String> lines) {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new EngineException("DependencyInstallFailed", "Could not start " + builder.command().get(0) + ": "
                    + e.getMessage() + "; the function's code was not changed.", e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > KEPT_LINES) {
                            lines.removeFirst();
                        }
                    }
                    output.accept(line);
                }
            } catch (IOException e) {
                // the process was stopped: its output ends here
            }
        }, "nube-dependencies-output");
        reader.setDaemon(true);
        reader.start();
        String stopped = null;
        try {
            if (!process.waitFor(Dependencies.TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                stopped = "did not finish within " + Dependencies.TIME_LIMIT.toMinutes() + " minutes and was stopped";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = "was cancelled";
        }
        if (stopped != null) {
            stop(process);
            joinQuietly(reader);
            output.accept(name + " " + stopped + ".");
            throw new EngineException("DependencyInstallFailed", name + " " + stopped + "; the function's code was"
                    + " not changed.");
        }
        joinQuietly(reader); // every line is in before the failure is read from them
        return process.exitValue();
    }

    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle handle : tree) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                try {
                    handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void joinQuietly(Thread reader) {
        boolean interrupted = Thread.interrupted();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
