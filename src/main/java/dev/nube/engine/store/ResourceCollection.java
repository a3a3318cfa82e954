package dev.nube.engine.store;

import dev.nube.engine.EngineException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The resources of one kind in one region: a folder per resource id holding {@value #DOCUMENT} and whatever files the
 * resource owns (disks, keys, logs). Thread-safe: each call reads or writes whole documents atomically; callers that
 * need check-then-act (unique names) hold their own lock.
 */
public final class ResourceCollection<T> {
    public static final String DOCUMENT = "resource.json";

    private final ResourceKind kind;
    private final Path dir;
    private final Class<T> type;

    public ResourceCollection(ResourceKind kind, Path regionRoot, Class<T> type) {
        this.kind = kind;
        this.dir = regionRoot.resolve(kind.folder());
        this.type = type;
    }

    public ResourceKind kind() {
        return kind;
    }

    public Path dir() {
        return dir;
    }

    /** The folder that holds everything of resource {@code id} (may not exist yet). */
    public Path folderOf(String id) {
        if (!Ids.isId(kind, id)) {
            throw EngineException.invalid("'" + id + "' is not a valid " + kind.prefix() + "- id");
        }
        return dir.resolve(id);
    }

    public Listing<T> list() {
        List<T> items = new ArrayList<>();
        List<StoreProblem> problems = new ArrayList<>();
        for (String id : ids()) {
            Path document = dir.resolve(id).resolve(DOCUMENT);
            try {
                DocumentStore.read(document, type).ifPresentOrElse(items::add, () -> problems.add(
                        new StoreProblem(kind, id, document, "the folder has no " + DOCUMENT)));
            } catch (UnreadableDocumentException e) {
                problems.add(new StoreProblem(kind, id, document, e.reason()));
            }
        }
        return new Listing<>(items, problems);
    }

    /** The ids of every folder that looks like a resource of this kind, sorted. */
    public List<String> ids() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Ids.isId(kind, name) && Files.isDirectory(entry)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot list " + dir + ": " + e.getMessage(), e);
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    /**
     * Removes the temporary files that writes cut short by a stopped engine left in the resources' folders (their
     * top level only: documents, keys and user data live there; disks and code below are not walked). Call it when
     * the region opens, before anything writes. Returns how many it removed.
     */
    public int removeLeftovers() throws IOException {
        int removed = 0;
        for (String id : ids()) {
            removed += AtomicFiles.removeLeftovers(dir.resolve(id));
        }
        return removed;
    }

    /** The resource, or empty if it does not exist. Throws {@link UnreadableDocumentException} if it is broken. */
    public Optional<T> find(String id) {
        if (!Ids.isId(kind, id)) {
            return Optional.empty();
        }
        return DocumentStore.read(dir.resolve(id).resolve(DOCUMENT), type);
    }

    /**
     * The resource {@code idOrName} stands for, since callers may give either: by id when it has the form of an
     * id of this kind (then it is never read as a name), else the first resource whose {@code name} it is.
     */
    public Optional<T> findByIdOrName(String idOrName, Function<T, String> name) {
        if (Ids.isId(kind, idOrName)) {
            return find(idOrName);
        }
        return list().items().stream().filter(item -> name.apply(item).equals(idOrName)).findFirst();
    }

    public void put(String id, T value) {
        DocumentStore.write(folderOf(id).resolve(DOCUMENT), value);
    }

    /**
     * Removes the resource and every file in its folder. The document goes first, so a crash half-way leaves a
     * folder without a document, which {@link #list()} reports rather than showing a half-deleted resource.
     */
    public void delete(String id) {
        Path folder = folderOf(id);
        try {
            Files.deleteIfExists(folder.resolve(DOCUMENT));
            deleteTree(folder);
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not delete " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a folder and everything in it; nothing happens when it does not exist. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (NoSuchFileException ignored) {
                    // already gone: what we wanted
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
