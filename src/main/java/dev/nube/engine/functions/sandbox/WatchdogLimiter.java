package dev.nube.engine.functions.sandbox;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The fallback when no cgroup is writable: one daemon thread reads the host's process table every
 * {@value #INTERVAL_MS} ms (one pass over /proc for all environments, so a round costs the same with one environment
 * or a thousand), sums the resident memory of each environment's process tree, and kills the whole tree when the sum
 * passes the memory limit or the tree holds more processes and threads together than allowed (as the pids
 * controller counts them). Weaker than a cgroup, and said so: a fast allocation overshoots the limit until the next
 * sample, and a fork bomb can outrun one interval.
 */
final class WatchdogLimiter implements ResourceLimiter {
    static final long INTERVAL_MS = 20;
    /** The environments with a running process. */
    private final Set<Limits> watched = ConcurrentHashMap.newKeySet();
    /** Started with the first environment; ended by {@link #close()} (and started again if one comes after). */
    private ScheduledExecutorService sampler;

    private synchronized void startSampling() {
        if (sampler == null) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "nube-functions-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            sampler.scheduleWithFixedDelay(this::sampleAll, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
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

    /** Ends the sampling thread; call once the environments limited here are gone. */
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
        private volatile ProcessHandle root;
        private volatile long peak;
        private volatile boolean exceeded;
        private volatile boolean tooManyProcesses;
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

        @Override
        public void raiseMemoryLimit(long bytes) {
            memoryBytes = Math.max(memoryBytes, bytes);
        }

        @Override
        public synchronized void attach(ProcessHandle process) {
            root = process;
            watched.add(this);
            startSampling();
        }

        /** Measures the tree in {@code table} and kills it when it is over a limit. */
        void check(ProcessTable table) {
            ProcessHandle tree = root;
            if (tree == null || !tree.isAlive()) {
                return;
            }
            List<ProcessTable.Entry> members = table.tree(tree.pid());
            lastTree = members.stream().map(ProcessTable.Entry::pid).toList();
            measure(members);
        }

        private void measure(List<ProcessTable.Entry> members) {
            long resident = 0;
            long tasks = 0;
            for (ProcessTable.Entry member : members) {
                resident += member.residentBytes();
                tasks += member.threads();
            }
            if (resident > peak) {
                peak = resident;
            }
            if (resident > memoryBytes || tasks > maxProcesses) {
                exceeded = resident > memoryBytes;
                tooManyProcesses = tasks > maxProcesses;
                killAll();
            }
        }

        @Override
        public long peakMemoryBytes() {
            // A last look, so a short invocation between two samples is still measured: the processes of the last
            // sample read again (not the whole process table, on every invocation), or the table before any sample.
            List<Long> known = lastTree;
            if (known.isEmpty()) {
                check(ProcessTable.read());
            } else if (root != null && root.isAlive()) {
                measure(known.stream().map(ProcessTable::read).flatMap(java.util.Optional::stream).toList());
            }
            return peak;
        }

        @Override
        public boolean memoryExceeded() {
            return exceeded;
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
            killAll();
        }
    }
}
