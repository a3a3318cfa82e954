package dev.nube.engine.functions;

import java.util.List;

/**
 * What Deploy's build did ({@link FunctionCode#build}).
 *
 * @param status NONE when no build applies to the code (no sources of a compiled language: deployed as it is),
 *               UNCHANGED when it built what the code already holds, BUILT when its outputs replaced the code's
 * @param tool what built it, e.g. "go build", or empty
 * @param outputs the code's entries it made, e.g. [bootstrap]
 * @param problems warnings the compiler printed for a build that succeeded
 */
public record CodeBuildResult(Status status, String tool, List<String> outputs, List<BuildProblem> problems) {
    public enum Status {
        NONE, UNCHANGED, BUILT
    }

    public CodeBuildResult {
        outputs = List.copyOf(outputs);
        problems = List.copyOf(problems);
    }
}
