package dev.nube.engine.functions.sandbox;

import java.util.List;

/**
 * The memory and process limits of one execution environment (a cgroup, or the watchdog's bookkeeping). Created
 * before the environment's process starts; the process joins it through {@link #joinCommands()} run by the shell
 * that then execs bubblewrap, so not a single allocation of the sandbox escapes the limit.
 * Thread-safe. {@link #close()} is idempotent and must run after the process tree is gone.
 */
public interface ResourceLimits extends AutoCloseable {
    /** Shell commands (POSIX sh, {@code $$} is the shell) that move the shell into the limits before it execs. */
    List<String> joinCommands();

    /**
     * The join commands for an environment that runs {@code spec}: the watchdog adds per-process limits sized for
     * the spec's runtime. The cgroups need nothing of the spec.
     */
    default List<String> joinCommands(SandboxSpec spec) {
        return joinCommands();
    }

    /**
     * Sets the memory limit to {@code bytes}, which the caller makes at least the limit it was created with (a
     * cgroup v1 writes memory + swap first, the order for raising): a pre-started environment takes its function's
     * memory size this way, before the function's code runs.
     */
    void raiseMemoryLimit(long bytes) throws java.io.IOException;

    /**
     * Caps the environment's CPU time at {@code cpus} CPUs (0.5: half of one; as many as the host has or more: no
     * cap) and weighs it that much against other work. False, with nothing changed, where these limits have no cpu
     * controller to do it.
     */
    default boolean limitCpu(double cpus) throws java.io.IOException {
        return false;
    }

    /** Called once the process started; the watchdog begins sampling here. */
    void attach(ProcessHandle process);

    /** The highest memory use of the environment since it started, in bytes (measured, never the limit). */
    long peakMemoryBytes();

    /** True once the environment was killed for using more memory than its limit. */
    boolean memoryExceeded();

    /**
     * True once the environment reached its limit of processes and threads: a cgroup refused it a new one, or the
     * watchdog killed it for having too many.
     */
    boolean processLimitReached();

    /** Kills every process in the environment (all members of the cgroup, or the sampled tree). */
    void killAll();

    /** Processes still inside the limits (host pids), for checks that nothing was left behind. */
    List<Long> processes();

    /**
     * True when every process of the environment is a member from before the exec (a cgroup): then
     * {@link #killAll()} and {@link #processes()} are complete, and nobody needs to walk the host's process table
     * (a walk reads all of /proc, which adds up with a thousand environments).
     */
    boolean holdsWholeTree();

    @Override
    void close();
}
