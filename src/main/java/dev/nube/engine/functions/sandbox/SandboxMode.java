package dev.nube.engine.functions.sandbox;

/**
 * How an execution environment's memory and process count are limited. The engine picks the strongest mode the
 * host lets a non-root user have, or the one forced in the settings, and says which in the status bar.
 */
public enum SandboxMode {
    /** A cgroup v2 subtree delegated to the user (systemd does this on desktops): memory.max, pids.max. */
    CGROUP_V2("cgroup v2 memory/pids"),
    /** Writable cgroup v1 memory and pids hierarchies: memory.limit_in_bytes, pids.max. */
    CGROUP_V1("cgroup v1 memory/pids"),
    /**
     * No writable cgroup: each process gets a data limit (RLIMIT_DATA) a little over the memory limit, and a watchdog
     * samples the environment's process tree and kills it over its memory or process count. Weaker: the data limit
     * is per process, so a function with several processes can overshoot the limit for up to one sampling interval.
     */
    WATCHDOG("watchdog (per-process data limit, sampled memory/process limits)");

    private final String description;

    SandboxMode(String description) {
        this.description = description;
    }

    /** In words, for the status bar. */
    public String description() {
        return description;
    }

    /** True where the kernel enforces the limits; false for the sampling watchdog. */
    public boolean kernelEnforced() {
        return this != WATCHDOG;
    }
}
