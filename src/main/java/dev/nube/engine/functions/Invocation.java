package dev.nube.engine.functions;

import java.nio.file.Path;

/**
 * What an invocation runs: a function at one version, with the code folder and the configuration of that version,
 * its layers merged ({@code optDir}, null for none), and the function's log group and metrics. {@code version} is
 * the version that runs; {@code qualifier} is what the caller named ($LATEST, that version, or an alias that chose
 * it), which the invoked function ARN ends with.
 * {@code requestId} is the one id of the invocation, kept across the retries of an Event invocation as AWS keeps it.
 */
record Invocation(String requestId, FunctionConfiguration function, String version, String qualifier, String runtime,
        String handler, int memoryMb, int timeoutSeconds, java.util.Map<String, String> environment, Path codeDir,
        Path optDir, FunctionLog log, FunctionMetrics metrics, byte[] payload, String clientContext, boolean logTail) {
    WarmPool.Key key() {
        return new WarmPool.Key(function.region(), function.id(), version,
                FunctionConfiguration.LATEST.equals(version) ? function.revision() : 0);
    }
}
