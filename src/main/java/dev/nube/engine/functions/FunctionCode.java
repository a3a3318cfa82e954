package dev.nube.engine.functions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A function's code as a folder of files. Writes change $LATEST (saved at once, each file atomically) and make the
 * next invocation start a fresh environment; published versions are read-only. Paths are relative, '/'-separated,
 * and may not leave the code folder. Thread-safe; calls do file I/O, so run them off a UI thread.
 */
public interface FunctionCode {
    /** Every file and folder, folders before their contents, sorted by path. {@code qualifier}: null/$LATEST or N. */
    List<CodeEntry> files(String region, String name, String qualifier);

    /** A file's bytes; ResourceNotFoundException when there is none. */
    byte[] readFile(String region, String name, String qualifier, String path);

    /** Creates or replaces a file of $LATEST (its folders are created). */
    void writeFile(String region, String name, String path, byte[] content);

    /** Saves several files of $LATEST at once: one new revision, and after a crash all of them are saved or none. */
    void saveFiles(String region, String name, Map<String, byte[]> files);

    void createFolder(String region, String name, String path);

    /** Renames (moves) a file or folder; refuses when the target exists. */
    void rename(String region, String name, String from, String to);

    /** Deletes a file, or a folder with everything in it. */
    void delete(String region, String name, String path);

    /**
     * Replaces $LATEST's code with a zip's contents (after a crash, the code is the old or the new whole). Refuses, with nothing changed: entries that leave the folder
     * (zip-slip), symbolic links that point outside it, more than 250 MB unzipped, and zip bombs (an entry inflating
     * more than 100 times its compressed size past 1 MB).
     */
    void importZip(String region, String name, Path zip);

    /**
     * The deployment package of $LATEST or a version: the zip last uploaded, or the edited code zipped (kept until
     * the next edit), with its digest and size as Lambda reports them.
     */
    CodePackage codePackage(String region, String name, String qualifier);

    /**
     * Writes the code of $LATEST or a version as a zip to {@code target} (replaced atomically): the same bytes as
     * {@link #codePackage} describes.
     */
    void exportZip(String region, String name, String qualifier, Path target);

    /**
     * Installs the dependencies $LATEST's code declares, as Deploy does before publishing: a node function's
     * package.json with {@code npm install --omit=dev} into node_modules/, a python function's requirements.txt with
     * {@code pip install --target} into the code's root. The tool runs on the host, not in the sandbox, for at most
     * five minutes; interrupting the calling thread cancels it. Its output is published line by line as
     * {@link FunctionEvents.DependencyOutput}. The installed tree replaces the previous one in one change of
     * $LATEST (a new revision), so invocations and zip exports include it; a manifest unchanged since the last
     * install is not installed again. Throws an EngineException whose message says in one sentence why, with the code
     * unchanged, when the tool is missing, fails, cannot reach its registry or index, runs too long, is cancelled, or
     * would make the code more than 250 MB unzipped.
     */
    DependencyInstall installDependencies(String region, String name);

    /**
     * Builds $LATEST's code as Deploy does after installing its dependencies, when it holds the sources of a compiled
     * language: a custom runtime's Go code (a go.mod or .go files at the root) with {@code go build} into the
     * executable {@code bootstrap}; a Java function's .java files with the JDK's compiler (in Nube's JVM) into
     * {@code classes.jar}, on the Java runtime's class path. The compiler runs on the host, not in the sandbox, for at
     * most five minutes; interrupting the calling thread cancels it. Its output is published line by line as
     * {@link FunctionEvents.DependencyOutput}. What it built replaces the code's in one change of $LATEST (a new
     * revision; none when it built the same bytes). Returns NONE, changing nothing, for code with no such sources (a
     * prebuilt bootstrap of one's own runs as it is). Throws {@link CodeBuildFailed}, with the code unchanged (the
     * previous build keeps running), when the compiler is missing, finds errors (its {@code problems()} say where),
     * runs too long or is cancelled.
     */
    CodeBuildResult build(String region, String name);
}
