package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.EnvironmentState;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.functions.sandbox.SandboxException;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.PrivateFiles;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Runtimes started ahead of their functions, a few per runtime ({@link FunctionSettings#prestarted()}): a cold start
 * takes one, puts its function's code into its empty /var/task (and its layers into its empty /opt) and gives it its
 * environment, so the runtime only imports the handler; the interpreter's own start was done before the request came.
 * Each is a sandbox, limits, Runtime API server and output of its own, as any environment, holds nothing of any function until it is taken,
 * and is taken once. Python and Node.js only (a custom runtime's bootstrap is the function's own code).
 * <p>Node sizes its JavaScript heap from the memory limit it starts under, so node runtimes wait under the limit
 * of the functions they are for, one pool per memory size; a python runtime waits under the smallest limit and is
 * raised to its function's. Filled on one background thread: a pool starts filling at its first cold start, and
 * each take starts one more. Thread-safe.
 */
final class Prestarted implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Prestarted.class.getName());
    /** The memory limit while a python runtime waits: the smallest a function has (its own is set when taken). */
    private static final int WAITING_MEMORY_MB = 128;
    /** Code with more files than this is not linked (one link per file would cost more than the start saved). */
    static final int MAX_LINKED_FILES = 1000;
    /** After a runtime failed to start ahead, the pool waits this long before it tries again. */
    private static final long RETRY_AFTER_NANOS = 30_000_000_000L;

    private record Entry(ExecutionEnvironment environment, Sandbox sandbox) {
    }

    /** A pool: one runtime, and for node one memory size. */
    private record Pool(RuntimeInfo runtime, int memoryMb) {
    }

    /** The code has more than {@link #MAX_LINKED_FILES} files. */
    static final class TooManyFiles extends IOException {
        TooManyFiles(Path code) {
            super(code + " has more than " + MAX_LINKED_FILES + " files");
        }
    }

    private final Runtimes runtimes;
    private final Supplier<Sandbox> sandbox;
    private final IntSupplier wanted;
    private final Path runDir;
    private final Path tasksDir;
    private final ExecutorService connections;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(Invocations.daemon("functions-prestart"));
    private final Map<Pool, Deque<Entry>> waiting = new HashMap<>();
    private final Map<Pool, Integer> starting = new HashMap<>();
    private final Map<Pool, Long> failedAt = new HashMap<>();
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

    /**
     * The folder a runtime started ahead shows at /opt, beside its /var/task folder: empty until its function's
     * layers are linked into it, when it has any.
     */
    private static Path optFor(Path task) {
        return task.resolveSibling(task.getFileName() + "-opt");
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
                || name.startsWith("OPENSSL_")
                || name.startsWith("GLIBC_") || name.startsWith("LC_") || name.equals("LANG")
                || name.equals("LANGUAGE") || name.equals("HOME") || name.equals("TMPDIR"));
    }

    /**
     * A started runtime of {@code info} in {@code in} for a function of {@code memoryMb}, taken from its pool, or null
     * when none waits; either way the pool fills up again in the background.
     */
    ExecutionEnvironment take(RuntimeInfo info, int memoryMb, Sandbox in) {
        if (!supports(info) || wanted.getAsInt() <= 0) {
            return null;
        }
        Pool pool = new Pool(info, info.language() == RuntimeInfo.Language.NODE ? memoryMb : WAITING_MEMORY_MB);
        ExecutionEnvironment found = null;
        List<ExecutionEnvironment> stale = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return null;
            }
            Deque<Entry> queue = waiting.computeIfAbsent(pool, p -> new ArrayDeque<>());
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
        fill(pool);
        return found;
    }

    /** Starts runtimes for {@code pool} in the background until as many wait as the setting says. */
    private void fill(Pool pool) {
        synchronized (this) {
            Long failed = failedAt.get(pool);
            if (closed || failed != null && System.nanoTime() - failed < RETRY_AFTER_NANOS) {
                return;
            }
            Deque<Entry> queue = waiting.get(pool);
            int have = (queue == null ? 0 : queue.size()) + starting.getOrDefault(pool, 0);
            int missing = wanted.getAsInt() - have;
            if (missing <= 0) {
                return;
            }
            starting.merge(pool, missing, Integer::sum);
            for (int i = 0; i < missing; i++) {
                try {
                    starter.execute(() -> startOne(pool));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    starting.merge(pool, -1, Integer::sum);
                }
            }
        }
    }

    private void startOne(Pool pool) {
        Sandbox in = sandbox.get();
        ExecutionEnvironment environment = null;
        Path task = null;
        try {
            String id = ExecutionEnvironment.newId();
            task = tasksDir.resolve(id);
            PrivateFiles.createDirectories(task);
            Path opt = optFor(task);
            PrivateFiles.createDirectories(opt);
            SandboxSpec spec = new SandboxSpec(task, runtimes.dir(), Invoker.BASE_VARIABLES,
                    runtimes.command(pool.runtime().id(), pool.memoryMb(), Map.of()), SandboxSpec.DEFAULT_TMP_BYTES,
                    opt);
            environment = ExecutionEnvironment.prestart(id, spec, (long) pool.memoryMb() << 20, in, runDir,
                    connections);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not start a " + pool.runtime().id() + " runtime ahead: "
                    + e.getMessage());
            if (task != null) {
                removeQuietly(task);
                removeQuietly(optFor(task));
            }
        } finally {
            boolean keep;
            synchronized (this) {
                starting.merge(pool, -1, Integer::sum);
                Deque<Entry> queue = waiting.computeIfAbsent(pool, p -> new ArrayDeque<>());
                keep = environment != null && !closed && in == sandbox.get() && queue.size() < wanted.getAsInt();
                if (keep) {
                    queue.add(new Entry(environment, in));
                } else if (environment == null) {
                    failedAt.put(pool, System.nanoTime());
                }
            }
            if (environment != null && !keep) {
                environment.stop();
            }
        }
        if (environment != null) {
            ExecutionEnvironment started = environment;
            started.closed().whenComplete((code, error) -> {
                forget(pool, started);
                removeQuietly(started.taskDir());
                removeQuietly(optFor(started.taskDir()));
            });
        }
    }

    private synchronized void forget(Pool pool, ExecutionEnvironment environment) {
        Deque<Entry> queue = waiting.get(pool);
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

    /** The ids of the runtimes of {@code language} waiting now (for tests). */
    synchronized List<String> waitingIds(RuntimeInfo.Language language) {
        return waiting.entrySet().stream().filter(e -> e.getKey().runtime().language() == language)
                .flatMap(e -> e.getValue().stream()).map(entry -> entry.environment().id()).toList();
    }

    /**
     * Puts {@code code} into {@code task}, a pre-started runtime's /var/task: hard links where the two folders share
     * a file system (nothing is copied, and the runtime sees it read-only), copies where they do not. Throws
     * {@link TooManyFiles} before it links anything when the code has more than {@link #MAX_LINKED_FILES} entries.
     */
    static void linkCode(Path code, Path task) throws IOException {
        List<Path> all;
        try (var walk = Files.walk(code)) {
            all = walk.limit(MAX_LINKED_FILES + 2L).toList(); // the folder itself, then one too many
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (all.size() > MAX_LINKED_FILES + 1) {
            throw new TooManyFiles(code);
        }
        boolean link = true;
        for (Path from : all) {
            Path to = task.resolve(code.relativize(from).toString());
            if (from.equals(code)) {
                continue;
            }
            if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.createDirectories(to);
            } else if (Files.isSymbolicLink(from) || !link) {
                Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
                try {
                    Files.createLink(to, from);
                } catch (FileSystemException | UnsupportedOperationException e) {
                    link = false; // another file system: copy from now on
                    Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
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
