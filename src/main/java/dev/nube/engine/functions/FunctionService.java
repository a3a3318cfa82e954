package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.store.Listing;
import java.util.List;
import java.util.Optional;

/**
 * Lambda's functions per region: create, configure, publish, invoke, delete; and the test events saved with them.
 * Functions are addressed by name (unique per region, as in AWS). Errors are {@code EngineException}s with AWS's
 * codes: ResourceNotFoundException, ResourceConflictException, InvalidParameterValueException,
 * TooManyRequestsException, RequestTooLargeException. Thread-safe; calls may block (invoke runs the function),
 * so a UI calls them off its UI thread. Changes publish {@code ResourceChanged} (kind FUNCTION, the fn- id).
 */
public interface FunctionService {
    /**
     * The runtimes whose toolchain is present, as AWS names them after the installed versions, e.g. python3.11
     * (3.11.2), nodejs20.x (20.20.2), and the custom runtime provided.al2023 (also taking provided.al2 and provided).
     */
    List<RuntimeInfo> runtimes();

    /** The blueprints a function of {@code runtime} can start from, hello world first. */
    List<Blueprint> blueprints(String runtime);

    /** The sandbox mode invocations run in now. */
    SandboxMode sandboxMode();

    /**
     * True where a function's CPU share (see {@link FunctionSettings#cpuFromMemory()}) is a cap the kernel enforces;
     * false where it is only a lower priority, which slows a function only while other work wants the CPU.
     */
    boolean capsCpu();

    /** The sandbox in words, as the status bar shows it (also published through the engine's host status). */
    String sandboxDescription();

    /** Why functions cannot run on this machine (bubblewrap missing or unable to make namespaces), or empty. */
    String sandboxProblem();

    /**
     * Creates a function whose code is one of the runtime's blueprints (hello world unless the request names
     * another). Refuses an unknown blueprint, an invalid name (letters, digits, hyphen, underscore, 1-64), a taken
     * name, an absent runtime, memory outside 128-3008 MB or off the 64 MB steps, a timeout outside 1-300 s, reserved
     * or oversized (4 KB) environment variables, a reserved concurrency the region cannot give.
     */
    FunctionConfiguration create(String region, CreateFunctionRequest request);

    /**
     * Creates a function whose code is a zip's contents (the request's blueprint is not used). Refuses what
     * {@link #create(String, CreateFunctionRequest)} refuses and the packages {@link FunctionCode#importZip} refuses
     * (InvalidZipFileException); a refused function leaves nothing behind.
     */
    FunctionConfiguration create(String region, CreateFunctionRequest request, java.nio.file.Path zip);

    /** Every function with its invocations and errors in the last 24 hours; unreadable documents as problems. */
    Listing<FunctionSummary> list(String region);

    /**
     * One row of {@link #list}: the function whose id is {@code functionId} (its fn- id, as events name it) with its
     * invocations and errors in the last 24 hours, counted as the list counts them; empty when there is no such
     * function. Reads that function's document alone. Throws {@code InvalidDocument} when it cannot be read.
     */
    Optional<FunctionSummary> summary(String region, String functionId);

    /** Throws ResourceNotFoundException. */
    FunctionConfiguration get(String region, String name);

    /** UpdateFunctionConfiguration; the next invocation runs the new configuration in a new environment. */
    FunctionConfiguration updateConfiguration(String region, String name, ConfigurationChange change);

    /** PutFunctionConcurrency (a number) or DeleteFunctionConcurrency (null). */
    FunctionConfiguration putReservedConcurrency(String region, String name, Integer reservedConcurrency);

    /**
     * Deletes the function, its versions, aliases, logs, metrics, test events and schedules. Refuses with
     * ResourceConflictException while any of its invocations runs (it does not wait for them; Event invocations still
     * queued fail afterwards).
     */
    void delete(String region, String name);

    /** Publishes $LATEST's code and configuration as the next numbered version (immutable, a zip). */
    FunctionVersion publishVersion(String region, String name, String description);

    /** Published versions, oldest first ($LATEST is not listed). */
    List<FunctionVersion> versions(String region, String name);

    /**
     * Deletes one published version (DeleteFunction with a version qualifier). Refuses with ResourceConflictException
     * when an alias points to it (as its version or its additional version) or while any invocation of the function
     * runs; InvalidParameterValueException for $LATEST; ResourceNotFoundException for a version that is not there.
     */
    void deleteVersion(String region, String name, String version);

    /**
     * CreateAlias. Refuses a name against Lambda's rules ({@link AliasRules}), a name already taken
     * (ResourceConflictException), a version that is not published (ResourceNotFoundException), routing weights
     * against Lambda's rules or between versions of different execution roles (InvalidParameterValueException).
     *
     * @param weights the additional version to its share of invocations (at most one entry), or empty
     */
    FunctionAlias createAlias(String region, String name, String alias, String version, String description,
            java.util.Map<String, Double> weights);

    /**
     * UpdateAlias: each of {@code version}, {@code description} and {@code weights} that is null stays as it was (an
     * empty map removes the routing). With {@code revisionId} given, refuses with PreconditionFailedException unless it
     * is the alias's current one. Refuses what {@link #createAlias} refuses; ResourceNotFoundException when there is
     * no such alias.
     */
    FunctionAlias updateAlias(String region, String name, String alias, String version, String description,
            java.util.Map<String, Double> weights, String revisionId);

    /** GetAlias; ResourceNotFoundException when there is no such alias. */
    FunctionAlias alias(String region, String name, String alias);

    /** The function's aliases, by name. */
    List<FunctionAlias> aliases(String region, String name);

    /** DeleteAlias; ResourceNotFoundException when there is no such alias. */
    void deleteAlias(String region, String name, String alias);

    /**
     * Invokes the function; the request's qualifier picks $LATEST, a version, or an alias, which runs its version or,
     * with a weight, its additional version with that probability, drawn anew for each invocation (the result's
     * executed version says which ran). RequestResponse waits for the result (an error in the function is a result with
     * {@link FunctionError}, not an exception); Event queues it and returns 202; DryRun returns 204. Throws
     * TooManyRequestsException when the concurrency (reserved, or the region's) is used up or the Event queue is
     * full, RequestTooLargeException over 6 MB, InvalidRequestContentException when the payload is not JSON.
     */
    InvocationResult invoke(String region, String name, InvokeRequest request);

    /** The saved test events of a function, by name. */
    List<TestEvent> testEvents(String region, String name);

    /** Saves (or replaces) a named test event; refuses invalid JSON. */
    TestEvent saveTestEvent(String region, String name, TestEvent event);

    void deleteTestEvent(String region, String name, String eventName);

    FunctionSettings settings();

    /**
     * Changes the settings; a changed sandbox mode applies to environments started afterwards, a changed cold start
     * limit to the starts waiting for a slot and those after them.
     */
    void updateSettings(FunctionSettings settings);
}
