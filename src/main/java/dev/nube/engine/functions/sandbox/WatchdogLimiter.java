package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fallback when no cgroup is writable, in two layers.
 * <p>The kernel's bound: each process of an environment starts under RLIMIT_DATA (private writable memory, what a
 * user may set without cgroups) of the memory limit plus an allowance for its runtime ({@link #allowanceBytes}), so
 * an allocation past it is refused at once instead of growing until a sample sees it. Node's allowance covers the
 * stacks of its threads (8 MB each, reserved, hardly touched), which count in full; Nube's Python runtime gives its
 * threads 512 KB stacks for the same reason. Measured with a 128 MB limit, a function allocating 200 MB (at once or
 * 1 MB at a time, touching every page; 8 runs each) was stopped at most at 135 MB (Python) and 132 MB (Node.js) of
 * Max Memory Used. The limit is per process: a function that starts
 * processes of its own gets the bound for each, and only the samples for their sum.
 * <p>The samples: one daemon thread reads the host's process table every {@value #INTERVAL_MS} ms (one pass over
 * /proc for all environments, so a round costs the same with one environment or a thousand), sums the resident
 * memory of each environment's process tree, and kills the whole tree when the sum passes the memory limit or the
 * tree holds more processes and threads together than allowed (as the pids controller counts them). An environment
 * at half its memory limit or more is also looked at every {@value #CLOSE_INTERVAL_MS} ms by a second thread, which
 * reads only its own processes' /proc/PID/status.
 * <p>Out of memory, as a cgroup says it: the tree is killed and {@link Limits#memoryExceeded()} is true when its
 * resident memory passed the limit; when one of its processes named itself {@value #OUT_OF_MEMORY_NAME} (Nube's
 * runtimes do when the data limit refused an allocation: Python's MemoryError, Node's failed Buffer); and when the
 * environment ended by itself while a process was within {@value #NEAR_DATA_LIMIT_MB} MB of its data limit (V8
 * aborts when the limit refuses its heap). Max Memory Used is the highest sampled sum or, at each look after an
 * invocation and before a kill, the sum of the kernel's per-process high-water marks (VmHWM), so a short peak
 * between two samples still counts; what a process that already exited had is lost, unless a sample saw it.
 * Thread rules: the limits of one environment are measured under its own lock, from either sampling thread or the
 * caller of {@link Limits#peakMemoryBytes()}.
 */
final class WatchdogLimiter implements ResourceLimiter {
    static final long INTERVAL_MS = 20;
    static final long CLOSE_INTERVAL_MS = 2;
    /** The name (comm) a runtime gives itself when the data limit refused one of its allocations. */
    static final String OUT_OF_MEMORY_NAME = "out-of-memory";
    static final long NEAR_DATA_LIMIT_MB = 8;
    private static final long MB = 1024 * 1024;
    /** The environments with a running process. */
    private final Set<Limits> watched = ConcurrentHashMap.newKeySet();
    /** The environments at half their memory limit or more at their last look. */
    private final Set<Limits> nearLimit = ConcurrentHashMap.newKeySet();
    /** Started with the first environment; ended by {@link #close()} (and started again if one comes after). */
    private ScheduledExecutorService sampler;

    /**
     * What a runtime may have in private writable memory beyond its function's memory limit, measured: Python's
     * data is what it touched (its resident set is ~10 MB more: its libraries), so none; Node.js reserves 8 MB of
     * stack for each of its 4 V8 and 4 libuv threads (Nube's runtime starts the libuv ones at once, so the
     * reservation is the same in every invocation) and maps its 35 MB binary, so 40 MB keeps its resident set under
     * the limit plus 12 MB; a custom runtime's binary is unknown, 16 MB.
     */
    static long allowanceBytes(List<String> command) {
        String program = command.isEmpty() ? "" : Path.of(command.get(0)).getFileName().toString();
        if (program.startsWith("python")) {
            return 0;
        }
        if (program.equals("node") || program.equals("nodejs")) {
            return 40 * MB;
        }
        return 16 * MB;
    }

    private synchronized void startSampling() {
        if (sampler == null) {
            sampler = Executors.newScheduledThreadPool(2, r -> {
                Thread thread = new Thread(r, "nube-functions-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            sampler.scheduleWithFixedDelay(this::sampleAll, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
            sampler.scheduleWithFixedDelay(this::sampleClose, 0, CLOSE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void sampleAll() {
        if (watched.isEmpty()) {
            return;
        }
        ProcessTable table = ProcessTable.read();
        for (Limits limits : watched) {
            limits.check(table);
        }
    }

    private void sampleClose() {
        for (Limits limits : nearLimit) {
            limits.checkClose();
        }
    }

    /** Ends the sampling threads; call once the environments limited here are gone. */
    synchronized void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }

    @Override
    public SandboxMode mode() {
        return SandboxMode.WATCHDOG;
    }

    @Override
    public ResourceLimits create(String name, long memoryBytes, int maxProcesses) {
        return new Limits(memoryBytes, maxProcesses);
    }

    private final class Limits implements ResourceLimits {
        private volatile long memoryBytes;
        private final int maxProcesses;
        /** What the runtime may have beyond the memory limit in data; -1 until the command is known. */
        private volatile long allowance = -1;
        private volatile ProcessHandle root;
        private volatile long peak;
        private volatile boolean exceeded;
        private volatile boolean tooManyProcesses;
        /** At the last close look, a process was within {@link #NEAR_DATA_LIMIT_MB} of its data limit. */
        private volatile boolean nearDataLimit;
        /** The pids of the tree at the last sample. */
        private volatile List<Long> lastTree = List.of();

        Limits(long memoryBytes, int maxProcesses) {
            this.memoryBytes = memoryBytes;
            this.maxProcesses = maxProcesses;
        }

        @Override
        public List<String> joinCommands() {
            return List.of();
        }

        /**
         * The data limit in KB, as POSIX sh's ulimit takes it; soft and hard alike (the function cannot raise it),
         * except in a pre-started runtime, whose limit {@link #raiseMemoryLimit} raises to its function's.
         */
        @Override
        public List<String> joinCommands(SandboxSpec spec) {
            allowance = allowanceBytes(spec.command());
            boolean raisable = "1".equals(spec.environment().get(ExecutionEnvironment.PRESTARTED_VARIABLE));
            return List.of("ulimit " + (raisable ? "-S " : "") + "-d " + dataLimitBytes() / 1024);
        }

        private long dataLimitBytes() {
            return memoryBytes + allowance;
        }

        /** Raises the data limit of every process of the tree too (then soft and hard), with util-linux's prlimit. */
        @Override
        public void raiseMemoryLimit(long bytes) throws IOException {
            if (bytes <= memoryBytes) {
                return;
            }
            memoryBytes = bytes;
            if (allowance < 0) {
                return;
            }
            String limit = Long.toString(dataLimitBytes());
            for (long pid : processes()) {
                Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(pid),
                        "--data=" + limit + ":" + limit).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                String out = new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                try {
                    if (!prlimit.waitFor(10, TimeUnit.SECONDS)) {
                        prlimit.destroyForcibly();
                        throw new IOException("prlimit did not finish within 10 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while raising the data limit", e);
                }
                if (prlimit.exitValue() != 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IOException("cannot raise the data limit of process " + pid + ": " + out);
                }
            }
        }

        @Override
        public synchronized void attach(ProcessHandle process) {
            root = process;
            watched.add(this);
            startSampling();
        }

        /** Measures the tree in {@code table} and kills it when it is over a limit. */
        synchronized void check(ProcessTable table) {
            ProcessHandle tree = root;
            if (tree == null || !tree.isAlive()) {
                return;
            }
            List<ProcessTable.Entry> members = table.tree(tree.pid());
            lastTree = members.stream().map(ProcessTable.Entry::pid).toList();
            long resident = 0;
            long tasks = 0;
            boolean marked = false;
            for (ProcessTable.Entry member : members) {
                resident += member.residentBytes();
                tasks += member.threads();
                marked |= OUT_OF_MEMORY_NAME.equals(member.name());
            }
            judge(resident, tasks, marked);
        }

        /** The close look: only the tree's processes of the last sample, each one's /proc/PID/status. */
        synchronized void checkClose() {
            ProcessHandle tree = root;
            if (tree == null || !tree.isAlive()) {
                nearLimit.remove(this);
                return;
            }
            long resident = 0;
            long tasks = 0;
            boolean marked = false;
            boolean nearData = false;
            long nearAt = allowance < 0 ? Long.MAX_VALUE : dataLimitBytes() - NEAR_DATA_LIMIT_MB * MB;
            for (long pid : lastTree) {
                Optional<ProcessTable.Status> status = ProcessTable.status(pid);
                if (status.isPresent()) {
                    resident += status.get().residentBytes();
                    tasks += status.get().threads();
                    marked |= OUT_OF_MEMORY_NAME.equals(status.get().name());
                    nearData |= status.get().dataBytes() >= nearAt;
                }
            }
            nearDataLimit = nearData;
            judge(resident, tasks, marked);
        }

        private void judge(long resident, long tasks, boolean marked) {
            if (resident > peak) {
                peak = resident;
            }
            if (resident > memoryBytes || marked || tasks > maxProcesses) {
                exceeded = resident > memoryBytes || marked;
                tooManyProcesses = tasks > maxProcesses;
                highWaterMarks(); // the peak the kill cuts short, while the processes are still there to ask
                killAll();
                nearLimit.remove(this);
            } else if (resident * 2 >= memoryBytes) {
                nearLimit.add(this);
            } else {
                nearLimit.remove(this);
                nearDataLimit = false;
            }
        }

        /** Raises the peak to the sum of the kernel's high-water marks of the tree's processes of the last sample. */
        private void highWaterMarks() {
            long sum = 0;
            for (long pid : lastTree) {
                sum += ProcessTable.status(pid).map(ProcessTable.Status::peakResidentBytes).orElse(0L);
            }
            if (sum > peak) {
                peak = sum;
            }
        }

        @Override
        public synchronized long peakMemoryBytes() {
            // A last look after each invocation, so a short one between two samples is still measured: the
            // high-water marks of the processes of the last sample (not the whole process table, on every
            // invocation), or the table before any sample.
            ProcessHandle tree = root;
            if (tree != null && tree.isAlive()) {
                if (lastTree.isEmpty()) {
                    check(ProcessTable.read());
                }
                highWaterMarks();
            }
            return peak;
        }

        @Override
        public boolean memoryExceeded() {
            ProcessHandle tree = root;
            return exceeded || (nearDataLimit && tree != null && !tree.isAlive());
        }

        @Override
        public boolean processLimitReached() {
            return tooManyProcesses;
        }

        @Override
        public void killAll() {
            ProcessHandle tree = root;
            if (tree == null) {
                return;
            }
            for (int pass = 0; pass < 50 && tree.isAlive(); pass++) {
                tree.descendants().forEach(ProcessHandle::destroyForcibly);
                tree.destroyForcibly();
                CgroupFiles.sleepQuietly(2);
            }
            tree.descendants().forEach(ProcessHandle::destroyForcibly);
        }

        @Override
        public boolean holdsWholeTree() {
            return false;
        }

        @Override
        public List<Long> processes() {
            ProcessHandle tree = root;
            return tree == null || !tree.isAlive() ? List.of()
                    : ProcessTable.read().tree(tree.pid()).stream().map(ProcessTable.Entry::pid).toList();
        }

        @Override
        public synchronized void close() {
            watched.remove(this);
            nearLimit.remove(this);
            killAll();
        }
    }
}
