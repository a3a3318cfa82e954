package dev.nube.engine.functions;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A build Deploy runs on a function's code before it publishes, as AWS's build tools do for compiled languages: Go
 * sources into a {@code bootstrap} executable for the custom runtime ({@link GoBuild}), say. {@link CodeBuilds} runs
 * it on a private copy of the code, outside the sandbox and outside the repository's lock, and moves what it made
 * ({@link #outputs()}) into the code in one change of {@link CodeJournal}; a failed build changes nothing, so the code
 * deployed before (its built outputs with it) is what keeps running. Implementations are stateless or thread-safe: two
 * functions may build at once.
 */
interface CodeBuild {
    /** What the output and the failures call the build, e.g. "go build". */
    String title();

    /**
     * True when this build is the one for {@code runtime}'s code in {@code code}: the code has its sources (a go.mod
     * or a .go file at the root for Go). A build that does not apply is not run, and the code is deployed as it is (a
     * prebuilt {@code bootstrap} of one's own, say).
     */
    boolean applies(String runtime, Path code);

    /**
     * The code's top-level entries the build makes (e.g. {@code bootstrap}). They are left out of the copy it
     * builds from, and a build that succeeds replaces them all.
     */
    List<String> outputs();

    /**
     * Builds the sources in {@code sources} (a copy of the code the build may change) into {@code into} (an empty
     * folder, where each of {@link #outputs()} must be once it succeeds), publishing each line the compiler prints to
     * {@code output} as it comes. Returns the problems found; a build that did not succeed throws a
     * {@link CodeBuildFailed} that carries them, with one sentence saying why (the compiler missing, its failure, a
     * time limit or a cancel: the calling thread interrupted). Runs on the calling thread.
     */
    List<BuildProblem> build(Path sources, Path into, Consumer<String> output);
}
