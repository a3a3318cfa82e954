package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Where functions live: {@code regions/<region>/functions/<fn-id>/} holding {@code resource.json}, {@code code/}
 * ($LATEST), {@code package.zip} and {@code package.sha256} ($LATEST's deployment package, see {@link #latestPackage}),
 * {@code versions/N/{version.json,code.zip,code/}}, {@code test-events.json}, {@code aliases.json},
 * {@code layers/<name>-<N>/} and {@code opt/<key>/} (its copy of each layer and its layers merged, see
 * {@link #optDir}), {@code schedules.json} ({@link FunctionSchedules}), {@code logs/} and {@code metrics.json}; a
 * change of $LATEST's code under way is staged in {@code code-change/} ({@link CodeJournal}); {@code dependencies.json}
 * records what Deploy's last install of dependencies put in the code, which npm or pip makes in
 * {@code dependencies-<uuid>/} ({@link Dependencies}); code being unpacked for a new function waits in
 * {@code .incoming-*} beside the functions. Names map to ids through an index per region built from the documents on
 * first use and kept in memory (an invocation never reads a document). Documents are read through
 * {@code runtimeOnRead}, which turns the runtime ids of earlier builds into today's (they are written back with the
 * next change). Thread-safe; changes that must keep names unique hold this object's lock.
 */
final class FunctionRepository {
    private static final String PACKAGE = "package.zip";
    private static final String PACKAGE_SHA = "package.sha256";
    private final RegionService regions;
    private final EventBus events;
    private final UnaryOperator<String> runtimeOnRead;
    private final Map<String, Map<String, FunctionConfiguration>> byName = new ConcurrentHashMap<>();
    private final Map<String, FunctionLog> logs = new ConcurrentHashMap<>();
    private final Map<String, FunctionMetrics> metrics = new ConcurrentHashMap<>();
    private final Map<String, List<FunctionAlias>> aliases = new ConcurrentHashMap<>();

    /** The stored test events of a function. */
    record TestEvents(List<TestEvent> events) {
    }

    /** The stored aliases of a function, by name. */
    record Aliases(List<FunctionAlias> aliases) {
    }

    FunctionRepository(RegionService regions, EventBus events, UnaryOperator<String> runtimeOnRead) {
        this.regions = regions;
        this.events = events;
        this.runtimeOnRead = runtimeOnRead;
    }

    ResourceCollection<FunctionConfiguration> collection(String region) {
        return new ResourceCollection<>(ResourceKind.FUNCTION, regions.get(region).root(), FunctionConfiguration.class);
    }

    private Map<String, FunctionConfiguration> index(String region) {
        return byName.computeIfAbsent(region, r -> {
            Map<String, FunctionConfiguration> index = new ConcurrentHashMap<>();
            list0(r).items().forEach(f -> index.put(f.name(), f));
            return index;
        });
    }

    private Listing<FunctionConfiguration> list0(String region) {
        Listing<FunctionConfiguration> stored = collection(region).list();
        return new Listing<>(stored.items().stream().map(this::migrated).toList(), stored.problems());
    }

    /** The function whose id is {@code id}, read from its document. */
    Optional<FunctionConfiguration> findById(String region, String id) {
        return collection(region).find(id).map(this::migrated);
    }

    private FunctionConfiguration migrated(FunctionConfiguration stored) {
        String runtime = runtimeOnRead.apply(stored.runtime());
        return runtime.equals(stored.runtime()) ? stored : stored.withRuntime(runtime);
    }

    private FunctionVersion migrated(FunctionVersion stored) {
        String runtime = runtimeOnRead.apply(stored.runtime());
        return runtime.equals(stored.runtime()) ? stored : stored.withRuntime(runtime);
    }

    Listing<FunctionConfiguration> list(String region) {
        Listing<FunctionConfiguration> listing = list0(region);
        Map<String, FunctionConfiguration> index = new ConcurrentHashMap<>();
        listing.items().forEach(f -> index.put(f.name(), f));
        byName.put(region, index);
        return listing;
    }

    Optional<FunctionConfiguration> find(String region, String name) {
        return Optional.ofNullable(index(region).get(name));
    }

    FunctionConfiguration get(String region, String name) {
        return find(region, name).orElseThrow(() -> notFound(region, name));
    }

    static EngineException notFound(String region, String name) {
        return new EngineException("ResourceNotFoundException", "Function not found: arn:aws:lambda:" + region
                + ":000000000000:function:" + name);
    }

    /** Writes the document and updates the index. */
    synchronized void save(FunctionConfiguration function) {
        collection(function.region()).put(function.id(), function);
        index(function.region()).put(function.name(), function);
    }

    synchronized void remove(FunctionConfiguration function) {
        index(function.region()).remove(function.name());
        metrics.remove(function.id()); // dropped unsaved: the folder goes with it
        aliases.remove(function.id());
        logs.remove(function.id());
        collection(function.region()).delete(function.id());
    }

    Path folder(FunctionConfiguration function) {
        return collection(function.region()).folderOf(function.id());
    }

    /**
     * A new folder name (not made) beside the region's function folders, for code being unpacked before its function
     * exists; no listing reads it as a function.
     */
    Path stagingDir(String region) {
        return collection(region).dir().resolve(".incoming-" + java.util.UUID.randomUUID());
    }

    /** Removes code an engine stopped while unpacking for a function it never made (nothing refers to it). */
    void removeLeftStaging(String region) {
        Path dir = collection(region).dir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, ".incoming-*")) {
            for (Path staging : left) {
                CodeFolder.deleteTree(staging);
            }
        } catch (IOException | RuntimeException e) {
            // tried again when the region next opens; nothing lists it meanwhile
        }
    }

    Path codeDir(FunctionConfiguration function) {
        return folder(function).resolve("code");
    }

    /**
     * The folder of {@code layers} merged, as this function's invocations see them at /opt
     * ({@code opt/<key of the list>}, made by the functions service when the layers were set), or null for none.
     * Shared by $LATEST and the versions with the same layers; immutable once made.
     */
    Path optDir(FunctionConfiguration function, List<FunctionLayer> layers) {
        return layers.isEmpty() ? null : folder(function).resolve("opt").resolve(Layers.key(layers));
    }

    /**
     * The function's own copy of the layer version {@code arn} ({@code layers/<name>-<N>/}, hard links to the layer's
     * files), from which its merged folders are made: it outlives the layer version.
     */
    Path layerCopy(FunctionConfiguration function, String arn) {
        String[] parts = arn.split(":");
        return folder(function).resolve("layers").resolve(parts[parts.length - 2] + "-" + parts[parts.length - 1]);
    }

    /** The journal through which $LATEST's code changes (see {@link CodeJournal}). */
    CodeJournal journal(FunctionConfiguration function) {
        return new CodeJournal(folder(function));
    }

    /**
     * $LATEST's deployment package ({@code package.zip}, valid while {@code package.sha256} is beside it): the zip
     * last uploaded, or else the code zipped now and kept until the next edit, so what GetFunction reports and what
     * its link downloads are the same bytes.
     */
    synchronized CodePackage latestPackage(FunctionConfiguration function) {
        Path zip = folder(function).resolve(PACKAGE);
        Path sha = folder(function).resolve(PACKAGE_SHA);
        try {
            if (Files.exists(sha) && Files.exists(zip)) {
                return new CodePackage(Files.readString(sha).strip(), Files.size(zip));
            }
            String digest = ZipPackages.zip(codeDir(function), zip);
            AtomicFiles.write(sha, digest.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new CodePackage(digest, Files.size(zip));
        } catch (IOException e) {
            throw CodeFolder.storage(zip, e);
        }
    }

    /** Copies $LATEST's package to {@code target} (replaced atomically), making it first if the code was edited. */
    synchronized CodePackage copyLatestPackage(FunctionConfiguration function, Path target) {
        CodePackage code = latestPackage(function);
        Path temp = AtomicFiles.temporaryFor(target.toAbsolutePath());
        try {
            PrivateFiles.createDirectories(temp.getParent());
            PrivateFiles.copy(folder(function).resolve(PACKAGE), temp);
            Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return code;
        } catch (IOException e) {
            throw CodeFolder.storage(target, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }

    /** Keeps a copy of {@code uploaded} as $LATEST's package (its code was just unpacked from it). */
    synchronized void keepPackage(FunctionConfiguration function, Path uploaded) {
        dropPackage(function);
        Path temp = AtomicFiles.temporaryFor(folder(function).resolve(PACKAGE));
        try {
            PrivateFiles.copy(uploaded, temp);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true); // on disk before the rename and the digest that vouches for it
            }
            adoptPackage(function, temp);
        } catch (IOException e) {
            throw CodeFolder.storage(temp, e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // removed when the engine next opens
            }
        }
    }

    /**
     * Moves {@code zip} (in the function's folder) into place as $LATEST's package and writes its digest. Done again
     * after a stop (by {@link CodeJournal}'s recovery), it only writes the digest of the package already moved.
     */
    synchronized void adoptPackage(FunctionConfiguration function, Path zip) {
        Path target = folder(function).resolve(PACKAGE);
        try {
            if (Files.exists(zip)) {
                Files.move(zip, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.exists(target)) {
                AtomicFiles.write(folder(function).resolve(PACKAGE_SHA), ZipPackages.sha256(target).getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            throw CodeFolder.storage(target, e);
        }
    }

    /** Forgets $LATEST's package before its code changes (the digest first: a package without it is not used). */
    synchronized void dropPackage(FunctionConfiguration function) {
        try {
            Files.deleteIfExists(folder(function).resolve(PACKAGE_SHA));
            Files.deleteIfExists(folder(function).resolve(PACKAGE));
        } catch (IOException e) {
            throw CodeFolder.storage(folder(function), e);
        }
    }

    Path versionDir(FunctionConfiguration function, String version) {
        return folder(function).resolve("versions").resolve(version);
    }

    FunctionLog log(FunctionConfiguration function) {
        return logs.computeIfAbsent(function.id(), id -> new FunctionLog(folder(function).resolve("logs"),
                function.region(), function.name(), events));
    }

    FunctionMetrics metrics(FunctionConfiguration function) {
        return metrics.computeIfAbsent(function.id(), id -> new FunctionMetrics(folder(function).resolve(
                "metrics.json")));
    }

    /**
     * Writes the metrics that changed. Each one under the lock {@link #remove} holds, and only while still listed:
     * a write after the delete would bring the function's folder back with nothing but its metrics in it.
     */
    void saveMetrics() {
        metrics.forEach((id, m) -> {
            synchronized (this) {
                if (metrics.get(id) == m) {
                    m.save();
                }
            }
        });
    }

    List<FunctionVersion> versions(FunctionConfiguration function) {
        Path dir = folder(function).resolve("versions");
        List<FunctionVersion> versions = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return versions;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                DocumentStore.read(entry.resolve("version.json"), FunctionVersion.class).map(this::migrated)
                        .ifPresent(versions::add);
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot list versions in " + dir + ": " + e.getMessage(), e);
        }
        versions.sort(Comparator.comparingInt(v -> Integer.parseInt(v.version())));
        return versions;
    }

    FunctionVersion version(FunctionConfiguration function, String version) {
        if (!version.matches("[1-9][0-9]{0,8}")) {
            throw new EngineException("InvalidParameterValueException", "'" + version + "' is not a version: use"
                    + " $LATEST or a published version number.");
        }
        return DocumentStore.read(versionDir(function, version).resolve("version.json"), FunctionVersion.class)
                .map(this::migrated).orElseThrow(() -> new EngineException("ResourceNotFoundException",
                        "Function not found: " + function.arn(version)));
    }

    /** Whether published version {@code version} of {@code function} is there (not deleted). */
    boolean hasVersion(FunctionConfiguration function, String version) {
        return Files.isRegularFile(versionDir(function, version).resolve("version.json"));
    }

    /** The code folder of $LATEST (null or "$LATEST") or of a published version. */
    Path codeDir(FunctionConfiguration function, String qualifier) {
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            return codeDir(function);
        }
        version(function, qualifier);
        return versionDir(function, qualifier).resolve("code");
    }

    List<TestEvent> testEvents(FunctionConfiguration function) {
        return DocumentStore.read(folder(function).resolve("test-events.json"), TestEvents.class)
                .map(TestEvents::events).orElse(List.of());
    }

    void saveTestEvents(FunctionConfiguration function, List<TestEvent> list) {
        DocumentStore.write(folder(function).resolve("test-events.json"), new TestEvents(list));
    }

    /**
     * The function's aliases, by name: read from {@code aliases.json} once, then kept in memory (an invocation by
     * alias reads no document).
     */
    List<FunctionAlias> aliases(FunctionConfiguration function) {
        return aliases.computeIfAbsent(function.id(), id -> DocumentStore.read(folder(function).resolve(
                "aliases.json"), Aliases.class).map(Aliases::aliases).map(List::copyOf).orElse(List.of()));
    }

    /** Replaces the function's aliases: the document first (atomically), then what invocations read. */
    synchronized void saveAliases(FunctionConfiguration function, List<FunctionAlias> list) {
        List<FunctionAlias> sorted = list.stream().sorted(Comparator.comparing(FunctionAlias::name)).toList();
        DocumentStore.write(folder(function).resolve("aliases.json"), new Aliases(sorted));
        aliases.put(function.id(), sorted);
    }

    /** Removes a published version's folder: its document first, so a stop half-way leaves no version listed. */
    void removeVersion(FunctionConfiguration function, String version) {
        Path dir = versionDir(function, version);
        try {
            Files.deleteIfExists(dir.resolve("version.json"));
        } catch (IOException e) {
            throw CodeFolder.storage(dir, e);
        }
        CodeFolder.deleteTree(dir);
    }
}
