package dev.nube.engine.functions;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A published version: an immutable copy of the code (a zip) and of the configuration that runs it.
 * Stored as {@code versions/N/version.json} beside {@code versions/N/code.zip}.
 *
 * @param role the execution role's ARN when the version was published, null for none (and in versions published
 *             before versions kept it: then the function's role is shown)
 * @param layers the layers it was published with, in order
 */
public record FunctionVersion(String version, String description, Instant createdAt, String codeSha256,
        long codeSize, String runtime, String handler, int memoryMb, int timeoutSeconds,
        Map<String, String> environment, String role, java.util.List<FunctionLayer> layers) {
    public FunctionVersion {
        layers = layers == null ? java.util.List.of() : java.util.List.copyOf(layers);
        environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(environment));
        description = description == null ? "" : description;
    }

    /** The same version under another name of its runtime (a stored id of an earlier build, read as today's). */
    FunctionVersion withRuntime(String value) {
        return new FunctionVersion(version, description, createdAt, codeSha256, codeSize, value, handler, memoryMb,
                timeoutSeconds, environment, role, layers);
    }
}
