package dev.nube.engine.functions.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host's sandbox: bubblewrap for isolation plus a {@link ResourceLimiter} for memory and processes. Builds the
 * command that starts one environment: {@code sh -c '<join the limits>; ulimit -n 1024; exec "$@"' sh bwrap ...},
 * so the shell enters the cgroup before it becomes bubblewrap and nothing of the sandbox ever runs unlimited.
 * Immutable and thread-safe.
 */
public final class Sandbox {
    /** The uid and gid the function runs as inside (AWS's sbx_user1051 is 993). */
    static final int SANDBOX_UID = 993;
    static final int SANDBOX_GID = 990;
    private static final List<String> ETC = List.of("passwd", "group", "hosts", "resolv.conf", "nsswitch.conf",
            "localtime", "ssl", "ca-certificates", "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d");
    /**
     * The JDKs' configuration folders in /etc (Debian's /etc/java-NN-openjdk, Fedora's /etc/java, Arch's
     * /etc/java-openjdk and the like): the JDK's conf folder links to them, and without them a JVM stops at start
     * ("Error loading java.security file"). Listed again when /etc changes; shown read-only.
     */
    private static volatile JavaEtc javaEtc = new JavaEtc(null, List.of());

    private record JavaEtc(java.nio.file.attribute.FileTime etcModified, List<String> names) {
    }
    private static final List<String> ROOT_LINKS = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

    private final String bubblewrap;
    private final Optional<String> bubblewrapVersion;
    private final String bubblewrapProblem;
    private final ResourceLimiter limiter;
    private final String limiterNote;

    Sandbox(String bubblewrap, Optional<String> bubblewrapVersion, String bubblewrapProblem, ResourceLimiter limiter,
            String limiterNote) {
        this.bubblewrap = bubblewrap;
        this.bubblewrapVersion = bubblewrapVersion;
        this.bubblewrapProblem = bubblewrapProblem;
        this.limiter = limiter;
        this.limiterNote = limiterNote;
    }

    /**
     * Finds bubblewrap and the strongest limiter this user may use: a delegated cgroup v2 subtree, then writable
     * cgroup v1 memory and pids, then the watchdog. {@code forced} picks a mode instead (tests and the settings
     * use it); a forced cgroup mode that is not usable here falls back to the watchdog, and the note says why.
     */
    public static Sandbox detect(Optional<SandboxMode> forced) {
        return detect(forced, Path.of("/sys/fs/cgroup"), read("/proc/self/cgroup"), read("/proc/self/mountinfo"));
    }

