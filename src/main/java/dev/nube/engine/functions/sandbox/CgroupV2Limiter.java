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
 * and cgroup.kill ends a whole environment at once. Closed, it leaves the user's cgroup as it found it.
 */
final class CgroupV2Limiter implements ResourceLimiter {
    private static final Map<Path, Detected<ResourceLimiter>> PER_MOUNT = new ConcurrentHashMap<>();
    private static final List<String> CONTROLLERS = List.of("memory", "pids");
    /** The delegated cgroup this JVM was in. */
    private final Path own;
    /** Where the JVM (and whatever shared its cgroup) waits while {@link #own} hands controllers to children. */
    private final Path leaf;
    private final Path base;
    /** True when the cpu controller is offered to {@link #own} (CPU caps where the kernel enables it). */
    private final boolean cpuOffered;
    /** True when the cpu controller is enabled for the environments (CPU caps). */
    private volatile boolean cpu;
    /** The controllers this JVM enabled in {@link #own}, given back by {@link #close()}; empty when it enabled none. */
    private String enabledInOwn = "";

    private CgroupV2Limiter(Path own, boolean cpuOffered) {
        long pid = ProcessHandle.current().pid();
        this.own = own;
        this.leaf = own.resolve(CgroupV1Limiter.PREFIX + "jvm-" + pid);
        this.base = own.resolve(CgroupV1Limiter.PREFIX + pid);
        this.cpuOffered = cpuOffered;
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
        if (!List.of(controllers.split(" ")).containsAll(CONTROLLERS)) {
            return Detected.no("cgroup v2 does not offer memory and pids to " + own
                    + (controllers.isBlank() ? " (no controllers)" : " (only " + controllers + ")"));
        }
        if (!Files.isWritable(own) || !Files.isWritable(own.resolve("cgroup.subtree_control"))
                || !Files.isWritable(own.resolve("cgroup.procs"))) {
            return Detected.no("the cgroup v2 " + own + " is not delegated to this user");
        }
        CgroupFiles.removeStale(own, CgroupV1Limiter.PREFIX);
        // The cpu controller too where the delegation offers it (systemd delegates it to user sessions from
        // version 244 on): environments get CPU caps then.
        CgroupV2Limiter limiter = new CgroupV2Limiter(own, List.of(controllers.split(" ")).contains("cpu"));
        try {
            limiter.enter();
            return Detected.yes(limiter);
        } catch (IOException e) {
            return Detected.no("cannot set up the delegated cgroup v2 " + own + " (" + e.getMessage() + ")");
        }
    }

    /**
     * Makes the base cgroup the environments go in, with the controllers enabled on the way: where {@link #own}
     * does not hand them to its children yet, the JVM and whatever shares its cgroup (all the user's own) first move
     * into the leaf, as the "no internal processes" rule wants. Done at detection, and again after {@link #close()}
     * if environments are made after all (a sandbox replaced in the settings closes while its successor, sharing
     * this limiter, goes on).
     */
    private synchronized void enter() throws IOException {
        if (Files.isDirectory(base)) {
            return;
        }
        String enabled = CgroupFiles.read(own.resolve("cgroup.subtree_control")).orElse("");
        List<String> wanted = cpuOffered ? List.of("memory", "pids", "cpu") : CONTROLLERS;
        boolean useCpu = cpuOffered;
        if (!List.of(enabled.split(" ")).containsAll(wanted)) {
            Files.createDirectories(leaf);
            for (long member : CgroupFiles.procs(own)) {
                CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(member));
            }
            useCpu = enable(own, useCpu);
            List<String> before = List.of(enabled.split(" "));
            enabledInOwn = String.join(" ", (useCpu ? wanted : CONTROLLERS).stream()
                    .filter(c -> !before.contains(c)).map(c -> "-" + c).toList());
        }
        Files.createDirectories(base);
        cpu = enable(base, useCpu);
    }

    /**
     * Gives the user's cgroup back as it was found, once the environments are gone: the base removed, the
     * controllers this JVM enabled disabled again, and the JVM and whatever moved with it back in {@link #own}. If
     * anything is still in the base (a sandbox that replaced the closing one uses it), all stays as it is.
     */
    synchronized void close() {
        try (java.util.stream.Stream<Path> children = Files.list(base)) {
            if (children.anyMatch(Files::isDirectory) || !CgroupFiles.remove(base)) {
                return;
            }
        } catch (IOException e) {
            return; // no base: nothing was set up, or it was given back already
        }
        if (enabledInOwn.isEmpty()) {
            return;
        }
        try {
            CgroupFiles.write(own.resolve("cgroup.subtree_control"), enabledInOwn);
            for (long member : CgroupFiles.procs(leaf)) {
                CgroupFiles.write(own.resolve("cgroup.procs"), Long.toString(member));
            }
            enabledInOwn = "";
            CgroupFiles.remove(leaf);
        } catch (IOException e) {
            // Another cgroup under it still uses the controllers (a second Nube, say): the JVM stays in the leaf.
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
            synchronized (this) { // not while close() gives the base back
                enter();
                Files.createDirectory(cgroup);
            }
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
