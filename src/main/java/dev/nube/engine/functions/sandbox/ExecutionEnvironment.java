package dev.nube.engine.functions.sandbox;

import dev.nube.engine.CleanupList;
import dev.nube.engine.functions.runtime.RuntimeApi;
import dev.nube.engine.functions.runtime.LoopbackPeers;
import dev.nube.engine.functions.runtime.RuntimeApiServer;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One execution environment: a sandboxed runtime process, its Runtime API server, its output pump and its resource
 * limits, driven through the {@link EnvironmentLifecycle}. It runs one invocation at a time.
 * <p>One watcher per process: the process's exit (seen once, by {@link Process#onExit()}) fails the init or the
 * in-flight invocation exactly once with {@link RuntimeOutcome.Exited}, then releases everything the environment
 * opened, in reverse order. Thread-safe: state changes hold this object's lock.
 */
public final class ExecutionEnvironment {
    private static final System.Logger LOG = System.getLogger(ExecutionEnvironment.class.getName());
    /**
     * The largest event the invoking thread writes itself. Loopback socket buffers take this much without the
     * runtime reading (a warm call saves a thread wake-up); anything larger could block the write.
     */
    static final int DIRECT_DELIVERY_MAX_BYTES = 64 * 1024;

    private final String id;
    private volatile EnvironmentConfig config;
    private final ResourceLimits limits;
    private final CleanupList cleanup = new CleanupList();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicBoolean exitSeen = new AtomicBoolean();
    private EnvironmentState state = EnvironmentState.INACTIVE;
    private Pending pending;
    /** The delivery of a runtime's unanswered {@code GET /next}, if one waits. */
    private RuntimeApi.Delivery waiter;
    private ExecutorService connections;
    private Process process;
    private OutputPump pump;
    /** The output's lease of the invocation that runs or just ended, until its end is marked (see {@link #invoke}). */
    private OutputPump.Lease outputLease;
    /** Where the output goes: the function's log, once the environment has its function. */
    private final SwitchableSink output = new SwitchableSink();
    /** The runtime's stdin while a pre-started environment waits for its function; null otherwise. */
    private java.io.OutputStream identityPipe;
    private String runtimeApiAddress;
    private Path taskDir;
    private Path optDir;
    private long startedNanos;
    private volatile long initNanos = -1;
    private volatile long finalPeakBytes = -1;
    private volatile RuntimeOutcome.Exited exit;

    private static final class Pending {
        final RuntimeApi.NextInvocation invocation;
        final CompletableFuture<RuntimeOutcome> outcome = new CompletableFuture<>();
        boolean delivered;
        boolean answered;

        Pending(RuntimeApi.NextInvocation invocation) {
            this.invocation = invocation;
        }
    }

    private ExecutionEnvironment(String id, EnvironmentConfig config, ResourceLimits limits) {
        this.id = id;
        this.config = config;
        this.limits = limits;
    }

    /**
     * Starts an environment: makes its limits, Runtime API server and output FIFO, then the sandboxed process. Init
     * runs in the background; {@link #ready()} says how it ends. Throws {@link SandboxException} when the sandbox
     * cannot be made (nothing is left behind then).
     *
     * @param runDir a private folder for the environment's FIFO
     */
    public static ExecutionEnvironment start(String id, EnvironmentConfig config, Sandbox sandbox, Path runDir,
            ExecutorService connections, OutputPump.LineSink output) {
        ExecutionEnvironment environment = create(id, config, config.memoryBytes(), sandbox);
        environment.output.set(output);
        try {
            environment.launch(sandbox, config.spec(), runDir, connections, false);
        } catch (IOException | RuntimeException e) {
            environment.releaseAll();
            throw new SandboxException("Could not start an execution environment for " + config.functionName()
                    + ": " + e.getMessage(), e);
        }
        return environment;
    }

    /**
     * Starts a runtime ahead of its function: the interpreter comes up in its own sandbox, limits and Runtime API
     * server, with {@code spec}'s environment (nothing of any function) and {@code spec.codeDir()} at /var/task, a
     * folder of its own, empty until the caller puts a function's code there just before {@link #assign}; the
     * runtime waits on its stdin for its function meanwhile. It is given one function, once.
     *
     * @param memoryBytes its memory limit until {@link #assign} raises it to the function's
     */
    public static ExecutionEnvironment prestart(String id, SandboxSpec spec, long memoryBytes, Sandbox sandbox,
            Path runDir, ExecutorService connections) {
        ExecutionEnvironment environment = create(id, null, memoryBytes, sandbox);
        environment.taskDir = spec.codeDir();
        environment.optDir = spec.optDir();
        try {
            environment.launch(sandbox, spec, runDir, connections, true);
        } catch (IOException | RuntimeException e) {
            environment.releaseAll();
            throw new SandboxException("Could not pre-start a runtime: " + e.getMessage(), e);
        }
        return environment;
    }

