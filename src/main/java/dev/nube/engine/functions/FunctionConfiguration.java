package dev.nube.engine.functions;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A function as stored ({@code functions/<id>/resource.json}) and as GetFunction shows it. Functions are addressed
 * by name, as in AWS; the folder is named by the id ({@code fn-...}) so a name can be reused after a delete without
 * ever meeting the old one's files. {@code revision} grows with every change of code or configuration: warm
 * environments of an older revision are never reused.
 *
 * @param reservedConcurrency null when the function shares the region's unreserved pool
 * @param lastVersion         the highest published version number, 0 before the first publish
 * @param role                the execution role's ARN as it was given, null for none (functions stored before roles
 *                            were kept have none)
 * @param layers              its layers in order (merged under /opt, later over earlier), empty for none
 */
public record FunctionConfiguration(String id, String name, String region, String runtime, String handler,
        int memoryMb, int timeoutSeconds, Map<String, String> environment, Integer reservedConcurrency,
        String description, Instant createdAt, Instant lastModified, long revision, long codeSize, int lastVersion,
        String role, java.util.List<FunctionLayer> layers) {
    public static final String LATEST = "$LATEST";

    public FunctionConfiguration {
        layers = layers == null ? java.util.List.of() : java.util.List.copyOf(layers);
        environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(environment));
        description = description == null ? "" : description;
    }

    /** arn:aws:lambda:REGION:000000000000:function:NAME, with ":QUALIFIER" when one is given. */
    public String arn(String qualifier) {
        String arn = "arn:aws:lambda:" + region + ":000000000000:function:" + name;
        return qualifier == null ? arn : arn + ":" + qualifier;
    }

    /** /aws/lambda/NAME, as AWS_LAMBDA_LOG_GROUP_NAME. */
    public String logGroup() {
        return "/aws/lambda/" + name;
    }

    FunctionConfiguration changed(String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, String description, String role, java.util.List<FunctionLayer> layers) {
        return new FunctionConfiguration(id, name, region, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, createdAt, Instant.now(), revision + 1, codeSize, lastVersion, role,
                layers);
    }

    /** The same function under another name of its runtime (a stored id of an earlier build, read as today's). */
    FunctionConfiguration withRuntime(String value) {
        return new FunctionConfiguration(id, name, region, value, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, createdAt, lastModified, revision, codeSize, lastVersion, role,
                layers);
    }

    FunctionConfiguration withReservedConcurrency(Integer reserved) {
        return new FunctionConfiguration(id, name, region, runtime, handler, memoryMb, timeoutSeconds, environment,
                reserved, description, createdAt, Instant.now(), revision, codeSize, lastVersion, role, layers);
    }

    FunctionConfiguration withCode(long size) {
        return new FunctionConfiguration(id, name, region, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, createdAt, Instant.now(), revision + 1, size, lastVersion, role,
                layers);
    }

    FunctionConfiguration withLastVersion(int version) {
        return new FunctionConfiguration(id, name, region, runtime, handler, memoryMb, timeoutSeconds, environment,
                reservedConcurrency, description, createdAt, lastModified, revision, codeSize, version, role, layers);
    }
}
