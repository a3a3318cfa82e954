package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Json;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The functions service: functions, versions, aliases and test events stored per region ({@link FunctionRepository}),
 * invocations run in sandboxed execution environments ({@link Invocations}). Reports the sandbox mode through
 * {@code sandboxStatus}. Thread-safe; changes that touch names or versions hold the repository's lock.
 */
public final class Functions implements FunctionService, RegionScoped, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Functions.class.getName());
    private final ToolProcess.Running tools = new ToolProcess.Running();
    private final RegionService regions;
    private final EventBus events;
    private final Path settingsFile;
    private final Consumer<String> sandboxStatus;
    private final FunctionRepository repository;
    private final Runtimes runtimes;
    private final AtomicReference<FunctionSettings> settings = new AtomicReference<>();
    private final AtomicReference<Sandbox> sandbox = new AtomicReference<>();
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();
    private final Concurrency concurrency;
    private final Invocations invocations;
    private final Layers layers;
    /** The most a function's code and layers may unzip to together (Lambda's 250 MB; smaller in tests). */
    private volatile long maxUnzippedBytes = ZipPackages.MAX_UNZIPPED_BYTES;
    /** Hear each alias deleted, under the repository's lock, once it is gone (the URL of an alias goes with it). */
    private final List<java.util.function.BiConsumer<FunctionConfiguration, String>> aliasDeleted =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param home          the engine's data folder ({@code runtime/} and {@code config/functions.json} live there)
     * @param sandboxStatus hears the sandbox in words whenever it is (re)detected, for the status bar
     */
    public Functions(RegionService regions, EventBus events, Path home, Consumer<String> sandboxStatus) {
        this.regions = regions;
        this.events = events;
        this.settingsFile = home.resolve("config").resolve("functions.json");
        this.sandboxStatus = sandboxStatus;
        this.runtimes = new Runtimes(home.resolve("runtime"));
        this.repository = new FunctionRepository(regions, events, runtimes::migrated);
        this.layers = new Layers(regions);
        this.settings.set(DocumentStore.read(settingsFile, FunctionSettings.class).orElse(FunctionSettings.defaults()));
        this.concurrency = new Concurrency(() -> settings.get().regionConcurrency());
        detectSandbox();
        this.invocations = new Invocations(repository, runtimes, concurrency, events, settings::get, sandbox::get,
                this::isCurrent, home.resolve("run").resolve("function-code"));
    }

    private void detectSandbox() {
        Sandbox detected = Sandbox.detect(java.util.Optional.ofNullable(settings.get().sandboxMode()));
        Sandbox old = sandbox.getAndSet(detected);
        if (old != null) {
            invocations.retireSandbox(old);
        }
        sandboxStatus.accept(detected.describe());
    }

    private boolean isCurrent(WarmPool.Key key) {
        Long revision = revisions.get(key.functionId());
        return revision != null && (!key.version().equals(FunctionConfiguration.LATEST) || revision == key.revision());
    }

    private FunctionConfiguration get0(String region, String name) {
        FunctionConfiguration function = repository.get(region, name);
        revisions.putIfAbsent(function.id(), function.revision());
        return function;
    }

    FunctionRepository repository() {
        return repository;
    }

    /** Calls {@code listener} with each alias deleted, under the repository's lock, once the alias is gone. */
    void onAliasDeleted(java.util.function.BiConsumer<FunctionConfiguration, String> listener) {
        aliasDeleted.add(listener);
    }

    /** Lambda's layers of every region, which functions of this service use. */
    public LayerService layers() {
        return layers;
    }

    /** Lowers the limit of a function's code and layers unzipped together (for tests of the refusal). */
    void limitUnzippedBytes(long bytes) {
        maxUnzippedBytes = bytes;
    }

    /**
     * Refuses a function whose code and layers unzip to more than the limit together, with Lambda's message.
     */
    void checkUnzippedSize(long codeSize, List<FunctionLayer> functionLayers) {
        long total = codeSize + functionLayers.stream().mapToLong(FunctionLayer::unzippedSize).sum();
        if (total > maxUnzippedBytes) {
            throw FunctionRules.invalid("Function code combined with layers exceeds the maximum allowed size of "
                    + maxUnzippedBytes + " bytes. The actual size is " + total + " bytes.");
        }
    }

    /**
     * Makes the merged folder of {@code functionLayers} for {@code function} unless it is there already (see
     * {@link FunctionRepository#optDir}), from the function's own copy of each layer ({@code layers/<name>-<N>/}, hard
     * links made when the layer was first added): a layer version deleted since still merges in another order. Called
     * under the repository's lock.
     */
    private void mergeLayers(FunctionConfiguration function, List<FunctionLayer> functionLayers) {
        Path opt = repository.optDir(function, functionLayers);
        if (opt == null || Files.isDirectory(opt)) {
            return;
        }
        List<Path> contents = new ArrayList<>();
        try {
            for (FunctionLayer layer : functionLayers) {
                Path copy = repository.layerCopy(function, layer.arn());
                if (!Files.isDirectory(copy)) {
                    Path content = layers.contentDir(function.region(), layer.arn()).orElseThrow(() ->
                            FunctionRules.invalid("Layer version " + layer.arn() + " does not exist."));
                    PrivateFiles.createDirectories(copy.getParent());
                    Layers.merge(List.of(content), copy);
                }
                contents.add(copy);
            }
            PrivateFiles.createDirectories(opt.getParent());
        } catch (IOException e) {
            throw CodeFolder.storage(opt, e);
        }
        Layers.merge(contents, opt);
    }

    /**
     * Removes the merged layer folders that neither $LATEST nor a version uses any more, when none of the function's
     * invocations runs (a running one may have one at /opt). Called under the repository's lock.
     */
    private void pruneLayers(FunctionConfiguration function) {
        if (concurrency.running(function.region(), function.id()) > 0) {
            return;
        }
        java.util.Set<Path> used = new java.util.HashSet<>();
        List<List<FunctionLayer>> lists = new ArrayList<>();
        lists.add(function.layers());
        repository.versions(function).forEach(v -> lists.add(v.layers()));
        for (List<FunctionLayer> list : lists) {
            used.add(repository.optDir(function, list));
            list.forEach(layer -> used.add(repository.layerCopy(function, layer.arn())));
        }
        try {
            for (String folder : List.of("opt", "layers")) {
                Path dir = repository.folder(function).resolve(folder);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
                    for (Path entry : entries.toList()) {
                        if (!used.contains(entry)) {
                            CodeFolder.deleteTree(entry);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove unused layers of " + function.name() + ": " + e);
        }
    }

    /** The package managers Deploy's installs run, stopped when this closes. */
    ToolProcess.Running tools() {
        return tools;
    }

    EventBus events() {
        return events;
    }

    /** Runtimes started ahead and waiting for a function (for tests). */
    Prestarted prestarted() {
        return invocations.prestarted();
    }

    /** Every execution environment alive now (for tests that check what is left behind). */
    java.util.Set<dev.nube.engine.functions.sandbox.ExecutionEnvironment> liveEnvironments() {
        return invocations.live();
    }

    /** Event invocations accepted and not finished, retries included (for tests that wait for the last try). */
    int queuedEvents() {
        return invocations.queuedEvents();
    }

    /** The cold start slots of the invocations (for tests that count starts under way and waiting). */
    ColdStartSlots coldStarts() {
        return invocations.coldStarts();
    }

    /** Replaces the generator that routes invocations by alias weights (for tests: a seeded one). */
    void routeWith(java.util.random.RandomGenerator random) {
        invocations.routeWith(random);
    }

    /** Invocations of a function running now. */
    int running(String region, String name) {
        return concurrency.running(region, get0(region, name).id());
    }

    /** The runtimes' catalogue, for the code's build on Deploy. */
    Runtimes runtimeCatalog() {
        return runtimes;
    }

    @Override
    public List<RuntimeInfo> runtimes() {
        return runtimes.available();
    }

    @Override
    public List<Blueprint> blueprints(String runtime) {
        return runtimes.blueprints(runtime);
    }

    @Override
    public SandboxMode sandboxMode() {
        return sandbox.get().mode();
    }

    @Override
    public boolean capsCpu() {
        return sandbox.get().capsCpu();
    }

    @Override
    public String sandboxDescription() {
        return sandbox.get().describe();
    }

    @Override
    public String sandboxProblem() {
        return sandbox.get().problem();
    }

    @Override
    public FunctionConfiguration create(String region, CreateFunctionRequest request) {
        checkCreate(request);
        Map<String, byte[]> blueprint = runtimes.blueprint(request.runtime(), request.blueprint());
        return create0(region, request, function -> {
            Path code = repository.codeDir(function);
            try {
                PrivateFiles.createDirectories(code);
            } catch (IOException e) {
                throw CodeFolder.storage(code, e);
            }
            blueprint.forEach((file, content) -> CodeFolder.writeNew(code, file, content));
        });
    }

    @Override
    public FunctionConfiguration create(String region, CreateFunctionRequest request, Path zip) {
        checkCreate(request);
        if (!Files.isRegularFile(zip)) {
            throw FunctionRules.invalid("There is no file " + zip + ".");
        }
        // Unzipped beside the functions' folders first (a name no listing reads as a function), so a refused
        // package and a slow unzip happen before anything is created and outside the repository's lock.
        Path staging = repository.stagingDir(region);
        ZipPackages.unzip(zip, staging); // refused: staging is gone, nothing was created
        try {
            return create0(region, request, function -> {
                Path code = repository.codeDir(function);
                try {
                    Files.move(staging, code);
                } catch (IOException e) {
                    throw CodeFolder.storage(code, e);
                }
                repository.keepPackage(function, zip); // what GetFunction hands back is what was uploaded
            });
        } finally {
            CodeFolder.deleteTree(staging); // still there when the name was taken or the move failed
        }
    }

    private void checkCreate(CreateFunctionRequest request) {
        FunctionRules.checkName(request.name());
        RuntimeInfo runtime = runtimes.get(request.runtime());
        FunctionRules.checkHandler(request.handler() == null ? runtime.defaultHandler() : request.handler());
        FunctionRules.checkMemory(request.memoryMb());
        FunctionRules.checkTimeout(request.timeoutSeconds());
        FunctionRules.checkEnvironment(request.environment());
        FunctionRules.checkDescription(request.description());
    }

    /** Makes the function whose code folder {@code writeCode} fills (the folder does not exist yet). */
    private FunctionConfiguration create0(String region, CreateFunctionRequest request,
            java.util.function.Consumer<FunctionConfiguration> writeCode) {
        RuntimeInfo runtime = runtimes.get(request.runtime());
        String handler = request.handler() == null ? runtime.defaultHandler() : request.handler();
        List<FunctionLayer> functionLayers = layers.resolve(region, request.layers(), List.of());
        FunctionConfiguration function;
        synchronized (repository) {
            if (repository.find(region, request.name()).isPresent()) {
                throw new EngineException("ResourceConflictException", "Function already exist: " + request.name());
            }
            String id = Ids.newId(ResourceKind.FUNCTION);
            if (request.reservedConcurrency() != null) {
                concurrency.reserve(region, id, request.reservedConcurrency());
            }
            Instant now = Instant.now();
            function = new FunctionConfiguration(id, request.name(), region, runtimes.accepted(request.runtime()),
                    handler, request.memoryMb(), request.timeoutSeconds(), request.environment(),
                    request.reservedConcurrency(), request.description(), now, now, 1, 0, 0, request.role(),
                    functionLayers);
            Path code = repository.codeDir(function);
            try {
                PrivateFiles.createDirectories(code.getParent());
                writeCode.accept(function);
                checkUnzippedSize(CodeFolder.size(code), functionLayers);
                mergeLayers(function, functionLayers);
            } catch (RuntimeException | IOException e) {
                concurrency.forget(region, id);
                CodeFolder.deleteTree(code.getParent());
                throw e instanceof IOException io ? CodeFolder.storage(code, io) : (RuntimeException) e;
            }
            function = function.withCode(CodeFolder.size(code));
            repository.save(function); // the document last: a crash before it leaves no half-made function listed
            revisions.put(id, function.revision());
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.CREATED));
        return function;
    }

    @Override
    public Listing<FunctionSummary> list(String region) {
        Listing<FunctionConfiguration> listing = repository.list(region);
        List<FunctionSummary> summaries = new ArrayList<>();
        for (FunctionConfiguration function : listing.items()) {
            summaries.add(summaryOf(function));
        }
        summaries.sort(java.util.Comparator.comparing(s -> s.configuration().name()));
        return new Listing<>(summaries, listing.problems());
    }

    @Override
    public Optional<FunctionSummary> summary(String region, String functionId) {
        return repository.findById(region, functionId).map(this::summaryOf);
    }

    private FunctionSummary summaryOf(FunctionConfiguration function) {
        long[] day = repository.metrics(function).last24Hours();
        return new FunctionSummary(function, day[0], day[1]);
    }

    @Override
    public FunctionConfiguration get(String region, String name) {
        return get0(region, name);
    }

    @Override
    public FunctionConfiguration updateConfiguration(String region, String name, ConfigurationChange change) {
        FunctionConfiguration updated;
        synchronized (repository) {
            FunctionConfiguration function = get0(region, name);
            String runtime = change.runtime() == null ? function.runtime() : runtimes.accepted(change.runtime());
            String handler = change.handler() == null ? function.handler() : change.handler();
            int memory = change.memoryMb() == null ? function.memoryMb() : change.memoryMb();
            int timeout = change.timeoutSeconds() == null ? function.timeoutSeconds() : change.timeoutSeconds();
            Map<String, String> environment = change.environment() == null ? function.environment()
                    : change.environment();
            String description = change.description() == null ? function.description() : change.description();
            FunctionRules.checkHandler(handler);
            FunctionRules.checkMemory(memory);
            FunctionRules.checkTimeout(timeout);
            FunctionRules.checkEnvironment(environment);
            FunctionRules.checkDescription(description);
            String role = change.role() == null ? function.role() : change.role();
            List<FunctionLayer> functionLayers = change.layers() == null ? function.layers()
                    : layers.resolve(region, change.layers(), function.layers());
            checkUnzippedSize(function.codeSize(), functionLayers);
            mergeLayers(function, functionLayers);
            updated = function.changed(runtime, handler, memory, timeout, environment, description, role,
                    functionLayers);
            repository.save(updated);
            revisions.put(updated.id(), updated.revision());
        }
        invocations.retire(updated, FunctionConfiguration.LATEST);
        synchronized (repository) {
            // After the retirement (the environments of the old layers are gone), from the function as it is now:
            // another change may have come between the two locks, with layers of its own.
            FunctionConfiguration current = repository.find(updated.region(), updated.name()).orElse(null);
            if (current != null && current.id().equals(updated.id())) {
                pruneLayers(current);
            }
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, updated.id(), Change.UPDATED));
        return updated;
    }

    /**
     * Records that $LATEST's code changed: its size and a new revision, in the document. Called under the
     * repository's lock, by the code service after a change and by {@link #settleCode} after a change completed
     * late; then {@link #announceCodeChange} is called outside the lock.
     */
    FunctionConfiguration recordCodeChange(FunctionConfiguration function) {
        synchronized (repository) {
            FunctionConfiguration updated = repository.get(function.region(), function.name()).withCode(
                    CodeFolder.size(repository.codeDir(function)));
            repository.save(updated);
            revisions.put(updated.id(), updated.revision());
            return updated;
        }
    }

    /** Retires the environments of the code before {@code updated} and tells the listeners. */
    void announceCodeChange(FunctionConfiguration updated) {
        invocations.retire(updated, FunctionConfiguration.LATEST);
        events.publish(new ResourceChanged(updated.region(), ResourceKind.FUNCTION, updated.id(), Change.UPDATED));
    }

    /**
     * Completes a change of $LATEST's code that a stopped engine or a failed write left committed, or drops one
     * that was not ({@link CodeJournal#recover}). Returns the function with its new revision when the code changed,
     * else null. Called under the repository's lock, when a region opens and before each change of the code.
     */
    FunctionConfiguration settleCode(FunctionConfiguration function) {
        synchronized (repository) {
            CodeJournal journal = repository.journal(function);
            if (!journal.recover()) {
                return null;
            }
            if (journal.isImport()) {
                journal.stagedPackage().ifPresent(zip -> repository.adoptPackage(function, zip));
            } else {
                repository.dropPackage(function); // one made from the code while the change was half done
            }
            FunctionConfiguration updated = recordCodeChange(function);
            journal.finish();
            return updated;
        }
    }

    @Override
    public FunctionConfiguration putReservedConcurrency(String region, String name, Integer reservedConcurrency) {
        FunctionConfiguration updated;
        synchronized (repository) {
            FunctionConfiguration function = get0(region, name);
            concurrency.reserve(region, function.id(), reservedConcurrency);
            updated = function.withReservedConcurrency(reservedConcurrency);
            repository.save(updated);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, updated.id(), Change.UPDATED));
        return updated;
    }

    @Override
    public void delete(String region, String name) {
        FunctionConfiguration function;
        synchronized (repository) {
            function = get0(region, name);
            int running = concurrency.running(region, function.id());
            if (running > 0) {
                throw new EngineException("ResourceConflictException", "The function " + name + " has " + running
                        + " invocation" + (running == 1 ? "" : "s") + " running. Delete it when "
                        + (running == 1 ? "it finishes" : "they finish") + ".");
            }
            revisions.remove(function.id());
            invocations.retire(function, null);
            concurrency.forget(region, function.id());
            repository.remove(function);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.DELETED));
    }

    @Override
    public FunctionVersion publishVersion(String region, String name, String description) {
        FunctionVersion version;
        FunctionConfiguration function;
        FunctionConfiguration settled;
        synchronized (repository) {
            function = get0(region, name);
            settled = settleCode(function); // a change left half done is completed first: never published so
            if (settled != null) {
                function = settled;
            }
            String number = Integer.toString(function.lastVersion() + 1);
            Path dir = repository.versionDir(function, number);
            CodeFolder.deleteTree(dir); // a publish that crashed half-way left no version.json: start again
            CodeFolder.copyTree(repository.codeDir(function), dir.resolve("code"));
            CodePackage code = repository.copyLatestPackage(function, dir.resolve("code.zip")); // $LATEST's digest
            version = new FunctionVersion(number, description, Instant.now(), code.sha256(), code.size(),
                    function.runtime(), function.handler(), function.memoryMb(), function.timeoutSeconds(),
                    function.environment(), function.role(), function.layers());
            DocumentStore.write(dir.resolve("version.json"), version);
            repository.save(function.withLastVersion(function.lastVersion() + 1));
        }
        if (settled != null) {
            invocations.retire(settled, FunctionConfiguration.LATEST);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.UPDATED));
        return version;
    }

    @Override
    public List<FunctionVersion> versions(String region, String name) {
        return repository.versions(get0(region, name));
    }

    @Override
    public void deleteVersion(String region, String name, String version) {
        FunctionConfiguration function;
        synchronized (repository) {
            function = get0(region, name);
            if (FunctionConfiguration.LATEST.equals(version)) {
                throw FunctionRules.invalid("$LATEST version cannot be deleted without deleting the function.");
            }
            repository.version(function, version); // refuses what is not a published version
            List<String> pointing = repository.aliases(function).stream().filter(a -> a.routesTo(version))
                    .map(FunctionAlias::name).toList();
            if (!pointing.isEmpty()) {
                throw new EngineException("ResourceConflictException", "Unable to delete version because the"
                        + " following aliases reference it: " + pointing + ". Point them at another version first.");
            }
            int running = concurrency.running(region, function.id());
            if (running > 0) {
                throw new EngineException("ResourceConflictException", "The function " + name + " has " + running
                        + " invocation" + (running == 1 ? "" : "s") + " running. Delete version " + version
                        + " when " + (running == 1 ? "it finishes" : "they finish") + ".");
            }
            invocations.retire(function, version);
            repository.removeVersion(function, version);
            pruneLayers(function);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.UPDATED));
    }

    @Override
    public FunctionAlias createAlias(String region, String name, String alias, String version, String description,
            Map<String, Double> weights) {
        AliasRules.checkName(alias);
        AliasRules.checkVersion(version);
        AliasRules.checkRouting(version, weights);
        FunctionRules.checkDescription(description);
        FunctionAlias created;
        FunctionConfiguration function;
        synchronized (repository) {
            function = get0(region, name);
            List<FunctionAlias> aliases = new ArrayList<>(repository.aliases(function));
            if (aliases.stream().anyMatch(a -> a.name().equals(alias))) {
                throw new EngineException("ResourceConflictException", "Alias already exists: " + function.arn(alias));
            }
            checkPublished(function, version, weights);
            created = new FunctionAlias(alias, version, description, weights, java.util.UUID.randomUUID().toString());
            aliases.add(created);
            repository.saveAliases(function, aliases);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.UPDATED));
        return created;
    }

    @Override
    public FunctionAlias updateAlias(String region, String name, String alias, String version, String description,
            Map<String, Double> weights, String revisionId) {
        FunctionAlias updated;
        FunctionConfiguration function;
        synchronized (repository) {
            function = get0(region, name);
            FunctionAlias old = alias0(function, alias);
            if (revisionId != null && !revisionId.equals(old.revisionId())) {
                throw new EngineException("PreconditionFailedException", "The Revision Id provided does not match"
                        + " the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision"
                        + " Id");
            }
            String newVersion = version == null ? old.functionVersion() : version;
            Map<String, Double> newWeights = weights == null ? old.additionalVersionWeights() : weights;
            String newDescription = description == null ? old.description() : description;
            AliasRules.checkVersion(newVersion);
            AliasRules.checkRouting(newVersion, newWeights);
            FunctionRules.checkDescription(newDescription);
            checkPublished(function, newVersion, newWeights);
            updated = new FunctionAlias(alias, newVersion, newDescription, newWeights,
                    java.util.UUID.randomUUID().toString());
            List<FunctionAlias> aliases = new ArrayList<>(repository.aliases(function));
            aliases.replaceAll(a -> a.name().equals(alias) ? updated : a);
            repository.saveAliases(function, aliases);
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.UPDATED));
        return updated;
    }

    /**
     * Checks that the versions an alias would route to are published and, when it splits invocations, that both run
     * with the same execution role (as Lambda requires; a version published before versions kept their role counts
     * as having the function's).
     */
    private void checkPublished(FunctionConfiguration function, String version, Map<String, Double> weights) {
        Map<String, FunctionVersion> published = new java.util.HashMap<>();
        repository.versions(function).forEach(v -> published.put(v.version(), v));
        AliasRules.checkPublished(function, published.keySet(), version);
        if (weights == null || weights.isEmpty()) {
            return;
        }
        AliasRules.checkPublished(function, published.keySet(), weights.keySet().toArray(String[]::new));
        String role = roleOf(function, published.get(version));
        for (String other : weights.keySet()) {
            String otherRole = roleOf(function, published.get(other));
            if (!java.util.Objects.equals(role, otherRole)) {
                throw FunctionRules.invalid("Versions " + version + " and " + other + " run with different execution"
                        + " roles (" + role + " and " + otherRole + "): an alias splits invocations only between"
                        + " versions with the same role.");
            }
        }
    }

    private static String roleOf(FunctionConfiguration function, FunctionVersion version) {
        return version.role() != null ? version.role() : function.role();
    }

    private FunctionAlias alias0(FunctionConfiguration function, String alias) {
        return repository.aliases(function).stream().filter(a -> a.name().equals(alias)).findFirst()
                .orElseThrow(() -> new EngineException("ResourceNotFoundException", "Alias not found: "
                        + function.arn(alias)));
    }

    @Override
    public FunctionAlias alias(String region, String name, String alias) {
        return alias0(get0(region, name), alias);
    }

    @Override
    public List<FunctionAlias> aliases(String region, String name) {
        return repository.aliases(get0(region, name));
    }

    @Override
    public void deleteAlias(String region, String name, String alias) {
        FunctionConfiguration function;
        synchronized (repository) {
            function = get0(region, name);
            alias0(function, alias);
            List<FunctionAlias> aliases = new ArrayList<>(repository.aliases(function));
            aliases.removeIf(a -> a.name().equals(alias));
            repository.saveAliases(function, aliases);
            for (java.util.function.BiConsumer<FunctionConfiguration, String> listener : aliasDeleted) {
                listener.accept(function, alias);
            }
        }
        events.publish(new ResourceChanged(region, ResourceKind.FUNCTION, function.id(), Change.UPDATED));
    }

    @Override
    public InvocationResult invoke(String region, String name, InvokeRequest request) {
        return invocations.invoke(get0(region, name), request);
    }

    @Override
    public List<TestEvent> testEvents(String region, String name) {
        return repository.testEvents(get0(region, name));
    }

    @Override
    public TestEvent saveTestEvent(String region, String name, TestEvent event) {
        FunctionRules.checkTestEventName(event.name());
        try {
            Json.mapper().readTree(event.json());
        } catch (IOException e) {
            throw FunctionRules.invalid("The test event is not valid JSON: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        synchronized (repository) {
            FunctionConfiguration function = get0(region, name);
            List<TestEvent> saved = new ArrayList<>(repository.testEvents(function));
            saved.removeIf(e -> e.name().equals(event.name()));
            saved.add(event);
            saved.sort(java.util.Comparator.comparing(TestEvent::name));
            repository.saveTestEvents(function, saved);
        }
        return event;
    }

    @Override
    public void deleteTestEvent(String region, String name, String eventName) {
        synchronized (repository) {
            FunctionConfiguration function = get0(region, name);
            List<TestEvent> saved = new ArrayList<>(repository.testEvents(function));
            if (!saved.removeIf(e -> e.name().equals(eventName))) {
                throw new EngineException("ResourceNotFoundException", "There is no test event '" + eventName + "'.");
            }
            repository.saveTestEvents(function, saved);
        }
    }

    @Override
    public FunctionSettings settings() {
        return settings.get();
    }

    @Override
    public void updateSettings(FunctionSettings value) {
        FunctionSettings old = settings.getAndSet(value);
        DocumentStore.write(settingsFile, value);
        // after the new value is in place: the starts it wakes read the limit then
        invocations.settingsChanged(!old.cpuFromMemory().equals(value.cpuFromMemory()));
        if (!java.util.Objects.equals(old.sandboxMode(), value.sandboxMode())) {
            detectSandbox();
        }
    }

    /**
     * Completes or drops the code changes a stopped engine left, then loads what invocations need of the region's
     * functions: reserved concurrency and revisions.
     */
    @Override
    public void regionOpened(Region region) {
        repository.removeLeftStaging(region.name());
        layers.removeLeftStaging(region.name());
        for (FunctionConfiguration stored : repository.list(region.name()).items()) {
            Dependencies.removeLeftWork(repository.folder(stored)); // installs a stopped engine left running
            CodeBuilds.removeLeftWork(repository.folder(stored)); // and builds
            FunctionConfiguration settled = null;
            try {
                settled = settleCode(stored);
            } catch (RuntimeException e) {
                // the change stays staged; the function's next change of code tries again and says why it cannot
                LOG.log(System.Logger.Level.WARNING, "The code of function " + stored.name() + " in " + region.name()
                        + " was left half changed and could not be completed: " + e.getMessage(), e);
            }
            FunctionConfiguration function = settled == null ? stored : settled;
            revisions.put(function.id(), function.revision());
            restoreLayers(function);
            if (function.reservedConcurrency() != null) {
                concurrency.restore(region.name(), function.id(), function.reservedConcurrency());
            }
        }
    }

    /**
     * Makes again the merged layer folders a stopped engine left half made or missing (while the layer versions are
     * there), and removes those no longer used.
     */
    private void restoreLayers(FunctionConfiguration function) {
        synchronized (repository) {
            try {
                for (String folder : List.of("opt", "layers")) {
                    Path dir = repository.folder(function).resolve(folder);
                    if (Files.isDirectory(dir)) {
                        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                            left.filter(p -> p.getFileName().toString().startsWith(".building-"))
                                    .forEach(CodeFolder::deleteTree);
                        }
                    }
                }
                mergeLayers(function, function.layers());
                for (FunctionVersion version : repository.versions(function)) {
                    mergeLayers(function, version.layers());
                }
                pruneLayers(function);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "The layers of function " + function.name() + " could not be"
                        + " merged again: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public List<String> contentsOf(Region region) {
        List<String> contents = new ArrayList<>(Regions.describe(repository.collection(region.name()).list(), 0,
                "function", "functions"));
        long layerVersions = layers.layers(region.name()).stream().mapToLong(l -> layers.versions(region.name(),
                l.name()).size()).sum();
        if (layerVersions > 0) { // layers block removing the region as functions do: removing it would lose them
            contents.add(layerVersions + " layer version" + (layerVersions == 1 ? "" : "s"));
        }
        return contents;
    }

    /** Stops every execution environment and saves the metrics. */
    @Override
    public void close() {
        tools.stopAll(Duration.ofSeconds(10)); // installs of dependencies fail, the code unchanged
        invocations.close();
        repository.saveMetrics();
        sandbox.get().close();
        Sandbox.releaseCgroups(); // sandboxes replaced in the settings too
    }
}