    private static ExecutionEnvironment create(String id, EnvironmentConfig config, long memoryBytes,
            Sandbox sandbox) {
        if (!sandbox.available()) {
            throw new SandboxException(sandbox.problem());
        }
        ResourceLimits limits = sandbox.limiter().create("env-" + id, memoryBytes, SandboxSpec.MAX_PROCESSES);
        ExecutionEnvironment environment = new ExecutionEnvironment(id, config, limits);
        environment.cleanup.add("resource limits", limits);
        return environment;
    }

    /** The folder shown at /var/task of a pre-started environment, for its function's code before {@link #assign}. */
    public Path taskDir() {
        return taskDir;
    }

    /**
     * The folder shown at /opt of a pre-started environment, for its function's layers before {@link #assign}; null
     * when it has none.
     */
    public Path optDir() {
        return optDir;
    }

    /**
     * Gives a pre-started environment its function, whose code is in {@link #taskDir()} by now: raises the memory
     * limit to the function's, sends the output to {@code output}, and hands the runtime its whole environment
     * ({@code variables}, plus AWS_LAMBDA_RUNTIME_API), which it takes in place of the one it started with; init
     * (the handler's import) runs from here, and {@link #ready()} and the init duration count from here. Throws
     * {@link SandboxException} when the runtime cannot take it (it died meanwhile); the caller then stops it.
     */
    public void assign(EnvironmentConfig function, Map<String, String> variables, OutputPump.LineSink output) {
        java.io.OutputStream pipe;
        synchronized (this) {
            if (identityPipe == null || state != EnvironmentState.STARTING) {
                throw new SandboxException("the pre-started runtime " + id + " is not waiting (" + state + ")");
            }
            pipe = identityPipe;
            identityPipe = null;
            config = function;
        }
        Map<String, String> all = new HashMap<>(variables);
        all.put("AWS_LAMBDA_RUNTIME_API", runtimeApiAddress);
        try (pipe) {
            limits.raiseMemoryLimit(function.memoryBytes());
            this.output.set(output);
            byte[] line = dev.nube.engine.store.Json.oneLine().writeValueAsBytes(all);
            synchronized (this) {
                startedNanos = System.nanoTime();
            }
            pipe.write(line);
            pipe.write('\n');
        } catch (IOException e) {
            throw new SandboxException("The pre-started runtime " + id + " could not take its function: "
                    + e.getMessage(), e);
        }
    }

