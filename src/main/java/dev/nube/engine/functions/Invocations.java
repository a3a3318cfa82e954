package dev.nube.engine.functions;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import dev.nube.engine.EngineException;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Invoke in its three types. RequestResponse takes a concurrency slot (or is throttled at once) and runs on the
 * caller's thread; Event goes to a bounded queue worked by a small pool and is retried after each delay of the
 * settings (two retries, as AWS) when it fails or is throttled; DryRun only checks. Also owns the warm pool and
 * reaps idle environments. Thread-safe.
 */
final class Invocations implements AutoCloseable {
    private static final int EVENT_WORKERS = 16;

    private final FunctionRepository repository;
    private final Concurrency concurrency;
    private final EventBus events;
    private final Supplier<FunctionSettings> settings;
    private final Predicate<WarmPool.Key> current;
    private final WarmPool pool = new WarmPool();
    private final ColdStartSlots coldStarts;
    private final Prestarted prestarted;
    private final Invoker invoker;
    private final Path runDir;
    private final ExecutorService connections = Executors.newCachedThreadPool(daemon("runtime-api-connection"));
    private final ExecutorService eventWorkers = Executors.newFixedThreadPool(EVENT_WORKERS, daemon("function-event"));
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            daemon("functions-housekeeping"));
    private final AtomicInteger queuedEvents = new AtomicInteger();
    private final AliasRouting routing = new AliasRouting(new java.util.SplittableRandom());
    private volatile boolean closed;

    /** @param tasksDir where pre-started runtimes get their /var/task folders (see {@link Prestarted}) */
    Invocations(FunctionRepository repository, Runtimes runtimes, Concurrency concurrency, EventBus events,
            Supplier<FunctionSettings> settings, Supplier<Sandbox> sandbox, Predicate<WarmPool.Key> current,
            Path tasksDir) {
        this.repository = repository;
        this.concurrency = concurrency;
        this.events = events;
        this.settings = settings;
        this.current = current;
        try {
            this.runDir = Files.createTempDirectory("nube-functions-");
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot make a temporary folder: " + e.getMessage(), e);
        }
        this.coldStarts = new ColdStartSlots(() -> settings.get().coldStartLimit());
        this.prestarted = new Prestarted(runtimes, sandbox, () -> settings.get().prestarted(), runDir, tasksDir,
                connections);
        this.invoker = new Invoker(sandbox, runtimes, runDir, connections, pool, events, coldStarts, prestarted,
                memoryMb -> settings.get().cpusFor(memoryMb));
        scheduler.scheduleWithFixedDelay(this::stopExpired, 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(repository::saveMetrics, 30, 30, TimeUnit.SECONDS);
    }

    /** Daemon threads named {@code name-1}, {@code name-2}, ... */
    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private void stopExpired() {
        pool.expired(settings.get().idleKeepAlive()).forEach(warm -> warm.environment().stop());
    }

    InvocationResult invoke(FunctionConfiguration function, InvokeRequest request) {
        if (request.payload().length > InvokeRequest.MAX_PAYLOAD_BYTES) {
            throw new EngineException("RequestTooLargeException", "Request must be smaller than "
                    + InvokeRequest.MAX_PAYLOAD_BYTES + " bytes for the InvokeFunction operation (this one has "
                    + request.payload().length + ").");
        }
        if (request.payload().length > 0) {
            checkJson(request.payload());
        }
        String requestId = requestId();
        Invocation invocation = resolve(function, request, requestId);
        return switch (request.type()) {
            case DRY_RUN -> InvocationResult.accepted(requestId, 204);
            case EVENT -> enqueue(function, request, requestId);
            case REQUEST_RESPONSE -> runSync(invocation);
        };
    }

    /** Checks that {@code payload} is JSON by reading its tokens, without building a tree of it. */
    private static void checkJson(byte[] payload) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(payload)) {
            if (parser.nextToken() == null) {
                throw new java.io.EOFException("no content");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "more than one value: " + parser.currentToken());
            }
        } catch (IOException e) {
            throw new EngineException("InvalidRequestContentException", "Could not parse request body into json: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * A request id of AWS's form (a version 4 UUID). It names the invocation and carries no authority (a runtime's
     * connection is admitted by its process, not by knowing the id), so a fast random source does.
     */
    private static String requestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;
        long low = random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /**
     * What {@code request} runs: its qualifier names $LATEST (or none), a published version, or an alias, whose version
     * is chosen here (a fresh draw for each call when the alias has a weighted additional version).
     */
    private Invocation resolve(FunctionConfiguration function, InvokeRequest request, String requestId) {
        String qualifier = request.qualifier() == null ? FunctionConfiguration.LATEST : request.qualifier();
        String version = qualifier;
        if (!qualifier.equals(FunctionConfiguration.LATEST) && !qualifier.chars().allMatch(Character::isDigit)) {
            FunctionAlias alias = repository.aliases(function).stream().filter(a -> a.name().equals(qualifier))
                    .findFirst().orElseThrow(() -> new EngineException("ResourceNotFoundException",
                            "Function not found: " + function.arn(qualifier)));
            version = routing.versionFor(alias);
        }
        FunctionLog log = repository.log(function);
        FunctionMetrics metrics = repository.metrics(function);
        if (version.equals(FunctionConfiguration.LATEST)) {
            return new Invocation(requestId, function, version, qualifier, function.runtime(), function.handler(),
                    function.memoryMb(), function.timeoutSeconds(), function.environment(),
                    repository.codeDir(function), repository.optDir(function, function.layers()), log, metrics,
                    request.payload(), request.clientContext(), request.logTail());
        }
        FunctionVersion published = repository.version(function, version);
        return new Invocation(requestId, function, version, qualifier, published.runtime(), published.handler(),
                published.memoryMb(), published.timeoutSeconds(), published.environment(),
                repository.codeDir(function, version), repository.optDir(function, published.layers()), log, metrics,
                request.payload(), request.clientContext(), request.logTail());
    }

    /** Replaces the generator whose draws route invocations by alias weights (tests give a seeded one). */
    void routeWith(java.util.random.RandomGenerator random) {
        routing.useGenerator(random);
    }

    private InvocationResult runSync(Invocation invocation) {
        FunctionConfiguration function = invocation.function();
        if (closed) {
            throw new EngineException("ServiceException", "The engine is closing.");
        }
        Concurrency.Slot slot = concurrency.tryAcquire(function.region(), function.id());
        if (slot == null) {
            invocation.metrics().throttled(Instant.now());
            events.publish(new FunctionEvents.InvocationFinished(function.region(), function.name(), null, false,
                    true));
            throw new EngineException("TooManyRequestsException", "Rate Exceeded. " + (function.reservedConcurrency()
                    != null ? "The function's reserved concurrency (" + function.reservedConcurrency() + ")"
                    : "The region's concurrency (" + settings.get().regionConcurrency() + ")") + " is in use.");
        }
        try (slot) {
            // Delete refuses while a slot is taken, under the repository's lock: checked under the same lock, the
            // function either still exists now (and stays until the slot is released) or is gone for good.
            boolean exists;
            boolean versionGone;
            synchronized (repository) {
                exists = repository.find(function.region(), function.name())
                        .filter(found -> found.id().equals(function.id())).isPresent();
                // A version deleted after it was chosen (an alias moved, then the version went) is not run.
                versionGone = exists && !FunctionConfiguration.LATEST.equals(invocation.version())
                        && !repository.hasVersion(function, invocation.version());
            }
            if (!exists) {
                throw FunctionRepository.notFound(function.region(), function.name());
            }
            if (versionGone) {
                throw new EngineException("ResourceNotFoundException", "Function not found: "
                        + function.arn(invocation.version()) + " (the version was deleted)");
            }
            Invocation run = invocation;
            if (!current.test(new WarmPool.Key(function.region(), function.id(), FunctionConfiguration.LATEST,
                    function.revision())) && FunctionConfiguration.LATEST.equals(invocation.version())) {
                // changed since it was read: run what is there now, in the slot already held (the same function:
                // delete waits for the slot)
                FunctionConfiguration now = repository.get(function.region(), function.name());
                run = resolve(now, new InvokeRequest(invocation.qualifier(), InvocationType.REQUEST_RESPONSE,
                        invocation.payload(), invocation.clientContext(), invocation.logTail()),
                        invocation.requestId());
            }
            return invoker.run(run, key -> !closed && current.test(key));
        }
    }

    private InvocationResult enqueue(FunctionConfiguration function, InvokeRequest request, String requestId) {
        if (queuedEvents.incrementAndGet() > settings.get().asyncQueueCapacity()) {
            queuedEvents.decrementAndGet();
            throw new EngineException("TooManyRequestsException", "Rate Exceeded. The queue of Event invocations ("
                    + settings.get().asyncQueueCapacity() + ") is full.");
        }
        InvokeRequest sync = request.as(InvocationType.REQUEST_RESPONSE).withoutLogTail(); // nobody reads it
        eventWorkers.execute(() -> attempt(function.region(), function.name(), sync, requestId, 0));
        return InvocationResult.accepted(requestId, 202);
    }

    /** One try of an Event invocation; every try runs under the id the caller was given. */
    private void attempt(String region, String name, InvokeRequest request, String requestId, int attempt) {
        boolean retry;
        try {
            FunctionConfiguration function = repository.get(region, name);
            retry = runSync(resolve(function, request, requestId)).error() != null;
        } catch (EngineException e) {
            retry = !e.code().equals("ResourceNotFoundException");
        } catch (RuntimeException e) {
            retry = true;
        }
        List<Duration> delays = settings.get().asyncRetryDelays();
        if (retry && attempt < delays.size() && !closed) {
            Runnable next = () -> attempt(region, name, request, requestId, attempt + 1);
            scheduler.schedule(() -> eventWorkers.execute(next), delays.get(attempt).toMillis(), TimeUnit.MILLISECONDS);
        } else {
            queuedEvents.decrementAndGet();
        }
    }

    /** Stops the idle environments of a function (all versions when {@code version} is null). */
    void retire(FunctionConfiguration function, String version) {
        pool.remove(key -> key.functionId().equals(function.id()) && (version == null || key.version().equals(version)))
                .forEach(warm -> warm.environment().stop());
    }

    /**
     * Closes {@code old}, a sandbox just replaced in the settings, once no environment started in it is left: the
     * idle ones stop now, the busy ones when their invocation ends (they do not go back to the pool).
     */
    void retireSandbox(Sandbox old) {
        prestarted.trim(true);
        pool.remove(key -> true).forEach(warm -> warm.environment().stop());
        CompletableFuture<?>[] closing = invoker.live().stream().map(ExecutionEnvironment::closed)
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(closing).whenComplete((done, error) -> old.close());
    }

    /**
     * Called after the settings changed, so that a raised cold start limit lets waiting starts go now; with
     * {@code cpuChanged}, the idle environments stop (they have the old CPU share; busy ones stop when their
     * invocation ends), so the next invocations start with the new one.
     */
    void settingsChanged(boolean cpuChanged) {
        coldStarts.limitChanged();
        prestarted.trim(false);
        if (cpuChanged) {
            pool.remove(key -> true).forEach(warm -> warm.environment().stop());
        }
    }

    /** Event invocations accepted and not finished: waiting, running or due for a retry. */
    int queuedEvents() {
        return queuedEvents.get();
    }

    /** Runtimes started ahead, waiting for a function (for tests). */
    Prestarted prestarted() {
        return prestarted;
    }

    /** The cold start slots (for tests that count starts under way and waiting). */
    ColdStartSlots coldStarts() {
        return coldStarts;
    }

    /** Every environment alive, busy or idle. */
    java.util.Set<ExecutionEnvironment> live() {
        return invoker.live();
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        eventWorkers.shutdownNow();
        for (ExecutionEnvironment environment : List.copyOf(invoker.live())) {
            environment.stop();
        }
        for (ExecutionEnvironment environment : List.copyOf(invoker.live())) {
            try {
                environment.closed().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the environment; closing goes on
            }
        }
        prestarted.close(); // after the live ones: a taken runtime keeps its /var/task until it is gone
        connections.shutdownNow();
        CodeFolder.deleteTree(runDir);
    }
}
