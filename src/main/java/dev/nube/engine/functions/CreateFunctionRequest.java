package dev.nube.engine.functions;

import java.util.Map;

/**
 * What CreateFunction takes. The code starts from one of the runtime's blueprints (by default the hello world that
 * logs a line and returns the event); {@link #of(String, String)} fills AWS's defaults: the runtime's default
 * handler, 128 MB, 3 s.
 *
 * @param handler             null for the runtime's default handler
 * @param reservedConcurrency null for none
 * @param blueprint           a {@link Blueprint#id()} of the runtime, null for hello world
 * @param role                the execution role's ARN as the caller gave it (kept and shown; Nube runs every
 *                            function with the same rights), null for none
 * @param layers              layer version ARNs, in order (at most five), empty for none
 */
public record CreateFunctionRequest(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
        Map<String, String> environment, Integer reservedConcurrency, String description, String blueprint,
        String role, java.util.List<String> layers) {
    public static final int DEFAULT_MEMORY_MB = 128;
    public static final int DEFAULT_TIMEOUT_SECONDS = 3;

    public CreateFunctionRequest {
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        layers = layers == null ? java.util.List.of() : java.util.List.copyOf(layers);
    }

    public static CreateFunctionRequest of(String name, String runtime) {
        return new CreateFunctionRequest(name, runtime, null, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, Map.of(),
                null, "", null, null, null);
    }

    public CreateFunctionRequest withMemory(int mb) {
        return new CreateFunctionRequest(name, runtime, handler, mb, timeoutSeconds, environment, reservedConcurrency,
                description, blueprint, role, layers);
    }

    public CreateFunctionRequest withTimeout(int seconds) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, seconds, environment, reservedConcurrency,
                description, blueprint, role, layers);
    }

    public CreateFunctionRequest withEnvironment(Map<String, String> variables) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, variables,
                reservedConcurrency, description, blueprint, role, layers);
    }

    public CreateFunctionRequest withHandler(String value) {
        return new CreateFunctionRequest(name, runtime, value, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, blueprint, role, layers);
    }

    public CreateFunctionRequest withReservedConcurrency(Integer value) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, environment, value,
                description, blueprint, role, layers);
    }

    public CreateFunctionRequest withBlueprint(String value) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, value, role, layers);
    }

    public CreateFunctionRequest withDescription(String value) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, value, blueprint, role, layers);
    }

    public CreateFunctionRequest withLayers(java.util.List<String> arns) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, blueprint, role, arns);
    }

    public CreateFunctionRequest withRole(String value) {
        return new CreateFunctionRequest(name, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, blueprint, value, layers);
    }
}
