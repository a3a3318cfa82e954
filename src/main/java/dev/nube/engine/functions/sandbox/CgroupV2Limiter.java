package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits in a cgroup v2 subtree delegated to the user, as systemd gives each desktop user
 * ({@code user@UID.service}). The "no internal processes" rule means a cgroup that hands memory and pids to its
 * children may hold no process itself, so on first use this JVM (and whatever else sits in its cgroup, all the
 * user's own) moves into a leaf {@code nube-jvm-<pid>} beside {@code nube-<pid>}, under which each environment gets
 * memory.max, memory.swap.max = 0 and pids.max. The peak comes from memory.peak, an OOM kill from memory.events,
 * and cgroup.kill ends a whole environment at once.
 */
final class CgroupV2Limiter implements ResourceLimiter {
    private static final Map<Path, Detected<ResourceLimiter>> PER_MOUNT = new ConcurrentHashMap<>();
    private final Path base;
    /** True when the cpu controller is enabled for the environments (CPU caps). */
    private final boolean cpu;

    private CgroupV2Limiter(Path base, boolean cpu) {
        this.base = base;
        this.cpu = cpu;
    }

    /**
     * The limiter if this process's own v2 cgroup is delegated to it with the memory and pids controllers, else why
     * not. Set up once per mount and JVM (the set-up moves the JVM, after which /proc/self/cgroup reads differently).
     */
    static Detected<ResourceLimiter> detect(Path mount, String selfCgroup) {
        return PER_MOUNT.computeIfAbsent(mount.toAbsolutePath(), m -> setUp(m, selfCgroup));
    }

    private static Detected<ResourceLimiter> setUp(Path mount, String selfCgroup) {
        Optional<String> path = CgroupPaths.v2Path(selfCgroup);
        if (path.isEmpty()) {
            return Detected.no("this process is in no cgroup v2");
        }
        Path own = CgroupPaths.under(mount, path.get());
        String controllers = CgroupFiles.read(own.resolve("cgroup.controllers")).orElse("");
        if (!List.of(controllers.split(" ")).containsAll(List.of("memory", "pids"))) {
            return Detected.no("cgroup v2 does not offer memory and pids to " + own
                    + (controllers.isBlank() ? " (no controllers)" : " (only " + controllers + ")"));
        }
        if (!Files.isWritable(own) || !Files.isWritable(own.resolve("cgroup.subtree_control"))
                || !Files.isWritable(own.resolve("cgroup.procs"))) {
            return Detected.no("the cgroup v2 " + own + " is not delegated to this user");
        }
        long pid = ProcessHandle.current().pid();
        CgroupFiles.removeStale(own, CgroupV1Limiter.PREFIX);
        // The cpu controller too where the delegation offers it (systemd delegates it to user sessions from
        // version 244 on): environments get CPU caps then.
        boolean cpu = List.of(controllers.split(" ")).contains("cpu");
        try {
            String enabled = CgroupFiles.read(own.resolve("cgroup.subtree_control")).orElse("");
            if (!List.of(enabled.split(" ")).containsAll(cpu ? List.of("memory", "pids", "cpu")
                    : List.of("memory", "pids"))) {
                Path leaf = own.resolve("nube-jvm-" + pid);
                Files.createDirectories(leaf);
                for (long member : CgroupFiles.procs(own)) {
                    CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(member));
                }
                cpu = enable(own, cpu);
            }
            Path base = own.resolve(CgroupV1Limiter.PREFIX + pid);
            Files.createDirectories(base);
            cpu = enable(base, cpu);
            return Detected.yes(new CgroupV2Limiter(base, cpu));
        } catch (IOException e) {
            return Detected.no("cannot set up the delegated cgroup v2 " + own + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Enables memory and pids for {@code cgroup}'s children, and cpu with them when {@code cpu}; returns whether cpu
     * is enabled (the kernel refuses it, for one, while a real-time process is in the subtree: then without it).
     */
    private static boolean enable(Path cgroup, boolean cpu) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        if (cpu) {
            try {
                CgroupFiles.write(control, "+memory +pids +cpu");
                return true;
            } catch (IOException e) {
                // without cpu, below
            }
        }
        CgroupFiles.write(control, "+memory +pids");
        return false;
    }

    @Override
    public boolean limitsCpu() {
        return cpu;
    }

    @Override
    public SandboxMode mode() {
        return SandboxMode.CGROUP_V2;
    }

    @Override
    public ResourceLimits create(String name, long memoryBytes, int maxProcesses) {
        Path cgroup = base.resolve(name);
        try {
            Files.createDirectory(cgroup);
            CgroupFiles.write(cgroup.resolve("memory.max"), Long.toString(memoryBytes));
            Path swap = cgroup.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                CgroupFiles.write(swap, "0");
            }
            CgroupFiles.write(cgroup.resolve("pids.max"), Integer.toString(maxProcesses));
        } catch (IOException e) {
            CgroupFiles.remove(cgroup);
            throw new SandboxException("Could not create the cgroup for " + name + ": " + e.getMessage(), e);
        }
        return new Limits(cgroup, cpu);
    }

    private static final class Limits implements ResourceLimits {
        private final Path cgroup;
        private final boolean cpu;
        private final CgroupFiles.OpenValue peak;
        private volatile boolean closed;

        Limits(Path cgroup, boolean cpu) {
            this.cgroup = cgroup;
            this.cpu = cpu;
            // memory.peak: Linux 5.19+; before it, the current use is the best we have
            this.peak = new CgroupFiles.OpenValue(cgroup.resolve("memory.peak"), cgroup.resolve("memory.current"));
        }

        @Override
        public List<String> joinCommands() {
            return List.of("echo $$ > " + CgroupPaths.shellQuote(cgroup.resolve("cgroup.procs")));
        }

        @Override
        public void raiseMemoryLimit(long bytes) throws IOException {
            CgroupFiles.write(cgroup.resolve("memory.max"), Long.toString(bytes));
        }

        @Override
        public boolean limitCpu(double cpus) throws IOException {
            if (!cpu) {
                return false;
            }
            CgroupFiles.write(cgroup.resolve("cpu.max"), CpuShare.v2Max(cpus));
            CgroupFiles.write(cgroup.resolve("cpu.weight"), Long.toString(CpuShare.v2Weight(cpus)));
            return true;
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
            return CgroupFiles.keyed(cgroup.resolve("memory.events"), "oom_kill") > 0;
        }

        @Override
        public boolean processLimitReached() {
            return CgroupFiles.keyed(cgroup.resolve("pids.events"), "max") > 0; // forks refused at pids.max
        }

        @Override
        public void killAll() {
            if (closed) {
                return;
            }
            Path kill = cgroup.resolve("cgroup.kill"); // Linux 5.14+
            if (Files.exists(kill)) {
                try {
                    CgroupFiles.write(kill, "1");
                } catch (IOException e) {
                    // fall through to killing one by one
                }
            }
            CgroupFiles.killAll(cgroup);
        }

        @Override
        public boolean holdsWholeTree() {
            return true;
        }

        @Override
        public List<Long> processes() {
            return CgroupFiles.procs(cgroup);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            killAll();
            closed = true;
            peak.close();
            CgroupFiles.remove(cgroup);
        }
    }
}
