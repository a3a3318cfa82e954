package dev.nube.ui.functions.code;

import dev.nube.engine.functions.BuildProblem;
import dev.nube.engine.functions.CodeBuildFailed;
import dev.nube.engine.functions.CodeBuildResult;
import dev.nube.engine.functions.CodeEntry;
import dev.nube.engine.functions.DependencyInstall;
import dev.nube.engine.functions.FunctionEvents;
import dev.nube.engine.functions.FunctionVersion;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.functions.FunctionScope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

/**
 * The code of $LATEST (editable) or of a published version (read-only): the files, the documents open in the
 * editor with their unsaved edits, and the file commands (save, deploy, new, rename, delete, zip import and export).
 * Deploy saves, installs the dependencies a package.json or requirements.txt declares, builds code of a compiled
 * language (Go sources into bootstrap, Java sources into classes.jar; their output in {@link #deployOutput()}, as
 * the engine publishes it), then publishes a version; a failed or cancelled install or build publishes nothing, and a build's errors are listed in
 * {@link #buildProblems()}, marked in their documents, and the first one shown ({@link #shownProblemProperty()}).
 * Engine calls run on the task executor. FX thread only.
 */
public final class CodeViewModel {
    private final FunctionScope scope;
    private final String qualifier;
    private final ObservableList<CodeEntry> files = FXCollections.observableArrayList();
    private final ObservableList<CodeDocument> documents = FXCollections.observableArrayList();
    private final ObjectProperty<CodeDocument> selected = new SimpleObjectProperty<>();
    private final ReadOnlyIntegerWrapper dirtyCount = new ReadOnlyIntegerWrapper();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final ObservableList<String> deployOutput = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper installing = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper deployResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper deployFailed = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper cancelling = new ReadOnlyBooleanWrapper();
    private final ObservableList<BuildProblem> buildProblems = FXCollections.observableArrayList();
    private final ObjectProperty<BuildProblem> shownProblem = new SimpleObjectProperty<>();
    /** The thread Deploy's install runs on, while it runs (guarded by itself's lock). */
    private final Object installLock = new Object();
    private Thread installThread;
    private volatile boolean cancelRequested;
    private String mainModule;
    /** The source file of the handler's class if it is a Java handler (example/Hello.java for example.Hello). */
    private String mainJavaSource;

    /** Lines of deploy output kept (the oldest go first): enough for any install's story, bounded for the list. */
    static final int DEPLOY_OUTPUT_LINES = 5000;

    /** @param qualifier null for $LATEST, else a published version (read-only) */
    public CodeViewModel(FunctionScope scope, String qualifier) {
        this.scope = scope;
        this.qualifier = qualifier;
        documents.addListener((ListChangeListener<CodeDocument>) change -> {
            while (change.next()) {
                change.getAddedSubList().forEach(d -> d.dirtyProperty().addListener((obs, old, dirty) -> recount()));
                change.getAddedSubList().forEach(this::markProblems);
            }
            recount();
        });
        buildProblems.addListener((ListChangeListener<BuildProblem>) change -> documents.forEach(this::markProblems));
        if (qualifier == null) {
            // Lines arrive on the FX thread, in order, while the install runs (the scope hops them over).
            scope.on(FunctionEvents.DependencyOutput.class, line -> {
                if (scope.is(line.region(), line.functionName())) {
                    deployOutput.add(line.line());
                    if (deployOutput.size() > DEPLOY_OUTPUT_LINES) {
                        deployOutput.remove(0, deployOutput.size() - DEPLOY_OUTPUT_LINES);
                    }
                }
            });
        }
        reloadFiles();
    }

    private void recount() {
        dirtyCount.set((int) documents.stream().filter(CodeDocument::dirty).count());
    }

    /** A file name for the exported code, e.g. "my-function.zip" or "my-function-v3.zip". */
    public String zipName() {
        return scope.name() + (qualifier == null ? "" : "-v" + qualifier) + ".zip";
    }

    public boolean readOnly() {
        return qualifier != null;
    }

    ObservableList<CodeEntry> files() {
        return files;
    }

    public ObservableList<CodeDocument> documents() {
        return documents;
    }

