package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Runs the {@link CodeBuild} that applies to a function's code on Deploy, after its dependencies are installed and
 * before a version is published. Under the repository's lock the code is copied, without the build's outputs, into
 * a work folder of the function's ({@code build-<uuid>/}) with a digest of it; the build runs on that copy outside the
 * lock; then, under the lock again, its outputs replace the code's in one change of {@link CodeJournal}, provided the
 * code is still the one it built (else the build is refused as out of date: deploy again). Outputs identical to
 * those in the code make no change (no new revision, so warm environments are kept). A failed,
 * cancelled or refused build leaves the code as it was: what was built before is what keeps running. Each line
 * the compiler prints is published as a {@link FunctionEvents.DependencyOutput} (Deploy's output). Thread-safe; one
 * build at a time per function.
 */
final class CodeBuilds {
    private static final String WORK = "build-";
    private final FunctionRepository repository;
    private final EventBus events;
    private final List<CodeBuild> builds;
    private final long maxUnzippedBytes;
    /** The functions ("region/name") a build runs for. */
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    CodeBuilds(FunctionRepository repository, EventBus events, List<CodeBuild> builds, long maxUnzippedBytes) {
        this.repository = repository;
        this.events = events;
        this.builds = List.copyOf(builds);
        this.maxUnzippedBytes = maxUnzippedBytes;
    }

    /**
     * Builds $LATEST's code with the build that applies to it, if any. {@code change} makes the change of the code as
     * every change of $LATEST is made: under the repository's lock it calls its argument, which checks the code is
     * the one built and stages the outputs, then commits that journal. Throws {@link CodeBuildFailed} (with the
     * compiler's problems), or an EngineException for a conflict or storage, with the code unchanged.
     */
    CodeBuildResult build(FunctionConfiguration function, Consumer<Function<FunctionConfiguration, CodeJournal>> change) {
        Path code = repository.codeDir(function);
        Optional<CodeBuild> found = builds.stream().filter(b -> b.applies(function.runtime(), code)).findFirst();
        if (found.isEmpty()) {
            return new CodeBuildResult(CodeBuildResult.Status.NONE, "", List.of(), List.of());
        }
        String key = function.region() + "/" + function.name();
        if (!running.add(key)) {
            throw new EngineException("ResourceConflictException", function.name() + "'s code is being built"
                    + " already; wait for that build to end (or cancel it) and deploy again.");
        }
        try {
            return build(function, change, found.get(), code);
        } finally {
            running.remove(key);
        }
    }

    private CodeBuildResult build(FunctionConfiguration function,
            Consumer<Function<FunctionConfiguration, CodeJournal>> change, CodeBuild build, Path code) {
        long started = System.nanoTime();
        Path work = repository.folder(function).resolve(WORK + java.util.UUID.randomUUID());
        try {
            String digest;
            synchronized (repository) {
                digest = sourcesDigest(code, build.outputs());
                copySources(code, work.resolve("code"), build.outputs());
            }
            Path into = work.resolve("out");
            PrivateFiles.createDirectories(into);
            List<BuildProblem> problems;
            try {
                problems = build.build(work.resolve("code"), into, line -> output(function, line));
            } catch (CodeBuildFailed e) {
                throw new CodeBuildFailed(e.getMessage() + kept(build, code), e.problems());
            }
            Map<String, Path> incoming = new LinkedHashMap<>();
            for (String name : build.outputs()) {
                Path made = into.resolve(name);
                if (!Files.isRegularFile(made, LinkOption.NOFOLLOW_LINKS)) {
                    throw new CodeBuildFailed(build.title() + " did not make " + name + "." + kept(build, code), problems);
                }
                Files.setPosixFilePermissions(made, Files.isExecutable(made) ? CodeFolder.EXECUTABLE
                        : CodeFolder.FILE);
                incoming.put(name, made);
            }
            if (sameAsInCode(code, incoming)) {
                output(function, "Built " + String.join(", ", incoming.keySet()) + " in " + seconds(started)
                        + " s: the same as the code has, so the code is unchanged.");
                return new CodeBuildResult(CodeBuildResult.Status.UNCHANGED, build.title(), build.outputs(), problems);
            }
            long size = 0;
            for (Path p : incoming.values()) {
                size += Files.size(p);
            }
            if (size > maxUnzippedBytes) {
                throw new CodeBuildFailed(build.title() + " made " + (size >> 20) + " MB, more than the "
                        + (maxUnzippedBytes >> 20) + " MB a function's code may have." + kept(build, code), problems);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new CodeBuildFailed(build.title() + " was cancelled." + kept(build, code), List.of());
            }
            for (Path p : incoming.values()) {
                CodeJournal.forceTree(p); // to disk before the lock: only renames are made under it
            }
            Dependencies.uninterruptibly(() -> change.accept(current -> {
                if (!sourcesDigest(code, build.outputs()).equals(digest)) {
                    throw new EngineException("ResourceConflictException", "The code changed while "
                            + build.title() + " ran." + kept(build, code) + " Deploy again.");
                }
                CodeJournal journal = repository.journal(current);
                journal.stageBuild(incoming);
                return journal;
            }));
            output(function, "Built " + String.join(", ", incoming.keySet()) + " (" + ((size + 1023) >> 10)
                    + " KB) into the code in " + seconds(started) + " s.");
            return new CodeBuildResult(CodeBuildResult.Status.BUILT, build.title(), build.outputs(), problems);
        } catch (java.nio.channels.ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new CodeBuildFailed(build.title() + " was cancelled." + kept(build, code), e);
        } catch (IOException e) {
            throw CodeFolder.storage(work, e);
        } finally {
            try {
                CodeFolder.deleteTree(work);
            } catch (RuntimeException e) { // the build's own outcome is what is said; the folder goes next time
                System.getLogger(CodeBuilds.class.getName()).log(System.Logger.Level.WARNING, "Could not remove "
                        + work + " (removed when Nube next opens): " + e.getMessage());
            }
        }
    }

    private static long seconds(long started) {
        return java.time.Duration.ofNanos(System.nanoTime() - started).toSeconds();
    }

    private static boolean sameAsInCode(Path code, Map<String, Path> incoming) throws IOException {
        for (Map.Entry<String, Path> entry : incoming.entrySet()) {
            Path current = code.resolve(entry.getKey());
            if (!Files.isRegularFile(current, LinkOption.NOFOLLOW_LINKS)
                    || Files.isExecutable(current) != Files.isExecutable(entry.getValue())
                    || Files.mismatch(current, entry.getValue()) != -1) {
                return false;
            }
        }
        return true;
    }

    /** Copies the code, without the build's outputs, for the build to work in. */
    private static void copySources(Path code, Path into, List<String> outputs) throws IOException {
        PrivateFiles.createDirectories(into);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(code)) {
            for (Path entry : entries) {
                if (!outputs.contains(entry.getFileName().toString())) {
                    CodeFolder.copyTree(entry, into.resolve(entry.getFileName().toString()));
                }
            }
        }
    }

    /** The digest of every entry of the code but the outputs: path, and content, link target or "folder". */
    static String sourcesDigest(Path code, List<String> outputs) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(code)) {
            all = walk.filter(p -> !p.equals(code)).filter(p -> !outputs.contains(code.relativize(p).getName(0)
                    .toString())).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new EngineException("StorageError", "Cannot read " + code + ": " + e.getMessage(), e);
        }
        for (Path p : all) {
            digest.update((code.relativize(p) + "\0").getBytes(StandardCharsets.UTF_8));
            try {
                if (Files.isSymbolicLink(p)) {
                    digest.update(("link " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    digest.update("folder".getBytes(StandardCharsets.UTF_8));
                } else {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    digest.update((mode.contains(PosixFilePermission.OWNER_EXECUTE) ? "x" : "-")
                            .getBytes(StandardCharsets.UTF_8));
                    digest.update(Files.readAllBytes(p));
                }
            } catch (IOException e) {
                throw CodeFolder.storage(p, e);
            }
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** What a failed build leaves in {@code code}, in a sentence: the outputs of the build before it, or none. */
    private static String kept(CodeBuild build, Path code) {
        String outputs = String.join(", ", build.outputs());
        return build.outputs().stream().anyMatch(o -> Files.exists(code.resolve(o), LinkOption.NOFOLLOW_LINKS))
                ? " The previous " + outputs + " was kept and keeps running." : " The function has no " + outputs
                + " yet.";
    }

    private void output(FunctionConfiguration function, String line) {
        events.publish(new FunctionEvents.DependencyOutput(function.region(), function.name(), line));
    }

    /** Removes the work folders of builds a stopped engine left in a function's folder (nothing refers to them). */
    static void removeLeftWork(Path functionFolder) {
        CodeFolder.deleteAll(functionFolder, WORK + "*");
    }
}