    private void launch(Sandbox sandbox, SandboxSpec base, Path runDir, ExecutorService connections,
            boolean prestarted) throws IOException {
        this.connections = connections;
        RuntimeApiServer server = new RuntimeApiServer(new Api(), connections, id, this::ownConnection);
        cleanup.add("Runtime API server", server);
        runtimeApiAddress = server.address();
        Path fifo = runDir.resolve(id + ".out");
        OutputPump.makeFifo(fifo);
        cleanup.add("output FIFO", () -> Files.deleteIfExists(fifo));
        pump = new OutputPump(fifo, output, "function-output-" + id);
        cleanup.add("output pump", pump::stop);
        Map<String, String> variables = new HashMap<>(base.environment());
        if (prestarted) {
            variables.put(PRESTARTED_VARIABLE, "1");
        } else {
            variables.put("AWS_LAMBDA_RUNTIME_API", runtimeApiAddress);
        }
        SandboxSpec spec = new SandboxSpec(base.codeDir(), base.runtimeDir(), variables, base.command(),
                base.tmpBytes(), base.optDir());
        ProcessBuilder builder = new ProcessBuilder(sandbox.command(spec, limits))
                .redirectInput(prestarted ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(fifo.toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(variables);
        synchronized (this) {
            state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.START);
            startedNanos = System.nanoTime();
            process = builder.start();
            if (prestarted) {
                identityPipe = process.getOutputStream();
            }
        }
        cleanup.add("stdin of the pre-started runtime", () -> {
            java.io.OutputStream pipe;
            synchronized (this) {
                pipe = identityPipe;
                identityPipe = null;
            }
            if (pipe != null) {
                pipe.close();
            }
        });
        limits.attach(process.toHandle());
        process.onExit().whenComplete((p, error) -> exited(p == null ? -1 : p.exitValue()));
    }

    /** Set in a pre-started runtime's environment: it reads its function's environment from stdin first. */
    public static final String PRESTARTED_VARIABLE = "NUBE_PRESTARTED";

    /** The output's destination, set once the environment has a function; until then lines go to the engine log. */
    private final class SwitchableSink implements OutputPump.LineSink {
        private volatile OutputPump.LineSink target;

        void set(OutputPump.LineSink value) {
            target = value;
        }

        @Override
        public void line(long epochMillis, String text) {
            OutputPump.LineSink to = target;
            if (to != null) {
                to.line(epochMillis, text);
            } else {
                LOG.log(Level.INFO, "pre-started runtime " + id + ": " + text);
            }
        }

        @Override
        public void idle() {
            OutputPump.LineSink to = target;
            if (to != null) {
                to.idle();
            }
        }
    }

    /** A new environment id: 32 random hex digits (also the end of its log stream's name). */
    public static String newId() {
        byte[] random = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }

    public String id() {
        return id;
    }

    /**
     * True when the other end of a Runtime API connection is held by one of this environment's processes: a member
     * of its cgroup (which holds the runtime from before its exec), or, under the watchdog, the process or a
     * descendant of it (the watchdog starts sampling only after the start, so the runtime's first connection may
     * come before). The process is read under the lock that {@link #launch} holds while starting it, so it is set
     * by then.
     */
    private boolean ownConnection(Socket socket) {
        // /proc/net/tcp is read in pieces, and a piece read while other sockets come and go can skip lines (many
        // environments starting at once): a peer not found is looked for again before it is refused.
        for (int attempt = 0; attempt < 3; attempt++) {
            long inode = LoopbackPeers.peerInode(socket);
            if (inode > 0 && LoopbackPeers.heldBy(limits.holdsWholeTree() ? limits.processes() : processTree(),
                    inode)) {
                return true;
            }
        }
        EnvironmentState now = state();
        if (now == EnvironmentState.STOPPING || now.terminal()) {
            return false; // its processes are being killed: nothing to report
        }
        LOG.log(Level.INFO, "refused a Runtime API connection to environment " + id + " from port " + socket.getPort()
                + ": not one of its processes");
        return false;
    }

    /**
     * Gives the environment its CPU share once init is over (starting the runtime and importing the handler run at
     * full speed): a cap where the limits have a cpu controller, else a nice level on every thread it has, which
     * its later threads and processes inherit (a priority only: an idle CPU is used fully).
     */
    private void limitCpu() {
        double cpus = config.cpus();
        if (!CpuShare.caps(cpus)) {
            return;
        }
        try {
            if (!limits.limitCpu(cpus)) {
                renice(CpuShare.niceLevel(cpus));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "environment " + id + ": could not set its CPU share: " + e.getMessage());
        }
    }

    /**
     * Sets nice {@code level} on every thread of the environment (renice's absolute priority; on Linux it changes the
     * one thread named). Never below Nube's own level: an ordinary user may not lower it, and a function never gets a
     * higher priority than the console. A thread that ended meanwhile is no failure.
     */
    private void renice(int level) throws IOException {
        if (level <= OWN_NICE) {
            return; // its processes started at Nube's level already
        }
        List<String> command = new ArrayList<>(List.of("renice", "--priority", Integer.toString(level), "-p"));
        int fixed = command.size();
        for (long pid : limits.holdsWholeTree() ? limits.processes() : processTree()) {
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                tasks.forEach(task -> command.add(task.getFileName().toString()));
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        if (command.size() == fixed) {
            return;
        }
        Process renice = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(renice.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!renice.waitFor(2, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                throw new IOException("renice did not finish within 2 s");
            }
            boolean onlyGone = output.lines().allMatch(line -> line.isBlank() || line.contains("No such process"));
            if (renice.exitValue() != 0 && !onlyGone) {
                throw new IOException("renice exited with " + renice.exitValue() + ": " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while renicing", e);
        }
    }

    /** The nice level this JVM runs at (field 19 of /proc/self/stat), which its children start with. */
    private static final int OWN_NICE = ownNice();

    private static int ownNice() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // field 19 counted from the state, the third
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private List<Long> processTree() {
        Process p;
        synchronized (this) {
            p = process;
        }
        List<Long> tree = new ArrayList<>();
        if (p != null) {
            tree.add(p.pid());
            p.descendants().forEach(h -> tree.add(h.pid()));
        }
        return tree;
    }

    public EnvironmentConfig config() {
        return config;
    }

    public synchronized EnvironmentState state() {
        return state;
    }

    /** Completes when init is over (the runtime's first GET /next); fails with {@link RuntimeOutcome.Failure}. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Init duration in ms, once ready. */
    public double initDurationMs() {
        return initNanos / 1e6;
    }

    /** Completes with the exit code once the process is gone and everything the environment held is released. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /**
     * Hands an invocation to the runtime (READY -> INVOKING). When the runtime is already waiting in
     * {@code GET /next} and the event is small ({@value #DIRECT_DELIVERY_MAX_BYTES} bytes at most), the invocation is
     * written to it from this thread; a larger one is written by a connection thread, since a runtime that does not
     * read would block the write past the invocation's deadline. The future completes with
     * the runtime's answer, or with {@link RuntimeOutcome.Exited} if the process dies first; never exceptionally.
     * Throws {@link IllegalTransitionException} when the environment is not READY.
     */
    public CompletableFuture<RuntimeOutcome> invoke(RuntimeApi.NextInvocation invocation) {
        return invoke(invocation, false, 0);
    }

    /**
     * As {@link #invoke(RuntimeApi.NextInvocation)}, and when this thread writes the event itself it also reads the
     * runtime's answer on the runtime's connection until {@code deadlineNanos} ({@link System#nanoTime()}): the
     * future is then mostly done on return, with no thread woken to hand the answer over. It may not be (the answer
     * came another way, or later): the caller waits for it as usual.
     */
    public CompletableFuture<RuntimeOutcome> invokeAndAwait(RuntimeApi.NextInvocation invocation, long deadlineNanos) {
        return invoke(invocation, true, deadlineNanos);
    }

    private CompletableFuture<RuntimeOutcome> invoke(RuntimeApi.NextInvocation invocation, boolean serve,
            long deadlineNanos) {
        Pending current;
        RuntimeApi.Delivery to;
        synchronized (this) {
            state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.INVOKE);
            current = new Pending(invocation);
            pending = current;
            to = takeWaiter(current);
        }
        // Out of the lock: it may wait a moment for the output's reader to get to the last invocation's end.
        OutputPump.Lease lease = pump.lease();
        synchronized (this) {
            outputLease = lease;
        }
        try {
            if (to != null) {
                dispatch(current, to, serve, deadlineNanos, lease::giveBack);
            }
        } finally {
            if (!current.outcome.isDone()) {
                lease.giveBack(); // no quick answer: the output is read as it comes
            }
        }
        return current.outcome;
    }

    /** The waiting runtime's delivery, now given {@code p} (null when no runtime waits). Holds the lock. */
    private RuntimeApi.Delivery takeWaiter(Pending p) {
        RuntimeApi.Delivery delivery = waiter;
        if (delivery != null) {
            waiter = null;
            p.delivered = true;
        }
        return delivery;
    }

    /**
     * Writes {@code p} through {@code delivery}: a small one on this thread, which then reads the answer too when
     * {@code serve} (until {@code deadlineNanos}, running {@code beforeWaiting} once the answer is slow to come); a
     * larger one on a connection thread.
     */
    private void dispatch(Pending p, RuntimeApi.Delivery delivery, boolean serve, long deadlineNanos,
            Runnable beforeWaiting) {
        if (p.invocation.payload().length <= DIRECT_DELIVERY_MAX_BYTES) {
            try {
                if (serve) {
                    delivery.deliverAndServe(p.invocation, p.outcome, deadlineNanos, beforeWaiting);
                } else {
                    delivery.deliver(p.invocation);
                }
            } catch (IOException e) {
                undelivered(p); // the connection broke: the runtime asks again on a new one and gets it then
            }
            return;
        }
        try {
            connections.execute(() -> write(p, delivery));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            undelivered(p); // closing: the environment goes, and the invocation with it
        }
    }

    private void write(Pending p, RuntimeApi.Delivery delivery) {
        try {
            delivery.deliver(p.invocation);
        } catch (IOException e) {
            undelivered(p); // the connection broke: the runtime asks again on a new one and gets it then
        }
    }

    /** {@code p} did not reach the runtime: it goes to a runtime that asks again (or asked meanwhile). */
    private void undelivered(Pending p) {
        RuntimeApi.Delivery again;
        synchronized (this) {
            if (pending != p || p.answered) {
                return;
            }
            p.delivered = false;
            again = takeWaiter(p);
        }
        if (again != null) {
            dispatch(p, again, false, 0, null);
        }
    }

    /**
     * Runs {@code action} (the engine's own log lines) once every line the runtime wrote so far went to the log, on
     * the output's reader thread (see {@link OutputPump#after(Runnable)}); the future completes when it ran.
     */
    public CompletableFuture<Void> afterOutput(Runnable action) {
        return pump.after(action);
    }

    /**
     * As {@link #afterOutput}, then marks the output for the next invocation's first line (see
     * {@link OutputPump.Mark}). After a quick answer the output is read, and {@code action} run, on this thread (see
     * {@link OutputPump.Lease#finish}).
     */
    public OutputPump.Mark afterOutputThenMark(Runnable action) {
        OutputPump.Lease lease = takeOutputLease();
        OutputPump.Mark mark = lease == null ? null : lease.finish(action);
        return mark != null ? mark : pump.afterThenMark(action);
    }

    /** The lease of the invocation that runs or just ended, if not taken yet; null when there is none. */
    private synchronized OutputPump.Lease takeOutputLease() {
        OutputPump.Lease lease = outputLease;
        outputLease = null;
        return lease;
    }

    /**
     * The invocation is fully done (INVOKING -> READY): the environment may take the next one. Returns false, and
     * changes nothing, when the environment is no longer INVOKING (its process exited, or it was stopped, meanwhile).
     */
    public synchronized boolean complete() {
        if (!EnvironmentLifecycle.allowed(state, EnvironmentEvent.COMPLETE)) {
            return false;
        }
        state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.COMPLETE);
        pending = null;
        if (outputLease != null) { // the invocation ended without its end marked: the output is read as it comes
            outputLease.end();
            outputLease = null;
        }
        return true;
    }

    /**
     * The deadline of the init or of the invocation passed: kills the whole environment (the watcher then moves it
     * to STOPPED) and returns true. Returns false, and does nothing, when the environment is neither STARTING nor
     * INVOKING any more: its process exited, it was stopped, or its init ended just now (then it is READY, and the
     * caller decides what becomes of it).
     */
    public boolean timeOut() {
        synchronized (this) {
            if (!EnvironmentLifecycle.allowed(state, EnvironmentEvent.DEADLINE)) {
                return false;
            }
            state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.DEADLINE);
        }
        kill();
        return true;
    }

    /** Stops the environment for good and kills its processes; idempotent. */
    public void stop() {
        synchronized (this) {
            state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.STOP);
        }
        kill();
    }