    public ObjectProperty<CodeDocument> selectedProperty() {
        return selected;
    }

    /** How many open files have unsaved edits. */
    public ReadOnlyIntegerProperty dirtyCountProperty() {
        return dirtyCount.getReadOnlyProperty();
    }

    public List<String> dirtyFiles() {
        return documents.stream().filter(CodeDocument::dirty).map(CodeDocument::path).toList();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** What the last command did, e.g. "Saved lambda_function.py". */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    public void reloadFiles() {
        scope.tasks().submit(() -> scope.code().files(scope.region(), scope.name(), qualifier), found -> {
            files.setAll(found);
            openMain();
        }, this::fail);
    }

    /**
     * Opens the handler's file ("lambda_function.py" for lambda_function.lambda_handler; else a Go function's
     * main.go, else a Java handler's class's source, example/Hello.java for example.Hello::handleRequest; else the
     * first file) once the files are known, if nothing is open yet, as the Lambda console does when
     * a function's page opens.
     */
    public void openMain(String handler) {
        mainModule = handler.contains(".") ? handler.substring(0, handler.lastIndexOf('.')) : handler;
        // A Java handler names a class: example.Hello::handleRequest is example/Hello.java (or src/main/java/...).
        String javaClass = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        mainJavaSource = javaClass.replace('.', '/') + ".java";
        openMain();
    }

    private void openMain() {
        if (mainModule == null || files.isEmpty() || !documents.isEmpty()) {
            return;
        }
        String module = mainModule;
        mainModule = null;
        String javaSource = mainJavaSource;
        files.stream().filter(f -> !f.directory()).filter(f -> f.path().equals(module) || f.path().startsWith(module
                + ".")).findFirst().or(() -> files.stream().filter(f -> f.path().equals("main.go")).findFirst())
                .or(() -> files.stream().filter(f -> f.path().equals(javaSource) || f.path().endsWith("/"
                        + javaSource)).findFirst())
                .or(() -> files.stream().filter(f -> !f.directory()).findFirst())
                .ifPresent(f -> open(f.path()));
    }

    /** Opens (or shows, if open) the file at {@code path}. */
    public void open(String path) {
        for (CodeDocument document : documents) {
            if (document.path().equals(path)) {
                selected.set(document);
                return;
            }
        }
        scope.tasks().submit(() -> scope.code().readFile(scope.region(), scope.name(), qualifier, path), bytes -> {
            if (documents.stream().noneMatch(d -> d.path().equals(path))) {
                documents.add(CodeDocument.of(path, bytes));
            }
            documents.stream().filter(d -> d.path().equals(path)).findFirst().ifPresent(selected::set);
        }, this::fail);
    }

    /** Closes a document, dropping its unsaved edits (the view asks first). */
    void close(CodeDocument document) {
        int index = documents.indexOf(document);
        documents.remove(document);
        if (selected.get() == document) {
            selected.set(documents.isEmpty() ? null : documents.get(Math.max(0, Math.min(index, documents.size() - 1))));
        }
    }

    void save(CodeDocument document, Runnable onSaved) {
        saveDocuments(List.of(document), "Saved " + document.path(), onSaved, this::fail);
    }

    /** Saves every open file with unsaved edits as one change of $LATEST. */
    public void saveAll(Runnable onSaved, Consumer<Throwable> onFailure) {
        List<CodeDocument> dirty = documents.stream().filter(CodeDocument::dirty).toList();
        if (dirty.isEmpty()) {
            onSaved.run();
            return;
        }
        saveDocuments(dirty, dirty.size() == 1 ? "Saved " + dirty.get(0).path() : "Saved " + dirty.size()
                + " files", onSaved, onFailure);
    }

    private void saveDocuments(List<CodeDocument> dirty, String done, Runnable onSaved, Consumer<Throwable> onFailure) {
        if (readOnly()) {
            return;
        }
        Map<CodeDocument, String> contents = new LinkedHashMap<>();
        dirty.forEach(d -> contents.put(d, d.text()));
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        contents.forEach((d, text) -> bytes.put(d.path(), text.getBytes(StandardCharsets.UTF_8)));
        busy.set(true);
        scope.tasks().submit(() -> {
            scope.code().saveFiles(scope.region(), scope.name(), bytes);
            return null;
        }, ignored -> {
            busy.set(false);
            // What was written is saved; edits typed meanwhile stay dirty.
            contents.forEach(CodeDocument::markSaved);
            succeed(done);
            onSaved.run();
        }, error -> {
            busy.set(false);
            fail(error);
            onFailure.accept(error);
        });
    }

    /** The output of the last Deploy's install of dependencies (npm's or pip's lines, and Nube's). */
    public ObservableList<String> deployOutput() {
        return deployOutput;
    }

    /** How the last Deploy ended ("Published version 3", or why it did not), empty while one runs. */
    public ReadOnlyStringProperty deployResultProperty() {
        return deployResult.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty deployFailedProperty() {
        return deployFailed.getReadOnlyProperty();
    }

    private void deployEnded(String result, boolean failed) {
        deployResult.set(result);
        deployFailed.set(failed);
    }

    /** True while Deploy installs dependencies and builds (it can be cancelled then). */
    public ReadOnlyBooleanProperty installingProperty() {
        return installing.getReadOnlyProperty();
    }

    /** True from Cancel until the cancelled install has really ended (Deploy stays disabled until then). */
    public ReadOnlyBooleanProperty cancellingProperty() {
        return cancelling.getReadOnlyProperty();
    }

    /**
     * Saves every file, installs the dependencies the code declares, then publishes $LATEST as a new version. When
     * the install fails or is cancelled, nothing is published and the failure says why.
     */
    public void deploy(String description, Consumer<FunctionVersion> onDeployed) {
        saveAll(() -> {
            busy.set(true);
            installing.set(true);
            deployOutput.clear();
            deployEnded("", false);
            status.set("Deploying: installing dependencies and building");
            failure.set("");
            buildProblems.clear();
            shownProblem.set(null);
            cancelRequested = false;
            scope.tasks().submit(() -> {
                synchronized (installLock) {
                    if (cancelRequested) {
                        throw new java.util.concurrent.CancellationException("cancelled");
                    }
                    installThread = Thread.currentThread();
                }
                try {
                    DependencyInstall installed = scope.code().installDependencies(scope.region(), scope.name());
                    CodeBuildResult built = scope.code().build(scope.region(), scope.name());
                    return new Prepared(installed, built);
                } finally {
                    synchronized (installLock) {
                        installThread = null;
                        Thread.interrupted(); // a cancel arriving as it ended is not left to the next task
                    }
                }
            }, prepared -> {
                installing.set(false);
                if (cancelRequested) {
                    cancelled();
                    return;
                }
                reloadFilesIfChanged(prepared);
                publish(description, onDeployed);
            }, error -> {
                installing.set(false);
                if (cancelRequested) {
                    cancelled();
                    return;
                }
                busy.set(false);
                status.set("");
                failure.set("Not deployed: " + Errors.message(error));
                deployEnded(failure.get(), true);
                if (error instanceof CodeBuildFailed build && !build.problems().isEmpty()) {
                    buildProblems.setAll(build.problems());
                    showProblem(build.problems().get(0));
                }
            });
        }, error -> { });
    }

    /** What Deploy did before publishing. */
    private record Prepared(DependencyInstall installed, CodeBuildResult built) {
    }

    private void reloadFilesIfChanged(Prepared prepared) {
        if (prepared.installed().status() == DependencyInstall.Status.INSTALLED
                || prepared.built().status() == CodeBuildResult.Status.BUILT) {
            reloadFiles();
        }
    }

    /** The errors the last Deploy's build found, in the order the compiler printed them; empty after a good one. */
    public ObservableList<BuildProblem> buildProblems() {
        return buildProblems;
    }

    /** The problem the editor shows (its file open and selected, its line in view): the first after a failed build. */
    public ReadOnlyObjectProperty<BuildProblem> shownProblemProperty() {
        return shownProblem;
    }

    /** Opens the problem's file and shows its line (the view scrolls the editor there). */
    public void showProblem(BuildProblem problem) {
        shownProblem.set(null); // the same problem again is shown again
        shownProblem.set(problem);
        open(problem.file());
    }

    private void markProblems(CodeDocument document) {
        document.problems().setAll(buildProblems.stream().filter(p -> p.file().equals(document.path())).toList());
    }

    private void publish(String description, Consumer<FunctionVersion> onDeployed) {
        status.set("Deploying: publishing a version");
        scope.tasks().submit(() -> scope.functions().publishVersion(scope.region(), scope.name(), description),
                version -> {
                    busy.set(false);
                    succeed("Deployed: saved and published as version " + version.version());
                    deployEnded("Published version " + version.version() + ".", false);
                    onDeployed.accept(version);
                }, error -> {
                    busy.set(false);
                    fail(error);
                    deployEnded("Not published: " + failure.get(), true);
                });
    }

    /**
     * Stops Deploy's install of dependencies: nothing is published. Deploy stays disabled, with "Cancelling…", until
     * the install has really ended (its tool stopped, or its change of the code made).
     */
    public void cancelDeploy() {
        if (!installing.get() || cancelRequested) {
            return;
        }
        synchronized (installLock) {
            cancelRequested = true;
            if (installThread != null) {
                installThread.interrupt(); // stops the tool
            }
        }
        cancelling.set(true);
        status.set("Cancelling\u2026");
    }

    private void cancelled() {
        cancelling.set(false);
        busy.set(false);
        status.set("");
        // The install may have been making its change already (that part is not interrupted): say only what is sure.
        failure.set("Not deployed: cancelled, so no version was published.");
        deployEnded(failure.get(), true);
        reloadFiles();
    }

    public void newFile(String path) {
        // Writing a file replaces it: a new file must not take the place of one that exists (or is open).
        boolean exists = files.stream().anyMatch(f -> f.path().equals(path))
                || documents.stream().anyMatch(d -> d.path().equals(path));
        if (exists) {
            status.set("");
            failure.set(path + " already exists. Choose another name, or open the file from the tree.");
            return;
        }
        change(() -> scope.code().writeFile(scope.region(), scope.name(), path, new byte[0]), "Created " + path,
                () -> {
                    documents.add(CodeDocument.empty(path));
                    selected.set(documents.get(documents.size() - 1));
                });
    }

    public void newFolder(String path) {
        change(() -> scope.code().createFolder(scope.region(), scope.name(), path), "Created folder " + path, () -> { });
    }

    /** Renames a file or folder; open documents inside it follow, keeping their edits. */
    public void rename(String from, String to) {
        change(() -> scope.code().rename(scope.region(), scope.name(), from, to), "Renamed " + from + " to " + to,
                () -> documents.forEach(d -> {
                    if (d.path().equals(from) || d.path().startsWith(from + "/")) {
                        d.moved(to + d.path().substring(from.length()));
                    }
                }));
    }

    /** Deletes a file or folder and closes what was open inside it (the view has confirmed). */
    public void delete(String path) {
        change(() -> scope.code().delete(scope.region(), scope.name(), path), "Deleted " + path,
                () -> List.copyOf(documents).stream().filter(d -> d.path().equals(path)
                        || d.path().startsWith(path + "/")).forEach(this::close));
    }

    /** Replaces the code with a zip's files; open documents are closed (the view has confirmed). */
    public void importZip(Path zip) {
        change(() -> scope.code().importZip(scope.region(), scope.name(), zip), "Imported " + zip.getFileName(),
                () -> List.copyOf(documents).forEach(this::close));
    }

    public void exportZip(Path target) {
        busy.set(true);
        scope.tasks().submit(() -> {
            scope.code().exportZip(scope.region(), scope.name(), qualifier, target);
            return null;
        }, ignored -> {
            busy.set(false);
            succeed("Exported to " + target);
        }, error -> {
            busy.set(false);
            fail(error);
        });
    }

    private void change(Runnable work, String done, Runnable then) {
        busy.set(true);
        scope.tasks().submit(() -> {
            work.run();
            return null;
        }, ignored -> {
            busy.set(false);
            then.run();
            succeed(done);
            reloadFiles();
        }, error -> {
            busy.set(false);
            fail(error);
        });
    }

    private void succeed(String message) {
        failure.set("");
        status.set(message);
    }

    private void fail(Throwable error) {
        status.set("");
        failure.set(Errors.message(error));
    }
}
