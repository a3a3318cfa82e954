package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.DocumentStore;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One change of a function's $LATEST code (a save of several files, or an imported zip), made so that a crash at any
 * moment leaves the code all old or all new. The new content is staged in {@value #FOLDER}/ beside {@code code/}, in
 * the function's folder (where no name is a person's choice, so nothing of this lands among the person's files), and
 * forced to disk. Then {@value #JOURNAL} is written there (atomically, forced): from that moment on the change counts
 * as made. Then the staged content is moved into place, and the caller records the new revision before
 * {@link #finish()} removes the folder. {@link #recover()} handles a folder a stopped engine left: with its journal the
 * moves are completed (each one at most once: a staged file that is gone was moved already), without it the folder is
 * removed and the code is as it was.
 *
 * <p>A save moves files into the same {@code code/} folder, so an execution environment that has it bind-mounted
 * sees the new files, and one whose /var/task holds hard links keeps the old ones. An import moves {@code code/}
 * aside into the staging folder and the new code in. An install of dependencies ({@link Dependencies}) moves each
 * top-level entry it replaces (node_modules/, a python package) aside into the staging folder and the new one in, then
 * writes the record of what is installed; a build on Deploy ({@link CodeBuilds}) moves what it built in the same way,
 * with no record. Not thread-safe: callers hold the repository's lock.
 */
final class CodeJournal {
    static final String FOLDER = "code-change";
    static final String JOURNAL = "journal.json";
    private static final String SAVE = "save";
    private static final String IMPORT = "import";
    private static final String INSTALL = "install";
    private static final String BUILD = "build";
    private static final String INCOMING = "code"; // an import's code
    private static final String OLD = "old"; // the code an import replaced
    private static final String PACKAGE = "package.zip"; // an import's zip, kept as $LATEST's package
    private static final String REPLACED = "replaced-"; // an install's entry it replaced, by the entry's index
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /**
     * What the journal holds: the kind of change; for a save, where each file goes; for an install of dependencies,
     * the code's top-level entries it replaces or removes and the record of what is installed afterwards.
     */
    record Journal(String kind, List<StagedFile> files, Dependencies.Installed installed) {
    }

    /**
     * A staged file ({@code staged}, a name in the staging folder) and its path in the code. In an install, a null
     * {@code staged} removes the entry at {@code path}.
     */
    record StagedFile(String path, String staged) {
    }

    private final Path function;
    private final Path code;
    private final Path staging;
    private Journal journal;

    /** The journal of the function whose folder is {@code functionFolder} ($LATEST's code is its {@code code/}). */
    CodeJournal(Path functionFolder) {
        this.function = functionFolder;
        this.code = functionFolder.resolve("code");
        this.staging = functionFolder.resolve(FOLDER);
    }

    /**
     * Stages a save of {@code files}: refuses a bad path or a file where a folder is (or the reverse) before anything
     * is written, then writes and forces each file in the staging folder. Nothing in the code changes yet.
     */
    void stageFiles(Map<String, byte[]> files) {
        Map<String, byte[]> byPath = new LinkedHashMap<>();
        Map<String, Path> targets = new LinkedHashMap<>();
        files.forEach((path, content) -> {
            Path target = CodeFolder.resolve(code, path);
            checkFileCanGoAt(target, path);
            String relative = CodeFolder.relative(code, target);
            checkNameLengths(relative);
            byPath.put(relative, content);
            targets.put(relative, target);
        });
        for (String relative : byPath.keySet()) { // one save cannot make a path both a file and a folder
            for (String other : byPath.keySet()) {
                if (other.startsWith(relative + "/")) {
                    throw FunctionRules.invalid("'" + relative + "' cannot be a file and hold '" + other + "' in one"
                            + " save.");
                }
            }
        }
        begin();
        List<StagedFile> staged = new ArrayList<>();
        try {
            for (Map.Entry<String, byte[]> file : byPath.entrySet()) {
                Path target = targets.get(file.getKey());
                Path into = staging.resolve(Integer.toString(staged.size()));
                PrivateFiles.createFile(into); // written as 600, then given the mode it keeps (a 400 file too)
                writeForced(into, file.getValue());
                Files.setPosixFilePermissions(into, Files.exists(target)
                        ? PrivateFiles.ownerOnly(Files.getPosixFilePermissions(target))
                        : target.getFileName().toString().equals("bootstrap") ? CodeFolder.EXECUTABLE : CodeFolder.FILE);
                staged.add(new StagedFile(file.getKey(), into.getFileName().toString()));
            }
            AtomicFiles.forceDirectory(staging);
        } catch (IOException e) {
            abandon();
            throw CodeFolder.storage(code, e);
        }
        journal = new Journal(SAVE, staged, null);
    }

    /** Names the file system refuses, refused before anything is staged (Linux: 255 bytes a name, 4,096 a path). */
    private void checkNameLengths(String relative) {
        if ((code.toAbsolutePath() + "/" + relative).getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 4096) {
            throw FunctionRules.invalid("The path '" + relative + "' is too long.");
        }
        for (String part : relative.split("/")) {
            if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw FunctionRules.invalid("The name '" + part + "' is too long: at most 255 bytes.");
            }
        }
    }

    private void checkFileCanGoAt(Path target, String path) {
        if (Files.isDirectory(target)) {
            throw FunctionRules.invalid("'" + path + "' is a folder.");
        }
        for (Path p = target.getParent(); !p.equals(code); p = p.getParent()) {
            if (Files.exists(p, NOFOLLOW) && !Files.isDirectory(p)) {
                throw FunctionRules.invalid("'" + CodeFolder.relative(code, p) + "' is a file, so '" + path
                        + "' cannot be saved inside it.");
            }
        }
    }

    /**
     * Stages an import of {@code zip}: its code unzipped (a refused zip throws, with the code untouched) and a copy
     * of the zip, both forced to disk.
     */
    void stageImport(Path zip) {
        begin();
        try {
            ZipPackages.unzip(zip, staging.resolve(INCOMING));
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
        try {
            forceTree(staging.resolve(INCOMING));
            Path kept = staging.resolve(PACKAGE);
            PrivateFiles.copy(zip, kept);
            try (FileChannel channel = FileChannel.open(kept, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            AtomicFiles.forceDirectory(staging);
        } catch (IOException e) {
            abandon();
            throw CodeFolder.storage(code, e);
        }
        journal = new Journal(IMPORT, List.of(), null);
    }

    /**
     * Stages an install of dependencies: each of {@code incoming} (a top-level name of the code, and the folder or
     * file the tool made for it in the function's folder, already forced to disk with {@link #forceTree}: that is
     * slow and not done here, under the repository's lock) is moved here, and the staging folder forced;
     * {@code removed} names the
     * entries of the previous install that the new one does not have. {@code installed} is written beside the code
     * when the change is applied. Nothing in the code changes yet.
     */
    void stageInstall(Map<String, Path> incoming, List<String> removed, Dependencies.Installed installed) {
        journal = new Journal(INSTALL, stageEntries(incoming, removed), installed);
    }

    /**
     * Stages what a build on Deploy made ({@link CodeBuilds}): as {@link #stageInstall}, each of {@code incoming}
     * (already forced to disk) replaces the code's top-level entry of its name, with no record written. Nothing in
     * the code changes yet.
     */
    void stageBuild(Map<String, Path> incoming) {
        journal = new Journal(BUILD, stageEntries(incoming, List.of()), null);
    }

    private List<StagedFile> stageEntries(Map<String, Path> incoming, List<String> removed) {
        List<StagedFile> entries = new ArrayList<>();
        incoming.keySet().forEach(name -> checkTopLevel(name));
        removed.forEach(name -> checkTopLevel(name));
        begin();
        try {
            for (Map.Entry<String, Path> entry : incoming.entrySet()) {
                String staged = "install-" + entries.size();
                Files.move(entry.getValue(), staging.resolve(staged), StandardCopyOption.ATOMIC_MOVE);
                entries.add(new StagedFile(entry.getKey(), staged));
            }
            for (String name : removed) {
                entries.add(new StagedFile(name, null));
            }
            AtomicFiles.forceDirectory(staging);
        } catch (IOException e) {
            abandon();
            throw CodeFolder.storage(code, e);
        }
        return entries;
    }

    private void checkTopLevel(String name) {
        Path target = CodeFolder.resolve(code, name);
        if (!target.getParent().equals(code)) {
            throw new IllegalArgumentException("not a top-level entry of the code: " + name);
        }
    }

    private void begin() {
        CodeFolder.deleteTree(staging); // recover() ran before: nothing of a committed change is left here
        try {
            PrivateFiles.createDirectories(staging);
        } catch (IOException e) {
            throw CodeFolder.storage(code, e);
        }
    }

    /**
     * Writes the journal: from now on the staged change is made, whenever the engine stops. What was staged is on disk
     * already (files and their folder forced while staging).
     */
    void commit() {
        try {
            AtomicFiles.forceDirectory(function); // the staging folder's own entry
            DocumentStore.write(staging.resolve(JOURNAL), journal);
        } catch (IOException | RuntimeException e) {
            abandon(); // the journal is whole or absent, and the code was not touched either way
            throw e instanceof IOException io ? CodeFolder.storage(code, io) : (RuntimeException) e;
        }
    }

    /** Moves the committed change into place. Throws when it could not; the journal stays for the next try. */
    void apply() {
        try {
            apply(journal);
        } catch (IOException | RuntimeException e) {
            throw new EngineException("StorageError", "Could not finish changing the code in " + code + ": "
                    + e.getMessage() + ". The change is kept and will be completed before the function's next"
                    + " change, or when Nube next opens.", e);
        }
    }

    private void apply(Journal committed) throws IOException {
        if (committed.kind().equals(IMPORT)) {
            Path incoming = staging.resolve(INCOMING);
            if (Files.exists(incoming, NOFOLLOW)) {
                Path old = staging.resolve(OLD);
                if (Files.exists(code, NOFOLLOW)) {
                    if (Files.exists(old, NOFOLLOW)) {
                        throw new IOException(code + " and " + old + " both exist while " + incoming
                                + " waits to replace the code; nothing was moved");
                    }
                    Files.move(code, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(incoming, code, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.forceDirectory(function);
            }
            Files.deleteIfExists(function.resolve(Dependencies.RECORD)); // what it listed is gone with the old code
            return;
        }
        if (committed.kind().equals(INSTALL) || committed.kind().equals(BUILD)) {
            applyInstall(committed);
            return;
        }
        Set<Path> changedFolders = new LinkedHashSet<>();
        for (StagedFile file : committed.files()) {
            Path from = staging.resolve(file.staged());
            if (!Files.exists(from, NOFOLLOW)) {
                continue; // moved before the engine stopped
            }
            Path target = CodeFolder.resolve(code, file.path());
            try {
                PrivateFiles.createDirectories(target.getParent());
                Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException
                    | java.nio.file.NotDirectoryException e) {
                // A change staged before such paths were refused at once: it can never go in, and must not stop
                // every later change. The rest of it goes in; this file is dropped, and said so.
                System.getLogger(CodeJournal.class.getName()).log(System.Logger.Level.WARNING, "dropped '"
                        + file.path() + "' of a saved change in " + code + ": " + e);
                Files.deleteIfExists(from);
                continue;
            }
            for (Path p = target.getParent(); p.startsWith(code); p = p.getParent()) {
                changedFolders.add(p); // a folder made for it is an entry in its parent
            }
        }
        for (Path folder : changedFolders) {
            AtomicFiles.forceDirectory(folder);
        }
    }

    /**
     * Each entry in turn: the code's entry at that name (if any) is moved aside into the staging folder, then the
     * staged one moved in. Done again after a stop, an entry whose staged copy is gone was moved in already, and one
     * whose code entry is missing was moved aside already. The record of what is installed is written last.
     */
    private void applyInstall(Journal committed) throws IOException {
        List<StagedFile> entries = committed.files();
        for (int i = 0; i < entries.size(); i++) {
            StagedFile entry = entries.get(i);
            Path from = entry.staged() == null ? null : staging.resolve(entry.staged());
            if (from != null && !Files.exists(from, NOFOLLOW)) {
                continue; // moved in before the engine stopped
            }
            Path target = code.resolve(entry.path());
            if (Files.exists(target, NOFOLLOW)) {
                Files.move(target, staging.resolve(REPLACED + i), StandardCopyOption.ATOMIC_MOVE);
            }
            if (from != null) {
                Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        AtomicFiles.forceDirectory(code);
        if (committed.kind().equals(INSTALL)) {
            DocumentStore.write(function.resolve(Dependencies.RECORD), committed.installed());
        }
    }

    /** The zip an import keeps as $LATEST's package, while it has not been moved into place. */
    Optional<Path> stagedPackage() {
        return journal != null && journal.kind().equals(IMPORT) ? Optional.of(staging.resolve(PACKAGE))
                : Optional.empty();
    }

    boolean isImport() {
        return journal != null && journal.kind().equals(IMPORT);
    }

    /**
     * Removes the staging folder once the change and its revision are recorded. The change is made whatever happens
     * here, so nothing is forced: a journal that is back after a power cut, or a folder that stays, is handled by the
     * next {@link #recover()}, which finds nothing left to move and records one more revision.
     */
    void finish() {
        try {
            Files.deleteIfExists(staging.resolve(JOURNAL)); // first: a folder without it is only dropped
            CodeFolder.deleteTree(staging);
        } catch (IOException | RuntimeException e) {
            // see above
        }
    }

    /** The size of the files of the import just staged ({@link #stageImport}), before it is committed. */
    long stagedImportSize() {
        return CodeFolder.size(staging.resolve(INCOMING));
    }

    /** Drops a staged change that was not committed. */
    void abandon() {
        try {
            CodeFolder.deleteTree(staging);
        } catch (RuntimeException e) {
            // removed by the next change or the next open; nothing refers to it
        }
        journal = null;
    }

    /**
     * Finishes what a stopped engine (or a failed {@link #apply()}) left: completes a committed change and returns
     * true (the caller records the revision, then calls {@link #finish()}), or drops an uncommitted one and returns
     * false. Also puts back code that an import of an earlier build had moved aside when it stopped. Cheap when
     * nothing was left: a look at the function's folder.
     */
    boolean recover() {
        recoverEarlierImport();
        if (!Files.exists(staging, NOFOLLOW)) {
            return false;
        }
        Optional<Journal> committed = DocumentStore.read(staging.resolve(JOURNAL), Journal.class);
        if (committed.isEmpty()) {
            CodeFolder.deleteTree(staging);
            return false;
        }
        journal = committed.get();
        apply();
        return true;
    }

    /**
     * Earlier builds imported a zip into {@code code.import-UUID}, moved {@code code} to {@code code.old-UUID} and the
     * new folder in: stopped between the two moves, they left no code. The old code is put back (it was whole), and
     * what is left of those folders is removed.
     */
    private void recoverEarlierImport() {
        List<Path> imports = new ArrayList<>();
        List<Path> olds = new ArrayList<>();
        try (DirectoryStream<Path> left = Files.newDirectoryStream(function, "code.{import,old}-*")) {
            for (Path path : left) {
                (path.getFileName().toString().startsWith("code.old-") ? olds : imports).add(path);
            }
        } catch (IOException e) {
            throw CodeFolder.storage(function, e);
        }
        if (imports.isEmpty() && olds.isEmpty()) {
            return;
        }
        if (!Files.exists(code, NOFOLLOW)) {
            if (olds.size() != 1) {
                throw new EngineException("StorageError", code + " is missing and " + olds.size() + " earlier codes"
                        + " were left beside it; move the right one to " + code + ".");
            }
            try {
                Files.move(olds.remove(0), code, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.forceDirectory(function);
            } catch (IOException e) {
                throw CodeFolder.storage(code, e);
            }
        }
        imports.forEach(CodeFolder::deleteTree);
        olds.forEach(CodeFolder::deleteTree);
    }

    private static void writeForced(Path file, byte[] content) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile())) { // a stream: not closed by an interrupt
            out.write(content);
            out.getFD().sync();
        }
    }

    /** Forces every file and folder of {@code root} to disk (links are entries of their folders). */
    static void forceTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.toList();
        }
        for (Path path : all) {
            if (Files.isDirectory(path, NOFOLLOW)) {
                AtomicFiles.forceDirectory(path);
            } else if (Files.isRegularFile(path, NOFOLLOW)) {
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                    channel.force(true);
                }
            }
        }
    }
}
