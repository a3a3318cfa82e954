package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fallback when no cgroup is writable: one daemon thread samples each environment's process tree every
 * {@value #INTERVAL_MS} ms, summing the resident memory of its processes, and kills the whole tree when the sum
 * passes the memory limit or the tree holds more processes and threads together than allowed (as the pids
 * controller counts them). Weaker than a cgroup, and said so: a fast
 * allocation overshoots the limit until the next sample, and a fork bomb can outrun one interval.
 */
final class WatchdogLimiter implements ResourceLimiter {
    static final long INTERVAL_MS = 20;
    private static final long PAGE_SIZE = 4096;
    /** Started with the first environment; ended by {@link #close()} (and started again if one comes after). */
    private ScheduledExecutorService sampler;

    private synchronized ScheduledExecutorService sampler() {
        if (sampler == null) {
            sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "nube-functions-watchdog");
                thread.setDaemon(true);
                return thread;
            });
        }
        return sampler;
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
        private final long memoryBytes;
        private final int maxProcesses;
        private volatile ProcessHandle root;
        private volatile long peak;
        private volatile boolean exceeded;
        private ScheduledFuture<?> sampling;

        Limits(long memoryBytes, int maxProcesses) {
            this.memoryBytes = memoryBytes;
            this.maxProcesses = maxProcesses;
        }

        @Override
        public List<String> joinCommands() {
            return List.of();
        }

        @Override
        public synchronized void attach(ProcessHandle process) {
            root = process;
            sampling = sampler().scheduleWithFixedDelay(this::sample, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
        }

        private void sample() {
            ProcessHandle tree = root;
            if (tree == null || !tree.isAlive()) {
                return;
            }
            List<ProcessHandle> members = members(tree);
            long resident = 0;
            long tasks = 0;
            for (ProcessHandle member : members) {
                resident += residentBytes(member.pid());
                tasks += threads(member.pid());
            }
            if (resident > peak) {
                peak = resident;
            }
            if (resident > memoryBytes || tasks > maxProcesses) {
                exceeded = resident > memoryBytes;
                killAll();
            }
        }

        @Override
        public long peakMemoryBytes() {
            sample(); // a last look, so a short invocation between two samples is still measured
            return peak;
        }

        @Override
        public boolean memoryExceeded() {
            return exceeded;
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
            return tree == null ? List.of() : members(tree).stream().filter(ProcessHandle::isAlive)
                    .map(ProcessHandle::pid).toList();
        }

        @Override
        public synchronized void close() {
            if (sampling != null) {
                sampling.cancel(false);
            }
            killAll();
        }
    }

    private static List<ProcessHandle> members(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        try (Stream<ProcessHandle> descendants = root.descendants()) {
            descendants.forEach(all::add);
        }
        return all;
    }

    /** The threads of a process (num_threads, the 20th field of /proc/PID/stat); 0 for a process that is gone. */
    static long threads(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[17]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Resident set size from /proc/PID/statm (second field, in pages); 0 for a process that is gone. */
    static long residentBytes(long pid) {
        try {
            String[] fields = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).split(" ");
            return Long.parseLong(fields[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
