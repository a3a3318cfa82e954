package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.EnvironmentState;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.functions.sandbox.SandboxException;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Runtimes started ahead of their functions, a few per runtime ({@link FunctionSettings#prestarted()}): a cold start
 * takes one, puts its function's code into its empty /var/task and gives it its environment, so the runtime only
 * imports the handler; the interpreter's own start was done before the request came. Each is a sandbox, limits,
 * Runtime API server and output of its own, as any environment, holds nothing of any function until it is taken,
 * and is taken once. Python and Node.js only (a custom runtime's bootstrap is the function's own code).
 * <p>Filled on one background thread: a runtime's pool starts filling at its first cold start, and each take starts
 * one more. Thread-safe.
 */
final class Prestarted implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Prestarted.class.getName());
    /** The memory limit while a runtime waits: the smallest a function has (its own is set when it is taken). */
    private static final long WAITING_MEMORY_BYTES = 128L << 20;

    private record Entry(ExecutionEnvironment environment, Sandbox sandbox) {
    }

    private final Runtimes runtimes;
    private final Supplier<Sandbox> sandbox;
    private final IntSupplier wanted;
    private final Path runDir;
    private final Path tasksDir;
    private final ExecutorService connections;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "functions-prestart");
        thread.setDaemon(true);
        return thread;
    });
    /** Waiting runtimes per runtime id (the installed runtime that runs them). */
    private final Map<String, Deque<Entry>> waiting = new HashMap<>();
    private final Map<String, Integer> starting = new HashMap<>();
    private boolean closed;

    /**
     * @param tasksDir where each runtime's /var/task folder is made: on the file system of the functions' code, so
     *                 that code is hard-linked into it rather than copied
     */
    Prestarted(Runtimes runtimes, Supplier<Sandbox> sandbox, IntSupplier wanted, Path runDir, Path tasksDir,
            ExecutorService connections) {
        this.runtimes = runtimes;
        this.sandbox = sandbox;
        this.wanted = wanted;
        this.runDir = runDir;
        this.tasksDir = tasksDir;
        this.connections = connections;
        removeQuietly(tasksDir); // what an engine that was killed left
    }

    /** Removes {@code folder}; a second try covers a runtime's own folder removed meanwhile by its last step. */
    private static void removeQuietly(Path folder) {
        for (int attempt = 1; ; attempt++) {
            try {
                CodeFolder.deleteTree(folder);
                return;
            } catch (RuntimeException e) {
                if (attempt == 2) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove " + folder + ": " + e.getMessage());
                    return;
                }
            }
        }
    }

    /** True when a runtime of {@code info} can be started ahead of its function. */
    static boolean supports(RuntimeInfo info) {
        return info.language() == RuntimeInfo.Language.PYTHON || info.language() == RuntimeInfo.Language.NODE;
    }

    /**
     * True when a function's own variables leave a pre-started interpreter as it would have started: none of them is
     * read by the interpreter or the C library at start (PYTHONPATH, NODE_OPTIONS, LD_PRELOAD, a locale...).
     */
    static boolean startsTheSame(Map<String, String> variables) {
        return variables.keySet().stream().noneMatch(name -> name.startsWith("PYTHON") || name.startsWith("NODE_")
                || name.startsWith("UV_") || name.startsWith("LD_") || name.startsWith("MALLOC_")
                || name.startsWith("GLIBC_") || name.startsWith("LC_") || name.equals("LANG")
                || name.equals("LANGUAGE") || name.equals("HOME") || name.equals("TMPDIR"));
    }

    /**
     * A started runtime of {@code info} in {@code in}, taken from the pool, or null when none waits; either way the
     * pool fills up again in the background.
     */
    ExecutionEnvironment take(RuntimeInfo info, Sandbox in) {
        if (!supports(info) || wanted.getAsInt() <= 0) {
            return null;
        }
        ExecutionEnvironment found = null;
        List<ExecutionEnvironment> stale = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return null;
            }
            Deque<Entry> queue = waiting.computeIfAbsent(info.id(), id -> new ArrayDeque<>());
            Entry entry;
            while (found == null && (entry = queue.poll()) != null) {
                if (entry.sandbox() == in && entry.environment().state() == EnvironmentState.STARTING) {
                    found = entry.environment();
                } else {
                    stale.add(entry.environment());
                }
            }
        }
        stale.forEach(ExecutionEnvironment::stop);
        fill(info);
        return found;
    }

    /** Starts runtimes of {@code info} in the background until as many wait as the setting says. */
    private void fill(RuntimeInfo info) {
        synchronized (this) {
            if (closed) {
                return;
            }
            int have = waiting.getOrDefault(info.id(), new ArrayDeque<>()).size()
                    + starting.getOrDefault(info.id(), 0);
            int missing = wanted.getAsInt() - have;
            if (missing <= 0) {
                return;
            }
            starting.merge(info.id(), missing, Integer::sum);
            for (int i = 0; i < missing; i++) {
                try {
                    starter.execute(() -> startOne(info));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    starting.merge(info.id(), -1, Integer::sum);
                }
            }
        }
    }

    private void startOne(RuntimeInfo info) {
        Sandbox in = sandbox.get();
        ExecutionEnvironment environment = null;
        try {
            byte[] random = new byte[16];
            ThreadLocalRandom.current().nextBytes(random);
            String id = HexFormat.of().formatHex(random);
            Path task = tasksDir.resolve(id);
            Files.createDirectories(task);
            Map<String, String> variables = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8",
                    "TZ", ":UTC");
            SandboxSpec spec = new SandboxSpec(task, runtimes.dir(), variables, runtimes.command(info.id()),
                    SandboxSpec.DEFAULT_TMP_BYTES);
            environment = ExecutionEnvironment.prestart(id, spec, WAITING_MEMORY_BYTES, in, runDir, connections);
        } catch (IOException | SandboxException e) {
            LOG.log(System.Logger.Level.WARNING, "could not start a " + info.id() + " runtime ahead: "
                    + e.getMessage());
        } finally {
            boolean keep;
            synchronized (this) {
                starting.merge(info.id(), -1, Integer::sum);
                keep = environment != null && !closed;
                if (keep) {
                    waiting.computeIfAbsent(info.id(), id -> new ArrayDeque<>()).add(new Entry(environment, in));
                }
            }
            if (environment != null && !keep) {
                environment.stop();
            }
        }
        if (environment != null) {
            ExecutionEnvironment started = environment;
            started.closed().whenComplete((code, error) -> {
                forget(info.id(), started);
                removeQuietly(started.taskDir());
            });
        }
    }

    private synchronized void forget(String runtimeId, ExecutionEnvironment environment) {
        Deque<Entry> queue = waiting.get(runtimeId);
        if (queue != null) {
            queue.removeIf(entry -> entry.environment() == environment);
        }
    }

    /** Stops the waiting runtimes beyond the setting (after it changed), or all of them (the sandbox changed). */
    void trim(boolean all) {
        List<ExecutionEnvironment> stop = new ArrayList<>();
        synchronized (this) {
            int keep = all ? 0 : Math.max(0, wanted.getAsInt());
            for (Deque<Entry> queue : waiting.values()) {
                while (queue.size() > keep) {
                    stop.add(queue.pollLast().environment());
                }
            }
        }
        stop.forEach(ExecutionEnvironment::stop);
    }

    /** The ids of the runtimes waiting now, of every kind (for tests). */
    synchronized List<String> waitingIds() {
        return waiting.values().stream().flatMap(Deque::stream).map(entry -> entry.environment().id()).toList();
    }

    /**
     * Puts {@code code} into {@code task}, a pre-started runtime's /var/task: hard links where the two folders share
     * a file system (nothing is copied, and the runtime sees it read-only), copies where they do not.
     */
    static void linkCode(Path code, Path task) throws IOException {
        boolean[] link = {true};
        try (var walk = Files.walk(code)) {
            for (Path from : walk.toList()) {
                Path to = task.resolve(code.relativize(from).toString());
                if (from.equals(code) || AtomicFiles.isTemporary(from)) {
                    continue; // a file half saved is not the code
                }
                if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(to);
                } else if (Files.isSymbolicLink(from) || !link[0]) {
                    Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    try {
                        Files.createLink(to, from);
                    } catch (FileSystemException | UnsupportedOperationException e) {
                        link[0] = false; // another file system: copy from now on
                        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        List<ExecutionEnvironment> stop = new ArrayList<>();
        synchronized (this) {
            closed = true;
            waiting.values().forEach(queue -> queue.forEach(entry -> stop.add(entry.environment())));
            waiting.clear();
        }
        starter.shutdownNow();
        stop.forEach(ExecutionEnvironment::stop);
        for (ExecutionEnvironment environment : stop) {
            try {
                environment.closed().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the environment; closing goes on
            }
        }
        try {
            starter.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeQuietly(tasksDir);
    }
}
