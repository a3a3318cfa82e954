package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Limits in writable cgroup v1 memory and pids hierarchies: one cgroup per environment under
 * {@code <own cgroup>/nube-<jvm pid>/} in each, with memory.limit_in_bytes (and memory.memsw.limit_in_bytes, so no
 * swap) and pids.max. The peak comes from memory.max_usage_in_bytes, an OOM kill from memory.oom_control. Where the
 * cpu hierarchy is writable too, each environment also gets a cpu cgroup for {@link ResourceLimits#limitCpu}.
 */
final class CgroupV1Limiter implements ResourceLimiter {
    static final String PREFIX = "nube-";
    private final Path memoryBase;
    private final Path pidsBase;
    /** This JVM's folder in the cpu hierarchy, or null where that is not writable (no CPU caps then). */
    private final Path cpuBase;

    private CgroupV1Limiter(Path memoryBase, Path pidsBase, Path cpuBase) {
        this.memoryBase = memoryBase;
        this.pidsBase = pidsBase;
        this.cpuBase = cpuBase;
    }

    /**
     * The limiter if this process may create cgroups under its own memory and pids cgroups, else a reason why not.
     *
     * @param mount      where the v1 controllers are mounted (each in a folder named after it)
     * @param selfCgroup the text of /proc/self/cgroup
     */
    static Detected<ResourceLimiter> detect(Path mount, String selfCgroup) {
        Optional<String> memory = CgroupPaths.v1Path(selfCgroup, "memory");
        Optional<String> pids = CgroupPaths.v1Path(selfCgroup, "pids");
        if (memory.isEmpty() || pids.isEmpty()) {
            return Detected.no("no cgroup v1 memory and pids hierarchies");
        }
        Path memoryOwn = CgroupPaths.under(mount.resolve("memory"), memory.get());
        Path pidsOwn = CgroupPaths.under(mount.resolve("pids"), pids.get());
        if (!Files.isRegularFile(memoryOwn.resolve("memory.limit_in_bytes"))
                || !Files.isRegularFile(pidsOwn.resolve("cgroup.procs"))) {
            return Detected.no("cgroup v1 memory and pids are not mounted under " + mount);
        }
        CgroupFiles.removeStale(memoryOwn, PREFIX);
        CgroupFiles.removeStale(pidsOwn, PREFIX);
        String name = PREFIX + ProcessHandle.current().pid();
        Path memoryBase = memoryOwn.resolve(name);
        Path pidsBase = pidsOwn.resolve(name);
        try {
            Files.createDirectories(memoryBase);
            Files.createDirectories(pidsBase);
        } catch (IOException e) {
            return Detected.no("cannot create cgroups under " + memoryOwn + " (" + e.getMessage() + ")");
        }
        if (!Files.isWritable(memoryBase.resolve("cgroup.procs")) || !Files.isWritable(pidsBase.resolve("pids.max"))) {
            CgroupFiles.remove(memoryBase);
            CgroupFiles.remove(pidsBase);
            return Detected.no("the cgroup v1 folders Nube made are not writable");
        }
        return Detected.yes(new CgroupV1Limiter(memoryBase, pidsBase, cpuBase(mount, selfCgroup, name)));
    }

    /** This JVM's folder in a writable cpu hierarchy with CFS quotas, or null. */
    private static Path cpuBase(Path mount, String selfCgroup, String name) {
        Optional<String> cpu = CgroupPaths.v1Path(selfCgroup, "cpu");
        if (cpu.isEmpty()) {
            return null;
        }
        Path own = CgroupPaths.under(mount.resolve("cpu"), cpu.get());
        if (!Files.isRegularFile(own.resolve("cpu.cfs_quota_us"))) {
            return null;
        }
        CgroupFiles.removeStale(own, PREFIX);
        Path base = own.resolve(name);
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            return null;
        }
        if (!Files.isWritable(base.resolve("cgroup.procs")) || !Files.isWritable(base.resolve("cpu.cfs_quota_us"))) {
            CgroupFiles.remove(base);
            return null;
        }
        return base;
    }

    @Override
    public boolean limitsCpu() {
        return cpuBase != null;
    }

    @Override
    public SandboxMode mode() {
        return SandboxMode.CGROUP_V1;
    }

    @Override
    public ResourceLimits create(String name, long memoryBytes, int maxProcesses) {
        Path memory = memoryBase.resolve(name);
        Path pids = pidsBase.resolve(name);
        Path cpu = cpuBase == null ? null : cpuBase.resolve(name);
        try {
            // The base folders are this JVM's, shared by every limiter it detects; one that was replaced in the
            // settings removes them when closed, if empty.
            Files.createDirectories(memoryBase);
            Files.createDirectories(pidsBase);
            Files.createDirectory(memory);
            Files.createDirectory(pids);
            CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) { // swap accounting on: memory + swap = memory means no swap
                CgroupFiles.write(memsw, Long.toString(memoryBytes));
            }
            CgroupFiles.write(pids.resolve("pids.max"), Integer.toString(maxProcesses));
            if (cpu != null) {
                Files.createDirectories(cpuBase);
                Files.createDirectory(cpu);
            }
        } catch (IOException e) {
            CgroupFiles.remove(memory);
            CgroupFiles.remove(pids);
            if (cpu != null) {
                CgroupFiles.remove(cpu);
            }
            throw new SandboxException("Could not create the cgroup for " + name + ": " + e.getMessage(), e);
        }
        return new Limits(memory, pids, cpu);
    }

    /** Removes this JVM's base cgroups (they are empty once every environment is closed). */
    void close() {
        CgroupFiles.remove(memoryBase);
        CgroupFiles.remove(pidsBase);
        if (cpuBase != null) {
            CgroupFiles.remove(cpuBase);
        }
    }

    private static final class Limits implements ResourceLimits {
        private final Path memory;
        private final Path pids;
        private final Path cpu;
        private final CgroupFiles.OpenValue peak;
        private volatile boolean closed;

        Limits(Path memory, Path pids, Path cpu) {
            this.memory = memory;
            this.pids = pids;
            this.cpu = cpu;
            this.peak = new CgroupFiles.OpenValue(memory.resolve("memory.max_usage_in_bytes"), null);
        }

        @Override
        public List<String> joinCommands() {
            List<String> joins = new java.util.ArrayList<>(List.of(
                    "echo $$ > " + CgroupPaths.shellQuote(memory.resolve("cgroup.procs")),
                    "echo $$ > " + CgroupPaths.shellQuote(pids.resolve("cgroup.procs"))));
            if (cpu != null) {
                joins.add("echo $$ > " + CgroupPaths.shellQuote(cpu.resolve("cgroup.procs")));
            }
            return joins;
        }

        @Override
        public boolean limitCpu(double cpus) throws IOException {
            if (cpu == null) {
                return false;
            }
            CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(CpuShare.quotaMicros(cpus)));
            CgroupFiles.write(cpu.resolve("cpu.shares"), Long.toString(CpuShare.v1Shares(cpus)));
            return true;
        }

        @Override
        public void raiseMemoryLimit(long bytes) throws IOException {
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) { // memory + swap first: it may never be below the memory limit
                CgroupFiles.write(memsw, Long.toString(bytes));
            }
            CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(bytes));
        }

        @Override
        public void attach(ProcessHandle process) {
        }

        @Override
        public long peakMemoryBytes() {
            return peak.read();
        }

        @Override
        public boolean memoryExceeded() {
            return CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill") > 0;
        }

        @Override
        public boolean processLimitReached() {
            return CgroupFiles.keyed(pids.resolve("pids.events"), "max") > 0; // forks refused at pids.max
        }

        @Override
        public void killAll() {
            if (!closed) {
                CgroupFiles.killAll(pids, memory);
            }
        }

        @Override
        public boolean holdsWholeTree() {
            return true;
        }

        @Override
        public List<Long> processes() {
            return CgroupFiles.procs(pids, memory);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            peak.close();
            CgroupFiles.killAll(pids, memory);
            CgroupFiles.remove(memory);
            CgroupFiles.remove(pids);
            if (cpu != null) {
                CgroupFiles.remove(cpu);
            }
        }
    }
}
