package dev.nube.engine.functions.sandbox;

/**
 * What an execution environment runs: one version of one function, with its memory size, sandbox contents and
 * log stream. {@code spec.environment()} lacks AWS_LAMBDA_RUNTIME_API, which the environment adds once its Runtime
 * API server has a port.
 *
 * @param cpus the CPUs it may use once its init is over (see {@link CpuShare}); 0 for no cap
 */
public record EnvironmentConfig(String functionName, String version, int memoryMb, String logStream,
        SandboxSpec spec, double cpus) {
    /** Without a CPU cap. */
    public EnvironmentConfig(String functionName, String version, int memoryMb, String logStream, SandboxSpec spec) {
        this(functionName, version, memoryMb, logStream, spec, 0);
    }

    public long memoryBytes() {
        return memoryMb * 1024L * 1024L;
    }
}
