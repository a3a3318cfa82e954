package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import dev.nube.engine.functions.urls.FunctionUrlServer;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EngineEvent;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.SettingsFile;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine's {@link FunctionUrlService}: each URL stored as {@code url.json} ($LATEST's) or {@code url-<alias>.json}
 * in its function's folder (so deleting the function deletes it; deleting an alias deletes its URL), the URLs of every
 * open region indexed in memory by their id, and one {@link FunctionUrlServer} serving them. The endpoint starts with
 * the engine when a function has a URL, else with the first URL made, and stops when this closes. Its port is kept in
 * {@code config/function-urls.json} so URLs stay the same across restarts: {@link #DEFAULT_PORT} the first time; a free
 * port chosen (and kept) when the one kept is taken by another program. Thread-safe: changes of a URL hold the
 * functions' repository lock, as deleting a function does, so a URL is never written into a function being deleted.
 */
public final class FunctionUrls implements FunctionUrlService, RegionScoped, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FunctionUrls.class.getName());
    static final String FILE = "url.json";
    /** The endpoint's port when nothing is kept yet (next to the AWS API's 4590). */
    public static final int DEFAULT_PORT = 4591;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** The endpoint's settings as kept. */
    record Settings(int port) {
    }

    /**
     * A URL in the index: its function (the id guards against a function of the same name made later) and the alias
     * it invokes through (null for $LATEST).
     */
    private record Entry(String functionId, String functionName, String qualifier, FunctionUrlConfig config) {
    }

    private final Functions functions;
    private final FunctionRepository repository;
    private final SettingsFile settings;
    private final Function<String, Optional<String>> secrets;
    private final Consumer<String> keyUsed;
    /** region, then URL id. */
    private final Map<String, Map<String, Entry>> index = new ConcurrentHashMap<>();
    private FunctionUrlServer server; // guarded by this
    private String problem; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param settings where the endpoint's port is kept
     * @param secrets  the secret of an active access key by its id (AWS_IAM URLs check signatures with it)
     * @param keyUsed  hears the id of each key that signed an accepted request
     */
    public FunctionUrls(Functions functions, SettingsFile settings, Function<String, Optional<String>> secrets,
            Consumer<String> keyUsed) {
        this.functions = functions;
        this.repository = functions.repository();
        this.settings = settings;
        this.secrets = secrets;
        this.keyUsed = keyUsed;
        functions.onAliasDeleted(this::aliasDeleted);
    }

    /**
     * The alias a URL is for: null for $LATEST (none given, or "$LATEST"), else an alias of the function, which must
     * exist. A version number is refused, as Lambda refuses it.
     */
    private String alias(FunctionConfiguration function, String qualifier) {
        if (qualifier == null || qualifier.equals(FunctionConfiguration.LATEST)) {
            return null;
        }
        if (qualifier.chars().allMatch(Character::isDigit)) {
            throw FunctionRules.invalid("A function URL is for $LATEST or an alias; " + qualifier + " is a version"
                    + " number. Make an alias that points to it and give the alias a URL.");
        }
        functions.alias(function.region(), function.name(), qualifier); // ResourceNotFoundException when absent
        return qualifier;
    }

    /** Deletes the URL of an alias being deleted (called under the repository's lock, after the alias is gone). */
    private void aliasDeleted(FunctionConfiguration function, String alias) {
        Optional<FunctionUrlConfig> stored;
        try {
            stored = read(function, alias);
        } catch (RuntimeException e) {
            stored = Optional.empty();
        }
        stored.ifPresent(config -> regionIndex(function.region()).remove(config.urlId()));
        try {
            Files.deleteIfExists(file(function, alias));
        } catch (IOException e) {
            // the alias is gone: its URL is not served, and the file is dropped when the region next opens
            LOG.log(System.Logger.Level.WARNING, "could not delete " + file(function, alias) + ": " + e);
        }
    }

    @Override
    public FunctionUrl create(String region, String functionName, String qualifier, AuthType authType,
            FunctionUrlCors cors, String invokeMode) {
        check(authType, cors, invokeMode);
        if (authType == null) {
            throw FunctionRules.invalid("AuthType is required: NONE or AWS_IAM.");
        }
        FunctionConfiguration function;
        FunctionUrlConfig config;
        String alias;
        synchronized (repository) {
            function = functions.get(region, functionName);
            alias = alias(function, qualifier);
            if (read(function, alias).isPresent()) {
                throw new EngineException("ResourceConflictException", "Failed to create function url config for"
                        + " [functionArn = " + function.arn(alias) + "]. Error message:  FunctionUrlConfig exists for"
                        + " this Lambda function");
            }
            Instant now = Instant.now();
            config = new FunctionUrlConfig(newUrlId(), authType, cors, FunctionUrlConfig.BUFFERED, now, now);
            DocumentStore.write(file(function, alias), config);
            regionIndex(region).put(config.urlId(), new Entry(function.id(), function.name(), alias, config));
        }
        return view(function, alias, config, endpoint());
    }

    @Override
    public FunctionUrl get(String region, String functionName, String qualifier) {
        return find(region, functionName, qualifier).orElseThrow(() -> new EngineException("ResourceNotFoundException",
                "The resource you requested does not exist."));
    }

    @Override
    public Optional<FunctionUrl> find(String region, String functionName, String qualifier) {
        FunctionConfiguration function = functions.get(region, functionName);
        String alias = alias(function, qualifier);
        return read(function, alias).map(config -> view(function, alias, config, endpoint()));
    }

    @Override
    public List<FunctionUrl> list(String region, String functionName) {
        FunctionConfiguration function = functions.get(region, functionName);
        List<FunctionUrl> urls = new java.util.ArrayList<>();
        read(function, null).ifPresent(config -> urls.add(view(function, null, config, endpoint())));
        for (FunctionAlias alias : functions.aliases(region, functionName)) {
            read(function, alias.name()).ifPresent(config -> urls.add(view(function, alias.name(), config,
                    endpoint())));
        }
        return urls;
    }

    @Override
    public FunctionUrl update(String region, String functionName, String qualifier, AuthType authType,
            FunctionUrlCors cors, String invokeMode) {
        check(authType, cors, invokeMode);
        FunctionConfiguration function;
        FunctionUrlConfig config;
        String alias;
        synchronized (repository) {
            function = functions.get(region, functionName);
            alias = alias(function, qualifier);
            FunctionUrlConfig stored = read(function, alias).orElseThrow(() -> new EngineException(
                    "ResourceNotFoundException", "The resource you requested does not exist."));
            config = stored.changed(authType == null ? stored.authType() : authType, cors == null ? stored.cors()
                    : cors, Instant.now());
            DocumentStore.write(file(function, alias), config);
            regionIndex(region).put(config.urlId(), new Entry(function.id(), function.name(), alias, config));
        }
        return view(function, alias, config, endpoint());
    }

    @Override
    public void delete(String region, String functionName, String qualifier) {
        synchronized (repository) {
            FunctionConfiguration function = functions.get(region, functionName);
            String alias = alias(function, qualifier);
            FunctionUrlConfig stored = read(function, alias).orElseThrow(() -> new EngineException(
                    "ResourceNotFoundException", "The resource you requested does not exist."));
            regionIndex(region).remove(stored.urlId());
            try {
                Files.deleteIfExists(file(function, alias));
            } catch (IOException e) {
                throw new EngineException("StorageError", "Could not delete " + file(function, alias) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public synchronized String endpointProblem() {
        return problem;
    }

    /** The port the endpoint listens on, or -1 while it does not (for tests and the status line). */
    public synchronized int port() {
        return server == null ? -1 : server.port();
    }

    /** Indexes the region's URLs; the endpoint starts when there is one. Idempotent. */
    @Override
    public void regionOpened(Region region) {
        Map<String, Entry> found = new ConcurrentHashMap<>();
        for (FunctionConfiguration function : repository.list(region.name()).items()) {
            try {
                read(function, null).ifPresent(config -> found.put(config.urlId(), new Entry(function.id(),
                        function.name(), null, config)));
                Set<String> aliases = new java.util.HashSet<>();
                functions.aliases(region.name(), function.name()).forEach(a -> aliases.add(a.name()));
                try (DirectoryStream<Path> files = Files.newDirectoryStream(repository.folder(function),
                        "url-*.json")) {
                    for (Path file : files) {
                        String name = file.getFileName().toString();
                        String alias = name.substring("url-".length(), name.length() - ".json".length());
                        if (!aliases.contains(alias)) {
                            Files.deleteIfExists(file); // its alias was deleted by an engine stopped before this
                            continue;
                        }
                        read(function, alias).ifPresent(config -> found.put(config.urlId(), new Entry(function.id(),
                                function.name(), alias, config)));
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "The URL of function " + function.name() + " in "
                        + region.name() + " cannot be read and is not served: " + e.getMessage());
            }
        }
        index.put(region.name(), found);
        if (!found.isEmpty()) {
            endpoint();
        }
    }

    @Override
    public List<String> contentsOf(Region region) {
        return List.of(); // a URL goes with its function, which the functions service counts
    }

    /** Forgets the URL of a deleted function (its file went with the function's folder). */
    public void onEvent(EngineEvent event) {
        if (event instanceof ResourceChanged changed && changed.kind() == ResourceKind.FUNCTION
                && changed.change() == ResourceChanged.Change.DELETED) {
            Map<String, Entry> urls = index.get(changed.region());
            if (urls != null) {
                urls.values().removeIf(entry -> entry.functionId().equals(changed.id()));
            }
        }
    }

    /** The route of a URL id, while its function is the one the URL was made for. */
    private Optional<FunctionUrlServer.Route> route(String region, String urlId) {
        Map<String, Entry> urls = index.get(region);
        Entry entry = urls == null ? null : urls.get(urlId);
        if (entry == null) {
            return Optional.empty();
        }
        try {
            if (!functions.get(region, entry.functionName()).id().equals(entry.functionId())) {
                return Optional.empty();
            }
        } catch (EngineException e) {
            return Optional.empty(); // deleted, the event not heard yet
        }
        return Optional.of(new FunctionUrlServer.Route(region, entry.functionName(), entry.qualifier(),
                entry.config()));
    }

    /** The running endpoint, started now if it was not; null when it cannot listen (see {@link #problem}). */
    private synchronized FunctionUrlServer endpoint() {
        if (server != null || closed) {
            return server;
        }
        int kept = settings.read(Settings.class).map(Settings::port).orElse(0);
        int wanted = kept == 0 ? DEFAULT_PORT : kept;
        try {
            try {
                server = new FunctionUrlServer(wanted, this::route, functions, secrets, keyUsed, Clock.systemUTC());
            } catch (BindException e) {
                server = new FunctionUrlServer(0, this::route, functions, secrets, keyUsed, Clock.systemUTC());
                LOG.log(System.Logger.Level.WARNING, "Port " + wanted + " of function URLs is taken by another"
                        + " program: function URLs are served on port " + server.port() + " from now on.");
            }
            problem = null;
            if (server.port() != kept) {
                settings.write(new Settings(server.port()));
            }
        } catch (IOException e) {
            problem = "Function URLs cannot be served: no port on 127.0.0.1 could be opened (" + e.getMessage() + ").";
            LOG.log(System.Logger.Level.WARNING, problem);
        }
        return server;
    }

    private Map<String, Entry> regionIndex(String region) {
        return index.computeIfAbsent(region, r -> new ConcurrentHashMap<>());
    }

    /** {@code url.json} for $LATEST, {@code url-<alias>.json} for an alias (alias names are safe file names). */
    private Path file(FunctionConfiguration function, String alias) {
        return repository.folder(function).resolve(alias == null ? FILE : "url-" + alias + ".json");
    }

    private Optional<FunctionUrlConfig> read(FunctionConfiguration function, String alias) {
        return DocumentStore.read(file(function, alias), FunctionUrlConfig.class);
    }

    private static FunctionUrl view(FunctionConfiguration function, String alias, FunctionUrlConfig config,
            FunctionUrlServer server) {
        return new FunctionUrl(function.region(), function.name(), function.arn(alias), server == null ? null
                : server.url(function.region(), config.urlId()), config);
    }

    private static void check(AuthType authType, FunctionUrlCors cors, String invokeMode) {
        if (invokeMode != null && invokeMode.equals(FunctionUrlConfig.RESPONSE_STREAM)) {
            throw FunctionRules.invalid("Nube serves function URLs in BUFFERED invoke mode only: the answer is sent"
                    + " when the function has returned. RESPONSE_STREAM is not served.");
        }
        if (invokeMode != null && !invokeMode.equals(FunctionUrlConfig.BUFFERED)) {
            throw FunctionRules.invalid("InvokeMode is BUFFERED or RESPONSE_STREAM; '" + invokeMode + "' is"
                    + " neither.");
        }
        if (cors != null) {
            cors.check();
        }
    }

    /** 32 lower-case letters and digits, as Lambda's url-id. */
    private static String newUrlId() {
        StringBuilder id = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    /** Stops the endpoint; a URL made afterwards is not served. */
    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
