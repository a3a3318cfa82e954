package dev.nube.engine.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.functions.runtime.RuntimeApi;
import dev.nube.engine.functions.sandbox.EnvironmentConfig;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.IllegalTransitionException;
import dev.nube.engine.functions.sandbox.OutputPump;
import dev.nube.engine.functions.sandbox.RuntimeOutcome;
import dev.nube.engine.functions.sandbox.Sandbox;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;

/**
 * Runs synchronous invocations: takes a warm environment or starts one (at most {@code coldStartLimit} at once),
 * hands it the event, waits until the answer or the deadline, and writes START, END and REPORT around the
 * function's own output. A dead or timed-out environment is never reused. Thread-safe; every call runs on the
 * caller's thread.
 */
final class Invoker {
    /** AWS limits the init phase to 10 s. */
    static final long INIT_LIMIT_MS = 10_000;
    /** Worded as AWS words it; the root locale keeps the decimal point whatever the user's locale. */
    private static final String INIT_TIMED_OUT = String.format(Locale.ROOT, "Init timed out after %.2f seconds",
            INIT_LIMIT_MS / 1000.0);
    private static final DateTimeFormatter STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd")
            .withZone(ZoneOffset.UTC);
    private static final long MIB = 1024 * 1024;
    /**
     * What every runtime's environment starts from; a function's variables may replace PATH, LD_LIBRARY_PATH and
     * LANG. A runtime started ahead has only these until it is given its function. As on AWS, PATH ends with the
     * layers' /opt/bin and LD_LIBRARY_PATH with /opt/lib (the C library reads it once, at the process's start, so it
     * is there from the start, layers or not).
     */
    static final Map<String, String> BASE_VARIABLES = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin:/opt/bin",
            "LD_LIBRARY_PATH", "/var/task:/var/task/lib:/opt/lib", "LANG", "C.UTF-8", "TZ", ":UTC");
    private static final System.Logger LOG = System.getLogger(Invoker.class.getName());

    private final Supplier<Sandbox> sandbox;
    private final Runtimes runtimes;
    private final Path runDir;
    private final ExecutorService connections;
    private final WarmPool pool;
    private final EventBus events;
    private final ColdStartSlots coldStarts;
    private final Prestarted prestarted;
    private final IntToDoubleFunction cpus;
    /** Code versions with more files than a runtime started ahead takes (see {@link Prestarted#linkCode}). */
    private final Map<WarmPool.Key, Boolean> tooManyFiles = new ConcurrentHashMap<>();
    private final Set<ExecutionEnvironment> live = ConcurrentHashMap.newKeySet();

    /** @param cpus the CPUs a function of a memory size gets after its init (0: no cap) */
    Invoker(Supplier<Sandbox> sandbox, Runtimes runtimes, Path runDir, ExecutorService connections, WarmPool pool,
            EventBus events, ColdStartSlots coldStarts, Prestarted prestarted, IntToDoubleFunction cpus) {
        this.cpus = cpus;
        this.prestarted = prestarted;
        this.sandbox = sandbox;
        this.runtimes = runtimes;
        this.runDir = runDir;
        this.connections = connections;
        this.pool = pool;
        this.events = events;
        this.coldStarts = coldStarts;
    }

    /** Environments alive now (idle or busy). */
    Set<ExecutionEnvironment> live() {
        return live;
    }

    /**
     * Runs one invocation to its end. {@code stillCurrent} says, when it is over, whether the environment may go back
     * to the pool (false once the code or configuration changed, or the engine is closing).
     */
    InvocationResult run(Invocation invocation, java.util.function.Predicate<WarmPool.Key> stillCurrent) {
        String requestId = invocation.requestId();
        Warm warm = pool.take(invocation.key());
        Double initMs = null;
        long started = System.nanoTime();
        if (warm == null) {
            warm = coldStart(invocation);
            ExecutionEnvironment environment = warm.environment();
            try {
                environment.ready().get(INIT_LIMIT_MS, TimeUnit.MILLISECONDS);
                initMs = environment.initDurationMs();
            } catch (TimeoutException e) {
                if (!environment.timeOut()) {
                    environment.stop(); // its init ended just as the limit passed: reported as timed out, not kept
                }
                await(environment);
                return failedInit(invocation, warm, requestId, new FunctionError(FunctionError.UNHANDLED,
                        "Sandbox.Timedout", INIT_TIMED_OUT, List.of()), INIT_LIMIT_MS);
            } catch (ExecutionException e) {
                environment.stop();
                await(environment);
                FunctionError error = initError(e.getCause(), requestId, invocation.memoryMb());
                if (error.type().equals("Runtime.ExitError")) {
                    error = missingBootstrap(invocation).orElse(error);
                }
                return failedInit(invocation, warm, requestId, error, (System.nanoTime() - started) / 1e6);
            } catch (InterruptedException e) {
                environment.stop();
                Thread.currentThread().interrupt();
                throw new EngineException("ServiceException", "Interrupted while starting " + invocation.function()
                        .name());
            }
        }
        InvocationResult result = invoke(invocation, warm, requestId, initMs, stillCurrent);
        // null: a warm one died between leaving the pool and taking the event (its watcher got there first)
        return result != null ? result : run(invocation, stillCurrent);
    }

    private Warm coldStart(Invocation invocation) {
        // AWS starts every environment a burst needs at once; here starts take turns (see ColdStartSlots), and a
        // caller waits for its turn as long as its init could take, or its timeout if that is longer.
        long waitMs = Math.max(invocation.timeoutSeconds() * 1000L, INIT_LIMIT_MS);
        try {
            if (!coldStarts.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new EngineException("TooManyRequestsException", "Rate exceeded: too many execution"
                        + " environments are starting at once. Try again.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("ServiceException", "Interrupted while waiting to start an environment");
        }
        try {
            Sandbox in = sandbox.get();
            ExecutionEnvironment taken = prestarted(invocation, in);
            Warm warm = taken == null ? null : handOver(taken, invocation, in);
            if (warm == null) {
                warm = startNew(invocation, in);
            }
            ExecutionEnvironment environment = warm.environment();
            live.add(environment);
            Warm started = warm;
            environment.closed().whenComplete((code, error) -> {
                live.remove(environment);
                started.stream().close();
            });
            // The slot is held until init ends, whichever way: that is the expensive part.
            environment.ready().whenComplete((v, e) -> coldStarts.release());
            return warm;
        } catch (RuntimeException e) {
            coldStarts.release();
            throw e;
        }
    }

    private Warm startNew(Invocation invocation, Sandbox in) {
        String id = ExecutionEnvironment.newId();
        String streamName = streamName(invocation, id);
        Warm warm = new Warm(invocation.key(), invocation.log().open(streamName), in);
        try {
            warm.attach(ExecutionEnvironment.start(id, config(invocation, streamName), in, runDir, connections,
                    warm));
            return warm;
        } catch (RuntimeException e) {
            warm.stream().close();
            throw e;
        }
    }

    private static String streamName(Invocation invocation, String environmentId) {
        return STREAM_DATE.format(Instant.now()) + "/[" + invocation.version() + "]" + environmentId;
    }

    private EnvironmentConfig config(Invocation invocation, String streamName) {
        return new EnvironmentConfig(invocation.function().name(), invocation.version(), invocation.memoryMb(),
                streamName, spec(invocation, streamName), cpus.applyAsDouble(invocation.memoryMb()));
    }

    /** A runtime started ahead for this invocation's function, or null when none may or can be used. */
    private ExecutionEnvironment prestarted(Invocation invocation, Sandbox in) {
        if (!Prestarted.startsTheSame(invocation.environment())) {
            return null; // the function's variables change how its interpreter starts: it starts with them
        }
        if (tooManyFiles.containsKey(invocation.key())) {
            return null; // linking its code would cost more than the interpreter's start
        }
        return prestarted.take(runtimes.toRun(invocation.runtime()), invocation.memoryMb(), in);
    }

    /**
     * Gives {@code taken} the invocation's function: its log stream, its code into /var/task and its layers into /opt,
     * then its environment.
     * Null, with {@code taken} stopped, when anything of that fails; the caller then starts an environment for it.
     */
    private Warm handOver(ExecutionEnvironment taken, Invocation invocation, Sandbox in) {
        Warm warm = null;
        try {
            String streamName = streamName(invocation, taken.id());
            warm = new Warm(invocation.key(), invocation.log().open(streamName), in);
            EnvironmentConfig config = config(invocation, streamName);
            Prestarted.linkCode(invocation.codeDir(), taken.taskDir());
            if (invocation.optDir() != null) {
                Prestarted.linkCode(invocation.optDir(), taken.optDir()); // its layers, as linked as its code
            }
            taken.assign(config, config.spec().environment(), warm);
            warm.attach(taken);
            return warm;
        } catch (Prestarted.TooManyFiles e) {
            if (tooManyFiles.size() > 10_000) {
                tooManyFiles.clear();
            }
            tooManyFiles.put(invocation.key(), Boolean.TRUE);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a runtime started ahead could not take " + invocation.function()
                    .name() + " (" + e + "); starting one for it");
        }
        taken.stop();
        if (warm != null) {
            warm.stream().close();
        }
        return null;
    }

    private SandboxSpec spec(Invocation invocation, String streamName) {
        FunctionConfiguration function = invocation.function();
        RuntimeInfo runtime = runtimes.toRun(invocation.runtime());
        Map<String, String> variables = new HashMap<>(BASE_VARIABLES);
        if (runtime.language() == RuntimeInfo.Language.NODE) {
            // as AWS's Node.js runtimes: a layer's nodejs/nodeNN/node_modules, then nodejs/node_modules
            variables.put("NODE_PATH", "/opt/nodejs/node" + runtime.id().replaceAll("[^0-9]", "")
                    + "/node_modules:/opt/nodejs/node_modules:" + SandboxSpec.RUNTIME_DIR + "/node_modules:"
                    + SandboxSpec.RUNTIME_DIR + ":" + SandboxSpec.TASK_ROOT);
        }
        variables.putAll(invocation.environment());
        variables.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        variables.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(invocation.memoryMb()));
        variables.put("AWS_LAMBDA_FUNCTION_VERSION", invocation.version());
        variables.put("AWS_REGION", function.region());
        variables.put("AWS_DEFAULT_REGION", function.region());
        if (!runtime.executionEnv().isEmpty()) {
            variables.put("AWS_EXECUTION_ENV", runtime.executionEnv());
        }
        variables.put("_HANDLER", invocation.handler());
        variables.put("LAMBDA_TASK_ROOT", SandboxSpec.TASK_ROOT);
        variables.put("LAMBDA_RUNTIME_DIR", SandboxSpec.RUNTIME_DIR);
        variables.put("AWS_LAMBDA_LOG_GROUP_NAME", function.logGroup());
        variables.put("AWS_LAMBDA_LOG_STREAM_NAME", streamName);
        variables.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        variables.put("TZ", BASE_VARIABLES.get("TZ")); // reserved, as on AWS
        return new SandboxSpec(invocation.codeDir(), runtimes.dir(), variables, runtimes.command(invocation.runtime(),
                invocation.memoryMb(), invocation.environment()), SandboxSpec.DEFAULT_TMP_BYTES, invocation.optDir());
    }

    /**
     * Runs the invocation in {@code warm}; null when the environment refused it (no longer READY) and it came from
     * the pool, so the caller may take another. Only that refusal leads to a retry: once the environment took the
     * event, the invocation ends here whatever happens to the environment.
     */
    private InvocationResult invoke(Invocation invocation, Warm warm, String requestId, Double initMs,
            java.util.function.Predicate<WarmPool.Key> stillCurrent) {
        ExecutionEnvironment environment = warm.environment();
        long timeoutMs = invocation.timeoutSeconds() * 1000L;
        long deadline = System.currentTimeMillis() + timeoutMs;
        String start = "START RequestId: " + requestId + " Version: " + invocation.version();
        boolean fromPool = initMs == null;
        Runnable startLine = () -> {
            if (fromPool) {
                warm.beginInvocation(); // a fresh one's tail keeps what its init printed
            }
            warm.invocationLines(true, start);
        };
        OutputPump.Mark marked = warm.takeNextStart(); // the last invocation's end marked where this one starts
        if (marked != null) {
            marked.run(startLine);
        } else {
            environment.afterOutput(startLine);
        }
        long dispatched = System.nanoTime();
        RuntimeOutcome outcome;
        try {
            String arn = invocation.function().arn(FunctionConfiguration.LATEST.equals(invocation.qualifier()) ? null
                    : invocation.qualifier());
            CompletableFuture<RuntimeOutcome> answer;
            try {
                // This thread writes the event and reads the answer itself when it can (see invokeAndAwait).
                answer = environment.invokeAndAwait(new RuntimeApi.NextInvocation(requestId, deadline, arn,
                        traceId(), headerSafe(invocation.clientContext()), null, invocation.payload()),
                        dispatched + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
            } catch (IllegalTransitionException e) {
                if (initMs == null) {
                    return null;
                }
                // A fresh one went away right after its init: the invocation fails as its runtime did.
                answer = environment.closed().handle((code, error) -> environment.exit());
            }
            // The deadline runs from the dispatch, whatever handing the event over took.
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMs) - (System.nanoTime() - dispatched);
            outcome = answer.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            outcome = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            environment.stop();
            throw new EngineException("ServiceException", "Interrupted while invoking " + invocation.function().name());
        } catch (ExecutionException e) {
            throw new IllegalStateException("an invocation future never fails", e);
        }
        double durationMs;
        byte[] payload = new byte[0];
        FunctionError error = null;
        if (outcome == null) {
            environment.timeOut(); // false when it exited meanwhile: the deadline passed all the same
            await(environment);
            durationMs = timeoutMs;
            String message = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " " + requestId
                    + " Task timed out after "
                    + String.format("%d.00", invocation.timeoutSeconds()) + " seconds";
            warm.engineLines(message);
            error = new FunctionError(FunctionError.UNHANDLED, "Sandbox.Timedout", message, List.of());
            payload = errorJson(error);
        } else if (outcome instanceof RuntimeOutcome.Exited exited) {
            await(environment);
            durationMs = (System.nanoTime() - dispatched) / 1e6;
            String message = exitMessage(requestId, exited, invocation.memoryMb());
            warm.engineLines(message, "Runtime.ExitError");
            error = new FunctionError(FunctionError.UNHANDLED, "Runtime.ExitError", message, List.of());
            payload = errorJson(error);
        } else {
            if (outcome instanceof RuntimeOutcome.Response response) {
                durationMs = (response.atNanos() - dispatched) / 1e6;
                payload = response.body();
            } else if (outcome instanceof RuntimeOutcome.ErrorResponse response) {
                durationMs = (response.atNanos() - dispatched) / 1e6;
                payload = response.body();
                error = parseError(response.body(), "Handled".equals(response.errorTypeHeader())
                        ? FunctionError.HANDLED : FunctionError.UNHANDLED);
            } else {
                RuntimeOutcome.ResponseTooLarge tooLarge = (RuntimeOutcome.ResponseTooLarge) outcome;
                durationMs = (tooLarge.atNanos() - dispatched) / 1e6;
                error = new FunctionError(FunctionError.UNHANDLED, "Function.ResponseSizeTooLarge",
                        "Response payload size (" + tooLarge.bytes() + " bytes) exceeded maximum allowed payload size ("
                                + RuntimeApi.MAX_RESPONSE_BYTES + " bytes).", List.of());
                payload = errorJson(error);
            }
        }
        long maxMemoryMb = (environment.peakMemoryBytes() + MIB - 1) / MIB;
        InvocationResult result = report(invocation, warm, requestId, payload, error, durationMs, maxMemoryMb, initMs);
        if (environment.complete()) {
            if (stillCurrent.test(warm.key()) && warm.sandbox() == sandbox.get()
                    && environment.config().cpus() == cpus.applyAsDouble(invocation.memoryMb())) {
                pool.offer(warm);
            } else {
                environment.stop();
            }
        }
        return result;
    }

    private InvocationResult failedInit(Invocation invocation, Warm warm, String requestId, FunctionError error,
            double durationMs) {
        warm.engineLines("START RequestId: " + requestId + " Version: " + invocation.version());
        ExecutionEnvironment environment = warm.environment();
        long maxMemoryMb = (environment.peakMemoryBytes() + MIB - 1) / MIB;
        double initMs = environment.initDurationMs() > 0 ? environment.initDurationMs() : durationMs;
        return report(invocation, warm, requestId, errorJson(error), error, durationMs, maxMemoryMb, initMs);
    }

    private InvocationResult report(Invocation invocation, Warm warm, String requestId, byte[] payload,
            FunctionError error, double durationMs, long maxMemoryMb, Double initMs) {
        long billed = (long) Math.ceil(durationMs);
        String end = "END RequestId: " + requestId;
        String report = "REPORT RequestId: " + requestId + "\tDuration: " + twoDecimals(durationMs)
                + " ms\tBilled Duration: " + billed + " ms\tMemory Size: " + invocation.memoryMb()
                + " MB\tMax Memory Used: " + maxMemoryMb + " MB"
                + (initMs == null ? "" : "\tInit Duration: " + twoDecimals(initMs) + " ms");
        CompletableFuture<Void> logged = new CompletableFuture<>();
        warm.nextStart(warm.environment().afterOutputThenMark(() -> {
            try {
                warm.invocationLines(false, end, report);
                warm.stream().flush(); // the invocation's log is whole on disk once its REPORT is
            } finally {
                logged.complete(null);
            }
        }));
        invocation.metrics().invoked(Instant.now(), invocation.version(), durationMs, error != null);
        events.publish(new FunctionEvents.InvocationFinished(invocation.function().region(),
                invocation.function().name(), requestId, error != null, false));
        String tail = "";
        if (invocation.logTail()) {
            try {
                logged.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // a stuck output reader: the tail is what it delivered
            }
            tail = warm.tail();
        }
        return new InvocationResult(requestId, 200, payload, error, tail, durationMs, billed,
                invocation.memoryMb(), maxMemoryMb, initMs, invocation.version(), warm.stream().name());
    }

    /** {@code value} (not negative) with two decimals and a point, as AWS's REPORT line has them in any locale. */
    static String twoDecimals(double value) {
        long hundredths = Math.round(value * 100);
        long cents = hundredths % 100;
        return (hundredths / 100) + (cents < 10 ? ".0" : ".") + cents;
    }

    private static void await(ExecutionEnvironment environment) {
        try {
            environment.closed().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged by the environment; the result says what happened anyway
        }
    }

    /**
     * A custom runtime's code without its bootstrap, in AWS's words (Runtime.InvalidEntrypoint), and, for Go sources,
     * that Deploy builds them into one.
     */
    private java.util.Optional<FunctionError> missingBootstrap(Invocation invocation) {
        if (runtimes.toRun(invocation.runtime()).language() != RuntimeInfo.Language.CUSTOM
                || java.nio.file.Files.exists(invocation.codeDir().resolve("bootstrap"))) {
            return java.util.Optional.empty();
        }
        boolean go = GoBuild.hasSources(invocation.codeDir());
        return java.util.Optional.of(new FunctionError(FunctionError.UNHANDLED, "Runtime.InvalidEntrypoint",
                "Couldn't find valid bootstrap(s): [" + SandboxSpec.TASK_ROOT + "/bootstrap]" + (go ? ". The code has"
                        + " Go sources: Deploy builds them into bootstrap." : ""), List.of()));
    }

    private static FunctionError initError(Throwable cause, String requestId, int memoryMb) {
        if (cause instanceof RuntimeOutcome.Failure failure) {
            if (failure.outcome() instanceof RuntimeOutcome.InitError init) {
                return parseError(init.body(), FunctionError.UNHANDLED);
            }
            if (failure.outcome() instanceof RuntimeOutcome.Exited exited) {
                return new FunctionError(FunctionError.UNHANDLED, "Runtime.ExitError",
                        exitMessage(requestId, exited, memoryMb), List.of());
            }
        }
        return new FunctionError(FunctionError.UNHANDLED, "Runtime.Unknown", String.valueOf(cause), List.of());
    }

    /**
     * AWS's words for a runtime that exited ("... Runtime exited with error: signal: killed"), then which of the
     * function's limits it had reached by then: the likeliest reason it ended, which those words leave out.
     */
    private static String exitMessage(String requestId, RuntimeOutcome.Exited exited, int memoryMb) {
        List<String> reached = new ArrayList<>();
        if (exited.outOfMemory()) {
            reached.add("out of memory: the function used more than its " + memoryMb + " MB");
        }
        if (exited.processLimitReached()) {
            reached.add(String.format(Locale.ROOT, "the function reached its limit of %,d processes and"
                    + " threads", SandboxSpec.MAX_PROCESSES));
        }
        return "RequestId: " + requestId + " Error: Runtime exited with error: " + exited.describe()
                + (reached.isEmpty() ? "" : " (" + String.join("; ", reached) + ")");
    }

    /** Reads {errorType, errorMessage, stackTrace | trace} as AWS's runtimes send it. */
    static FunctionError parseError(byte[] body, String kind) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            List<String> trace = new ArrayList<>();
            JsonNode stack = node.has("stackTrace") ? node.get("stackTrace") : node.get("trace");
            if (stack != null && stack.isArray()) {
                stack.forEach(line -> trace.add(line.asText()));
            }
            return new FunctionError(kind, node.path("errorType").asText("Unknown"),
                    node.path("errorMessage").asText(""), trace);
        } catch (java.io.IOException | RuntimeException e) {
            return new FunctionError(kind, "Unknown", new String(body, StandardCharsets.UTF_8), List.of());
        }
    }

    static byte[] errorJson(FunctionError error) {
        Map<String, Object> document = new java.util.LinkedHashMap<>();
        document.put("errorMessage", error.message());
        document.put("errorType", error.type());
        if (!error.stackTrace().isEmpty()) {
            document.put("stackTrace", error.stackTrace());
        }
        try {
            return Json.oneLine().writeValueAsBytes(document);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An X-Ray trace header as Lambda sends it: Root=1-{epoch seconds hex}-{96 random bits}, a parent, unsampled. */
    private static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return "Root=1-" + Long.toHexString(Instant.now().getEpochSecond()) + "-"
                + hex.toHexDigits(random.nextInt()) + hex.toHexDigits(random.nextLong()) + ";Parent="
                + hex.toHexDigits(random.nextLong()) + ";Sampled=0";
    }

    private static String headerSafe(String value) {
        return value == null ? null : value.replace('\r', ' ').replace('\n', ' ');
    }
}