    private void kill() {
        limits.killAll();
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p != null) {
            if (!limits.holdsWholeTree()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            p.destroyForcibly();
        }
    }

    /** How the process ended, once {@link #closed()} completed; null before. */
    public RuntimeOutcome.Exited exit() {
        return exit;
    }

    /** The environment's highest memory use so far (kept after it is gone), in bytes. */
    public long peakMemoryBytes() {
        long kept = finalPeakBytes;
        return kept >= 0 ? kept : limits.peakMemoryBytes();
    }

    /** Processes still inside the environment's limits (empty once it is gone). */
    public List<Long> processes() {
        return limits.processes();
    }

    /** The watcher: runs once, when the process is gone. */
    private void exited(int exitCode) {
        if (!exitSeen.compareAndSet(false, true)) {
            return;
        }
        boolean outOfMemory = limits.memoryExceeded();
        boolean processLimitReached = limits.processLimitReached();
        finalPeakBytes = limits.peakMemoryBytes();
        RuntimeOutcome.Exited outcome = new RuntimeOutcome.Exited(exitCode, outOfMemory, processLimitReached);
        exit = outcome;
        Pending inFlight;
        synchronized (this) {
            state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.EXITED);
            inFlight = pending;
        }
        limits.killAll(); // anything that outlived bubblewrap (its pid namespace normally takes them along)
        releaseAll();
        ready.completeExceptionally(new RuntimeOutcome.Failure(outcome));
        if (inFlight != null) {
            inFlight.outcome.complete(outcome);
        }
        closed.complete(exitCode);
    }

    private void releaseAll() {
        cleanup.release((message, e) -> LOG.log(Level.WARNING, "releasing environment " + id + ": " + message, e));
    }

    /** The environment's side of the Runtime API. */
    private final class Api implements RuntimeApi {
        @Override
        public boolean next(Delivery delivery) throws IOException {
            boolean becameReady = false;
            try {
                becameReady = startReady();
                return waitOrDeliver(delivery);
            } finally {
                if (becameReady) {
                    // Outside the lock (it may run renice), before the first event: that runs with its share.
                    limitCpu();
                    ExecutionEnvironment.this.ready.complete(null);
                }
            }
        }

        /** Init is over with the first GET /next: STARTING becomes READY (true) once. */
        private boolean startReady() {
            synchronized (ExecutionEnvironment.this) {
                if (config == null || state != EnvironmentState.STARTING) {
                    return false;
                }
                state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.RUNTIME_READY);
                initNanos = System.nanoTime() - startedNanos;
                return true;
            }
        }

        private boolean waitOrDeliver(Delivery delivery) throws IOException {
            Pending ready;
            Delivery replaced = null;
            synchronized (ExecutionEnvironment.this) {
                if (config == null) {
                    return false; // pre-started, and not given a function: nothing to run
                }
                if (state != EnvironmentState.READY && state != EnvironmentState.INVOKING) {
                    return false;
                }
                if (pending == null || pending.delivered) {
                    replaced = waiter;
                    waiter = delivery;
                    ready = null;
                } else {
                    pending.delivered = true;
                    ready = pending;
                }
            }
            if (ready == null) {
                if (replaced != null && replaced != delivery) {
                    replaced.release(); // a GET /next on another connection: the older one is not answered
                }
                return true;
            }
            try {
                delivery.deliver(ready.invocation);
                return true;
            } catch (IOException e) {
                undelivered(ready); // a new connection's GET /next gets it
                throw e;
            }
        }

        @Override
        public void nextAbandoned(Delivery delivery) {
            synchronized (ExecutionEnvironment.this) {
                if (waiter == delivery) {
                    waiter = null;
                }
            }
        }

        private Pending delivered(String requestId) {
            Pending current = pending;
            return current != null && current.delivered && current.invocation.requestId().equals(requestId)
                    ? current : null;
        }

        @Override
        public Reply response(String requestId, byte[] body) {
            return answer(requestId, new RuntimeOutcome.Response(body, System.nanoTime()));
        }

        @Override
        public Reply error(String requestId, byte[] body, String errorTypeHeader) {
            return answer(requestId, new RuntimeOutcome.ErrorResponse(body, errorTypeHeader, System.nanoTime()));
        }

        /** Accepts an answer; the invocation completes once the 202 is written (see {@link Reply#then()}). */
        private Reply answer(String requestId, RuntimeOutcome outcome) {
            Pending current;
            synchronized (ExecutionEnvironment.this) {
                current = delivered(requestId);
                if (current != null && !current.answered) {
                    current.answered = true;
                    return Reply.accepted(() -> current.outcome.complete(outcome));
                }
            }
            if (current == null) {
                return Reply.badRequest("InvalidRequestID", "No invocation " + requestId + " is running here");
            }
            return Reply.error(403, "InvalidStateTransition", "Invocation " + requestId + " already has an answer");
        }

        @Override
        public Reply initError(byte[] body, String errorTypeHeader) {
            synchronized (ExecutionEnvironment.this) {
                if (state != EnvironmentState.STARTING) {
                    return Reply.error(403, "InvalidStateTransition", "Init is over");
                }
                state = EnvironmentLifecycle.next(id, state, EnvironmentEvent.INIT_ERROR);
            }
            ready.completeExceptionally(new RuntimeOutcome.Failure(new RuntimeOutcome.InitError(body,
                    errorTypeHeader)));
            return Reply.ACCEPTED;
        }

        @Override
        public void responseTooLarge(String requestId, long bytes) {
            answer(requestId, new RuntimeOutcome.ResponseTooLarge(bytes, System.nanoTime())).then().run();
        }
    }
}