    static Sandbox detect(Optional<SandboxMode> forced, Path v1Mount, String selfCgroup, String mountinfo) {
        String bwrap = Files.isExecutable(Path.of("/usr/bin/bwrap")) ? "/usr/bin/bwrap" : "bwrap";
        Optional<String> version = run(List.of(bwrap, "--version")).map(s -> s.replace("bubblewrap", "").strip());
        String problem = "";
        if (version.isEmpty()) {
            problem = "bubblewrap is not installed (Debian package bubblewrap): functions cannot run";
        } else if (run(List.of(bwrap, "--unshare-user", "--unshare-pid", "--ro-bind", "/usr", "/usr", "--symlink",
                "usr/lib64", "/lib64", "--symlink", "usr/lib", "/lib", "/usr/bin/true")).isEmpty()) {
            problem = "bubblewrap cannot create namespaces here (unprivileged user namespaces disabled?)";
            version = Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        ResourceLimiter limiter = null;
        if (forced.isEmpty() || forced.get() == SandboxMode.CGROUP_V2) {
            Detected<ResourceLimiter> v2 = CgroupPaths.v2Mount(mountinfo)
                    .map(mount -> CgroupV2Limiter.detect(mount, selfCgroup))
                    .orElse(Detected.no("no cgroup v2 mount"));
            limiter = v2.value().orElse(null);
            reasons.add("v2: " + v2.reason());
        }
        if (limiter == null && (forced.isEmpty() || forced.get() == SandboxMode.CGROUP_V1)) {
            Detected<ResourceLimiter> v1 = CgroupV1Limiter.detect(v1Mount, selfCgroup);
            limiter = v1.value().orElse(null);
            reasons.add("v1: " + v1.reason());
        }
        String note = "";
        if (limiter == null) {
            limiter = new WatchdogLimiter();
            note = forced.equals(Optional.of(SandboxMode.WATCHDOG)) ? "forced in the settings"
                    : "no writable cgroup (" + String.join("; ", reasons) + "). "
                    + advice(CgroupPaths.v2Mount(mountinfo), selfCgroup);
        }
        return new Sandbox(bwrap, version, problem, limiter, note);
    }

    /**
     * What an ordinary user can do to get kernel-enforced limits where no cgroup is writable, in one sentence: the
     * usual desktop has cgroup v2 with systemd's user manager, which delegates a subtree (and its controllers) to
     * the processes started under it.
     */
    static String advice(Optional<Path> v2Mount, String selfCgroup) {
        Optional<String> path = CgroupPaths.v2Path(selfCgroup);
        if (v2Mount.isEmpty() || path.isEmpty() || CgroupPaths.v1Path(selfCgroup, "memory").isPresent()) {
            return "To have the kernel enforce the limits, boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1 on the"
                    + " kernel command line, the default since Debian 11 and Ubuntu 21.10): in cgroup v1 only root may"
                    + " make cgroups.";
        }
        if (!path.get().contains("/user@")) {
            return "To have the kernel enforce the limits, start Nube under your systemd user manager, which delegates"
                    + " cgroups to you: from your desktop's menu, or with `./nube`, which asks it for a delegated scope"
                    + " (`systemd-run --user --scope -p Delegate=yes`) where one runs for you (`loginctl enable-linger`"
                    + " starts one outside a desktop session).";
        }
        Path own = CgroupPaths.under(v2Mount.get(), path.get());
        String controllers = CgroupFiles.read(own.resolve("cgroup.controllers")).orElse("");
        if (!List.of(controllers.strip().split(" ")).containsAll(List.of("memory", "pids"))) {
            return "To have the kernel enforce the limits, let systemd delegate the memory and pids controllers to your"
                    + " user: as root, put `[Service]` and `Delegate=memory pids cpu` in"
                    + " /etc/systemd/system/user@.service.d/delegate.conf, then log out and in again.";
        }
        return "To have the kernel enforce the limits, start Nube in a cgroup delegated to it: `systemd-run --user --scope"
                + " -p Delegate=yes ./nube`.";
    }

    public SandboxMode mode() {
        return limiter.mode();
    }

    public ResourceLimiter limiter() {
        return limiter;
    }

    /** True when bubblewrap is installed and can make namespaces; functions run only then. */
    public boolean available() {
        return bubblewrapProblem.isEmpty();
    }

    /** Why functions cannot run, or empty. */
    public String problem() {
        return bubblewrapProblem;
    }

    /** For the status bar, e.g. "bubblewrap 0.8.0 + cgroup v1 memory/pids/cpu". */
    public String describe() {
        if (!available()) {
            return bubblewrapProblem;
        }
        String text = "bubblewrap " + bubblewrapVersion.orElse("") + " + " + limiter.mode().description()
                + (limiter.limitsCpu() ? "/cpu" : "");
        return limiterNote.isEmpty() ? text : text + " — " + limiterNote;
    }

    /**
     * Releases what detection made (this JVM's cgroup folders, with cgroup v2 the JVM's move into a leaf; the
     * watchdog's thread); call once every environment is gone.
     */
    public void close() {
        if (limiter instanceof CgroupV1Limiter v1) {
            v1.close();
        } else if (limiter instanceof CgroupV2Limiter v2) {
            v2.close();
        } else if (limiter instanceof WatchdogLimiter watchdog) {
            watchdog.close();
        }
    }

    /**
     * Gives back every cgroup v2 subtree this JVM set up, including those of sandboxes replaced in the settings; call
     * when the engine closes. A subtree whose environments still run (another engine's) stays.
     */
    public static void releaseCgroups() {
        CgroupV2Limiter.closeAll();
    }

    /**
     * True where CPU shares are caps (a cpu controller); false where they are only a lower priority (a nice level),
     * which slows a function only while other work wants the CPU.
     */
    public boolean capsCpu() {
        return limiter != null && limiter.limitsCpu();
    }

    /** The full command line that starts {@code spec} inside {@code limits}. */
    public List<String> command(SandboxSpec spec, ResourceLimits limits) {
        StringBuilder script = new StringBuilder();
        for (String join : limits.joinCommands(spec)) {
            script.append(join).append(" || exit 125; ");
        }
        script.append("ulimit -n ").append(SandboxSpec.MAX_OPEN_FILES).append(" || exit 125; exec \"$@\"");
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "sh", bubblewrap,
                "--unshare-user", "--uid", Integer.toString(SANDBOX_UID), "--gid", Integer.toString(SANDBOX_GID),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", "localhost",
                "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"));
        for (String name : ROOT_LINKS) {
            Path host = Path.of("/", name);
            if (Files.isSymbolicLink(host)) {
                command.addAll(List.of("--symlink", readLink(host), "/" + name));
            } else if (Files.isDirectory(host)) {
                command.addAll(List.of("--ro-bind", host.toString(), host.toString()));
            }
        }
        for (String name : ETC) {
            command.addAll(List.of("--ro-bind-try", "/etc/" + name, "/etc/" + name));
        }
        for (String name : javaConfigurations()) {
            command.addAll(List.of("--ro-bind-try", "/etc/" + name, "/etc/" + name));
        }
        // bubblewrap's /dev is a tmpfs the sandbox user owns, with no size limit: /dev/shm gets a small tmpfs of its
        // own, and the rest of /dev turns read-only (its device nodes still work).
        command.addAll(List.of("--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(SandboxSpec.SHM_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
                "--size", Long.toString(spec.tmpBytes()), "--tmpfs", "/tmp",
                "--ro-bind", spec.codeDir().toString(), SandboxSpec.TASK_ROOT,
                "--ro-bind", spec.runtimeDir().toString(), SandboxSpec.RUNTIME_DIR));
        if (spec.optDir() != null) {
            // one bind of a tree merged ahead (see the functions' Layers): a cold start costs one mount more, whatever
            // the number of layers
            command.addAll(List.of("--ro-bind", spec.optDir().toString(), SandboxSpec.OPT));
        }
        command.addAll(List.of("--chdir", SandboxSpec.TASK_ROOT, "--"));
        command.addAll(spec.command());
        return command;
    }

    /** The names of the JDK configuration folders in /etc (java-17-openjdk and the like), read again after a change. */
    private static List<String> javaConfigurations() {
        Path etc = Path.of("/etc");
        try {
            java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(etc);
            JavaEtc known = javaEtc;
            if (modified.equals(known.etcModified())) {
                return known.names();
            }
            try (java.util.stream.Stream<Path> entries = Files.list(etc)) {
                List<String> names = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(name -> name.startsWith("java")).sorted().toList();
                javaEtc = new JavaEtc(modified, names);
                return names;
            }
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return link.toString();
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a short probe; its output when it exits 0 within ten seconds. */
    static Optional<String> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
