package dev.nube.engine.functions;

import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import java.util.Optional;

/**
 * Function URLs: an HTTP address per function that invokes it with the API Gateway HTTP API event (payload format 2.0)
 * and answers with what it returned, as Lambda's function URLs do. One endpoint on 127.0.0.1 serves every URL by its
 * host name, {@code <url-id>.lambda-url.<region>.localhost} (any {@code *.localhost} name reaches loopback). A URL
 * serves the unqualified function ($LATEST) only (the Lambda API refuses a Qualifier other than $LATEST). Errors are
 * {@code EngineException}s with Lambda's codes: ResourceNotFoundException (no such function, or no URL),
 * ResourceConflictException (a URL exists), InvalidParameterValueException. Thread-safe.
 */
public interface FunctionUrlService {
    /** Makes the function's URL; the endpoint starts if it was not serving yet. */
    FunctionUrl create(String region, String functionName, AuthType authType, FunctionUrlCors cors,
            String invokeMode);

    /** The function's URL; ResourceNotFoundException when it has none. */
    FunctionUrl get(String region, String functionName);

    /** The function's URL, or empty when it has none (the function must exist). */
    Optional<FunctionUrl> find(String region, String functionName);

    /**
     * Changes who may call the URL and its CORS settings; a null member is left as it is, empty CORS settings remove
     * them. The URL's address does not change.
     */
    FunctionUrl update(String region, String functionName, AuthType authType, FunctionUrlCors cors,
            String invokeMode);

    /** Removes the function's URL: its address answers 404 from now on. */
    void delete(String region, String functionName);

    /** Why the endpoint cannot listen, or null when it serves (or has not been needed yet). */
    String endpointProblem();
}
