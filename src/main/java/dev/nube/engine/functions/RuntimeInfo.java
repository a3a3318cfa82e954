package dev.nube.engine.functions;

/**
 * A runtime functions can use. Only runtimes whose toolchain is present are listed by the service.
 *
 * @param id             what CreateFunction takes: {@code python3}, {@code nodejs} or {@code provided}
 * @param version        the toolchain's version, e.g. "3.11.2"
 * @param executionEnv   AWS_EXECUTION_ENV, e.g. "AWS_Lambda_python3.11" (empty for a custom runtime)
 * @param defaultHandler the blueprint's handler
 */
public record RuntimeInfo(String id, String displayName, String version, String executionEnv,
        String defaultHandler) {
}
