package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@link FunctionCode} on the functions' folders: $LATEST is {@code code/}, a version's code is
 * {@code versions/N/code/} (read-only here) and {@code versions/N/code.zip}. Each change to $LATEST makes a new
 * revision, so the next invocation starts a fresh environment. A save of several files and an import go through a
 * {@link CodeJournal}: after a crash the code is all old or all new, and its package and revision match it.
 * Thread-safe: changes of one function's code are serialised on the repository's lock.
 */
public final class FunctionCodeFiles implements FunctionCode {
    private final Functions functions;
    private final FunctionRepository repository;
    private final Dependencies dependencies;
    private final CodeBuilds builds;

    public FunctionCodeFiles(Functions functions) {
        this(functions, ZipPackages.MAX_UNZIPPED_BYTES);
    }

    /** With a smaller limit of the code's unzipped size than Lambda's, for tests of the refusal. */
    FunctionCodeFiles(Functions functions, long maxUnzippedBytes) {
        this(functions, maxUnzippedBytes, GoBuild.GO);
    }

    /** With {@code go} as the Go compiler (a missing file, in tests of a machine without Go). */
    FunctionCodeFiles(Functions functions, long maxUnzippedBytes, Path go) {
        this.functions = functions;
        this.repository = functions.repository();
        this.dependencies = new Dependencies(repository, functions.events(), functions.tools(), Path.of("/usr/bin/npm"),
                Path.of(Runtimes.PYTHON_EXECUTABLE), maxUnzippedBytes);
        Path javaLib = functions.runtimeCatalog().dir().resolve(JavaRuntime.DIR).resolve("lib");
        List<CodeBuild> all = new java.util.ArrayList<>(List.of(new GoBuild(functions.tools(), go,
                dev.nube.engine.Engine.defaultCache(System.getenv()).toAbsolutePath())));
        JavaRuntime.MAJORS.forEach(release -> all.add(new JavaBuild(release, javaLib)));
        this.builds = new CodeBuilds(repository, functions.events(), all, maxUnzippedBytes);
    }

    private FunctionConfiguration function(String region, String name) {
        return functions.get(region, name);
    }

    @Override
    public List<CodeEntry> files(String region, String name, String qualifier) {
        return CodeFolder.list(repository.codeDir(function(region, name), qualifier));
    }

    @Override
    public byte[] readFile(String region, String name, String qualifier, String path) {
        return CodeFolder.read(repository.codeDir(function(region, name), qualifier), path);
    }

    @Override
    public void writeFile(String region, String name, String path, byte[] content) {
        saveFiles(region, name, Map.of(path, content));
    }

    @Override
    public void saveFiles(String region, String name, Map<String, byte[]> files) {
        changeCode(function(region, name), function -> {
            CodeJournal journal = repository.journal(function);
            journal.stageFiles(files); // refuses any bad path before anything is written
            return commit(function, journal);
        });
    }

    @Override
    public void createFolder(String region, String name, String path) {
        edit(region, name, code -> CodeFolder.createFolder(code, path));
    }

    @Override
    public void rename(String region, String name, String from, String to) {
        edit(region, name, code -> CodeFolder.rename(code, from, to));
    }

    @Override
    public void delete(String region, String name, String path) {
        edit(region, name, code -> CodeFolder.delete(code, path));
    }

    /** Changes $LATEST's code folder in one step of {@link CodeFolder}, then makes the new revision. */
    private void edit(String region, String name, java.util.function.Consumer<Path> edit) {
        changeCode(function(region, name), function -> {
            repository.dropPackage(function); // before the edit: an edit that fails half-way changed the code
            edit.accept(repository.codeDir(function));
            return functions.recordCodeChange(function);
        });
    }

    @Override
    public void importZip(String region, String name, Path zip) {
        if (!Files.isRegularFile(zip)) {
            throw new EngineException("InvalidParameterValueException", "There is no file " + zip + ".");
        }
        changeCode(function(region, name), function -> {
            CodeJournal journal = repository.journal(function);
            journal.stageImport(zip); // refused: nothing staged is left, the code is untouched
            if (!function.layers().isEmpty()) {
                try {
                    functions.checkUnzippedSize(journal.stagedImportSize(), function.layers());
                } catch (RuntimeException e) {
                    journal.abandon(); // the code and its layers would be too large together: nothing changes
                    throw e;
                }
            }
            return commit(function, journal);
        });
    }

    /**
     * Runs {@code change} under the repository's lock, after completing a change an earlier failure left half done
     * (so that it starts from whole code), then announces the last new revision outside the lock.
     */
    private void changeCode(FunctionConfiguration function,
            java.util.function.UnaryOperator<FunctionConfiguration> change) {
        FunctionConfiguration settled = null;
        FunctionConfiguration updated = null;
        try {
            synchronized (repository) {
                settled = functions.settleCode(function);
                updated = change.apply(function);
            }
        } finally {
            FunctionConfiguration last = updated != null ? updated : settled;
            if (last != null) {
                functions.announceCodeChange(last);
            }
        }
    }

    /**
     * Makes the staged change: the package of the old code goes first (after the commit no package of it may be
     * left), then the journal makes the change durable, the files move into place, and the revision is recorded
     * before the journal goes (a stop in between completes the change again and records one more revision).
     */
    private FunctionConfiguration commit(FunctionConfiguration function, CodeJournal journal) {
        try {
            repository.dropPackage(function);
        } catch (RuntimeException e) {
            journal.abandon();
            throw e;
        }
        journal.commit();
        journal.apply();
        journal.stagedPackage().ifPresent(zip -> repository.adoptPackage(function, zip));
        FunctionConfiguration updated = functions.recordCodeChange(function);
        journal.finish();
        return updated;
    }

    @Override
    public DependencyInstall installDependencies(String region, String name) {
        return dependencies.install(function(region, name), stage -> changeCode(function(region, name),
                function -> commit(function, stage.apply(function))));
    }

    @Override
    public CodeBuildResult build(String region, String name) {
        return builds.build(function(region, name), stage -> changeCode(function(region, name),
                function -> commit(function, stage.apply(function))));
    }

    @Override
    public CodePackage codePackage(String region, String name, String qualifier) {
        FunctionConfiguration function = function(region, name);
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            return repository.latestPackage(function);
        }
        FunctionVersion version = repository.version(function, qualifier);
        return new CodePackage(version.codeSha256(), version.codeSize());
    }

    @Override
    public void exportZip(String region, String name, String qualifier, Path target) {
        FunctionConfiguration function = function(region, name);
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            repository.copyLatestPackage(function, target);
            return;
        }
        Path zip = repository.versionDir(function, repository.version(function, qualifier).version())
                .resolve("code.zip");
        try {
            Path temp = AtomicFiles.temporaryFor(target.toAbsolutePath());
            dev.nube.engine.store.PrivateFiles.copy(zip, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not write " + target + ": " + e.getMessage(), e);
        }
    }
}
