package dev.nube.engine.functions;

import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import java.util.Optional;

/**
 * Function URLs: an HTTP address per function that invokes it with the API Gateway HTTP API event (payload format 2.0)
 * and answers with what it returned, as Lambda's function URLs do. One endpoint on 127.0.0.1 serves every URL by its
 * host name, {@code <url-id>.lambda-url.<region>.localhost} (any {@code *.localhost} name reaches loopback). As in
 * Lambda, a function has a URL for $LATEST (qualifier null or "$LATEST") and one per alias (the alias's name as the
 * qualifier), each with its own address; a URL of an alias invokes through the alias (its weighted routing included)
 * and is deleted with the alias. A version number is not a qualifier of a URL. Errors are {@code EngineException}s
 * with Lambda's codes: ResourceNotFoundException (no such function or alias, or no URL), ResourceConflictException
 * (a URL exists), InvalidParameterValueException. Thread-safe.
 */
public interface FunctionUrlService {
    /** Makes the URL of $LATEST or of an alias; the endpoint starts if it was not serving yet. */
    FunctionUrl create(String region, String functionName, String qualifier, AuthType authType, FunctionUrlCors cors,
            String invokeMode);

    /** The URL of $LATEST or of an alias; ResourceNotFoundException when there is none. */
    FunctionUrl get(String region, String functionName, String qualifier);

    /** The URL of $LATEST or of an alias, or empty when there is none (the function and alias must exist). */
    Optional<FunctionUrl> find(String region, String functionName, String qualifier);

    /** Every URL of the function: $LATEST's first, then its aliases', by alias name. */
    java.util.List<FunctionUrl> list(String region, String functionName);

    /**
     * Changes who may call the URL and its CORS settings; a null member is left as it is, empty CORS settings remove
     * them. The URL's address does not change.
     */
    FunctionUrl update(String region, String functionName, String qualifier, AuthType authType,
            FunctionUrlCors cors, String invokeMode);

    /** Removes the URL: its address answers 404 from now on. */
    void delete(String region, String functionName, String qualifier);

    /** The URL of $LATEST (see {@link #create(String, String, String, AuthType, FunctionUrlCors, String)}). */
    default FunctionUrl create(String region, String functionName, AuthType authType, FunctionUrlCors cors,
            String invokeMode) {
        return create(region, functionName, null, authType, cors, invokeMode);
    }

    /** The URL of $LATEST. */
    default FunctionUrl get(String region, String functionName) {
        return get(region, functionName, null);
    }

    /** The URL of $LATEST, or empty. */
    default Optional<FunctionUrl> find(String region, String functionName) {
        return find(region, functionName, null);
    }

    /** Changes the URL of $LATEST. */
    default FunctionUrl update(String region, String functionName, AuthType authType, FunctionUrlCors cors,
            String invokeMode) {
        return update(region, functionName, null, authType, cors, invokeMode);
    }

    /** Removes the URL of $LATEST. */
    default void delete(String region, String functionName) {
        delete(region, functionName, null);
    }

    /** Why the endpoint cannot listen, or null when it serves (or has not been needed yet). */
    String endpointProblem();
}
