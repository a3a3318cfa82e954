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
    private static final System.Logger LOG = System.getLogger(CgroupV2Limiter.class.getName());
    /** The delegated cgroup this JVM was in. */
    private final Path own;
    /** Where the JVM (and whatever shared its cgroup) waits while {@link #own} hands controllers to children. */
    private final Path leaf;
    private final Path base;
    /** True when the cpu controller is offered to {@link #own} (CPU caps where the kernel enables it). */
    private final boolean cpuOffered;
    /** True when the cpu controller is enabled for the environments (CPU caps). */
    private volatile boolean cpu;
    /** The controllers {@link #own} enabled for its children before this JVM came: what {@link #close()} leaves. */
    private final List<String> foundInOwn;
    /** True while the base is ready for environments (between {@link #enter()} and {@link #close()}). */
    private boolean entered;

    private CgroupV2Limiter(Path own, boolean cpuOffered) {
        long pid = ProcessHandle.current().pid();
        this.own = own;
        this.foundInOwn = enabledIn(own);
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
     * this limiter, goes on). A failure leaves things as they were.
     */
    private synchronized void enter() throws IOException {
        if (entered) {
            return;
        }
        List<String> wanted = cpuOffered ? List.of("memory", "pids", "cpu") : CONTROLLERS;
        boolean useCpu = cpuOffered;
        if (!enabledIn(own).containsAll(wanted)) {
            Files.createDirectories(leaf);
            try {
                useCpu = enableWhenEmpty(useCpu);
            } catch (IOException e) {
                giveBack();
                throw e;
            }
        }
        try {
            Files.createDirectories(base);
            cpu = enable(base, useCpu);
        } catch (IOException e) {
            CgroupFiles.remove(base);
            throw e;
        }
        entered = true;
    }

    /**
     * Enables the controllers in {@link #own} once every process in it has moved to the leaf; a process started
     * meanwhile (a fork of the JVM's) is moved by the next round. Returns whether cpu is enabled.
     */
    private boolean enableWhenEmpty(boolean useCpu) throws IOException {
        IOException last = null;
        for (int round = 0; round < 20; round++) {
            moveAll(own, leaf);
            try {
                return enable(own, useCpu);
            } catch (IOException e) {
                last = e; // EBUSY: a process arrived in own since the move
            }
        }
        throw last;
    }

    /** The controllers {@code cgroup} enables for its children now. */
    private static List<String> enabledIn(Path cgroup) {
        return List.of(CgroupFiles.read(cgroup.resolve("cgroup.subtree_control")).orElse("").split(" "));
    }

    /**
     * Moves every process of {@code from} into {@code to}, again while new ones appear; one that exits meanwhile is
     * skipped. Fails if processes that could not be moved stay in {@code from}.
     */
    private static void moveAll(Path from, Path to) throws IOException {
        java.util.Set<Long> moved = new java.util.HashSet<>();
        IOException last = null;
        for (int round = 0; round < 20; round++) {
            List<Long> members = CgroupFiles.procs(from).stream().filter(p -> !moved.contains(p)).toList();
            if (members.isEmpty()) {
                return;
            }
            for (long member : members) {
                try {
                    CgroupFiles.write(to.resolve("cgroup.procs"), Long.toString(member));
                    moved.add(member);
                } catch (IOException e) {
                    last = e; // ESRCH: it exited
                }
            }
        }
        if (CgroupFiles.procs(from).stream().anyMatch(p -> !moved.contains(p))) {
            throw last != null ? last : new IOException("processes keep arriving in " + from);
        }
    }

    /**
     * Gives the user's cgroup back as it was found, once the environments are gone: the base removed, the
     * controllers this JVM enabled disabled again, and the JVM and whatever moved with it back in {@link #own}. If
     * anything is still in the base (a sandbox that replaced the closing one uses it), all stays as it is.
     */
    synchronized void close() {
        if (!entered) {
            return;
        }
        try (java.util.stream.Stream<Path> children = Files.list(base)) {
            if (children.anyMatch(Files::isDirectory) || !CgroupFiles.remove(base)) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        entered = false;
        giveBack();
    }

    /**
     * Disables what this JVM enabled in {@link #own} and moves the leaf's processes back. Where another cgroup under
     * {@link #own} still uses the controllers (a second Nube, say), the kernel refuses: the processes stay in the
     * leaf, and the next detection in a Nube started later tidies up.
     */
    private void giveBack() {
        List<String> added = enabledIn(own).stream().filter(c -> !c.isBlank() && !foundInOwn.contains(c)).toList();
        try {
            if (!added.isEmpty()) {
                CgroupFiles.write(own.resolve("cgroup.subtree_control"),
                        String.join(" ", added.stream().map(c -> "-" + c).toList()));
            }
            if (Files.isDirectory(leaf)) {
                moveAll(leaf, own);
                CgroupFiles.remove(leaf);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "cannot give " + own + " back as it was: " + e.getMessage());
        }
    }

    /** Closes every limiter this JVM set up (see {@link #close()}: one whose environments still run stays). */
    static void closeAll() {
        PER_MOUNT.values().forEach(d -> d.value().ifPresent(l -> ((CgroupV2Limiter) l).close()));
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
