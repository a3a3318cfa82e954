package dev.nube.engine.functions.sandbox;

/**
 * What an execution environment runs: one version of one function, with its memory size, sandbox contents and
 * log stream. {@code spec.environment()} lacks AWS_LAMBDA_RUNTIME_API, which the environment adds once its Runtime
 * API server has a port.
 */
public record EnvironmentConfig(String functionName, String version, int memoryMb, String logStream,
        SandboxSpec spec) {
    public long memoryBytes() {
        return memoryMb * 1024L * 1024L;
    }
}
