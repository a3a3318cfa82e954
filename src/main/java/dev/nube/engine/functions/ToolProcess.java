package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
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
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path KILL = Path.of("/usr/bin/kill");

    /** The tools an engine's installs are running, stopped when it closes. Thread-safe. */
    static final class Running {
        private final Set<Process> processes = new HashSet<>();
        private boolean closed;

        /**
         * Stops every tool running and refuses new ones, waiting at most {@code bound} for their installs to see
         * them end. Those installs fail, the code unchanged.
         */
        void stopAll(Duration bound) {
            List<Process> running;
            synchronized (this) {
                closed = true;
                running = List.copyOf(processes);
            }
            running.forEach(ToolProcess::stop);
            long deadline = System.nanoTime() + bound.toNanos();
            boolean interrupted = Thread.interrupted();
            synchronized (this) {
                while (!processes.isEmpty() && System.nanoTime() < deadline) {
                    try {
                        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ToolProcess() {
    }

    /**
     * Starts the tool and waits for it, publishing its lines as they come (the last {@value #KEPT_LINES} kept in
     * {@code lines} for the error). Its whole process tree is stopped (TERM, then KILL after 5 s) at the time limit
     * or when this thread is interrupted. Returns the exit code.
     */
    static int run(Running running, ProcessBuilder builder, String name, Consumer<String> output,
            Deque<String> lines) {
        String program = builder.command().get(0);
        List<String> command = new ArrayList<>(builder.command());
        if (Files.isExecutable(SETSID)) {
            command.add(0, SETSID.toString()); // a session of its own: its process group is the tool's whole tree
        }
        Process process;
        synchronized (running) {
            if (running.closed) {
                throw new EngineException("DependencyInstallFailed", name + " was not started: Nube is closing; the"
                        + " function's code was not changed.");
            }
            try {
                process = builder.command(command).start();
            } catch (IOException e) {
                throw new EngineException("DependencyInstallFailed", "Could not start " + program + ": "
                        + e.getMessage() + "; the function's code was not changed.", e);
            }
            running.processes.add(process);
        }
        try {
            return run(process, name, output, lines);
        } finally {
            synchronized (running) {
                running.processes.remove(process);
                running.notifyAll();
            }
        }
    }

    private static int run(Process process, String name, Consumer<String> output, Deque<String> lines) {
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

    /**
     * Stops the tool's whole tree: TERM to its process group (it leads a session of its own, see {@link #run}) and to
     * every descendant, then, after up to 5 s for them to end, KILL to the group and to the descendants until none
     * is left. Waits whether or not this thread is interrupted (a cancel is what interrupted it); the interrupt is
     * kept.
     */
    static void stop(Process process) {
        boolean interrupted = Thread.interrupted();
        try {
            long group = process.pid();
            Set<ProcessHandle> tree = new LinkedHashSet<>(process.descendants().toList());
            tree.add(process.toHandle());
            interrupted |= signalGroup("TERM", group);
            tree.forEach(ProcessHandle::destroy);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (int round = 0; round < 20; round++) {
                process.descendants().forEach(tree::add);
                interrupted |= signalGroup("KILL", group);
                tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
                if (tree.stream().noneMatch(ProcessHandle::isAlive)) {
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code kill -SIGNAL -- -group}: every process of the tool's group, those left by its exited children too. */
    private static boolean signalGroup(String signal, long group) {
        if (!Files.isExecutable(SETSID) || !Files.isExecutable(KILL)) {
            return false; // no group of its own: its descendants are signalled one by one
        }
        boolean interrupted = false;
        try {
            Process kill = new ProcessBuilder(KILL.toString(), "-s", signal, "--", "-" + group)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (kill.isAlive() && System.nanoTime() < deadline) {
                try {
                    kill.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            kill.destroyForcibly();
        } catch (IOException e) {
            // the descendants are still signalled one by one
        }
        return interrupted;
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
