package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.util.List;

/**
 * A build on Deploy that did not succeed ({@link CodeBuild}): the message says why in one sentence, {@link #problems()}
 * lists where the compiler found errors (empty when the failure was not in the code: the compiler missing, a time
 * limit, a cancel). What the build makes in the code was not replaced: the build before it stays.
 */
public final class CodeBuildFailed extends EngineException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "CodeBuildFailed";
    private final List<BuildProblem> problems;

    public CodeBuildFailed(String message, List<BuildProblem> problems) {
        super(CODE, message);
        this.problems = List.copyOf(problems);
    }

    public CodeBuildFailed(String message, Throwable cause) {
        super(CODE, message, cause);
        this.problems = List.of();
    }

    /** Where the compiler found errors, in the order it printed them. */
    public List<BuildProblem> problems() {
        return problems;
    }
}
