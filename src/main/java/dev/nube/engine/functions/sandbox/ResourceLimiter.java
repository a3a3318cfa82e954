package dev.nube.engine.functions.sandbox;

/**
 * Makes {@link ResourceLimits} for execution environments in one {@link SandboxMode}. Thread-safe.
 */
public interface ResourceLimiter {
    SandboxMode mode();

    /** True where the limits it makes cap CPU ({@link ResourceLimits#limitCpu} works). */
    default boolean limitsCpu() {
        return false;
    }

    /**
     * Limits for a new environment called {@code name} (unique among live environments): at most
     * {@code memoryBytes} of memory with swap off, and at most {@code maxProcesses} processes and threads.
     */
    ResourceLimits create(String name, long memoryBytes, int maxProcesses);
}
