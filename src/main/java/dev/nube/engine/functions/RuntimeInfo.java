package dev.nube.engine.functions;

import java.util.List;

/**
 * A runtime functions can use, named as AWS names it. Only runtimes whose toolchain is present are listed by the
 * service; the id of an interpreter's runtime follows its installed version.
 *
 * @param id             what CreateFunction takes, e.g. {@code python3.11}, {@code nodejs20.x}, {@code java17},
 *                       {@code provided.al2023}
 * @param aliases        other ids accepted for the same runtime (the custom runtime's {@code provided.al2} and
 *                       {@code provided}); a function keeps the id it was given
 * @param language       what runs the code: the system interpreter, or the code's own {@code bootstrap}
 * @param version        the toolchain's version, e.g. "3.11.2"
 * @param executionEnv   AWS_EXECUTION_ENV, e.g. "AWS_Lambda_python3.11" (empty for a custom runtime)
 * @param defaultHandler the blueprint's handler
 */
public record RuntimeInfo(String id, List<String> aliases, Language language, String displayName, String version,
        String executionEnv, String defaultHandler) {
    /** What runs a function's code. */
    public enum Language {
        PYTHON, NODE, JAVA, CUSTOM
    }

    public RuntimeInfo {
        aliases = List.copyOf(aliases);
    }

    /** Whether {@code runtimeId} names this runtime (its id or an alias). */
    public boolean names(String runtimeId) {
        return id.equals(runtimeId) || aliases.contains(runtimeId);
    }
}
