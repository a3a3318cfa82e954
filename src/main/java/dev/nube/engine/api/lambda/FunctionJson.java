package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.functions.CodePackage;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionVersion;
import dev.nube.engine.store.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Lambda's {@code FunctionConfiguration} shape, member for member as botocore's model names them, for $LATEST and
 * for published versions. Stateless.
 */
final class FunctionJson {
    /** Lambda's own timestamp format, e.g. {@code 2026-12-02T13:01:02.000+0000}. */
    static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
            .withZone(ZoneOffset.UTC);
    /** Shown when a function was given no role: Nube runs every function with the same rights. */
    static final String DEFAULT_ROLE = "arn:aws:iam::000000000000:role/service-role/nube-lambda-role";

    private FunctionJson() {
    }

    /** $LATEST's configuration. */
    static ObjectNode latest(FunctionConfiguration function, CodePackage code) {
        ObjectNode node = common(function, FunctionConfiguration.LATEST, function.runtime(), function.handler(),
                function.memoryMb(), function.timeoutSeconds(), function.environment(), function.description(),
                function.lastModified(), code.sha256(), code.size());
        layers(node, function.layers());
        node.put("RevisionId", revisionId(function));
        return node;
    }

    /** A published version's configuration. */
    static ObjectNode version(FunctionConfiguration function, FunctionVersion version) {
        ObjectNode node = common(function, version.version(), version.runtime(), version.handler(),
                version.memoryMb(), version.timeoutSeconds(), version.environment(), version.description(),
                version.createdAt(), version.codeSha256(), version.codeSize());
        layers(node, version.layers());
        if (version.role() != null) {
            node.put("Role", version.role()); // the role it was published with; older versions show the function's
        }
        return node;
    }

    /** Layers [{Arn, CodeSize}], in order, as Lambda shows them (absent when there are none). */
    private static void layers(ObjectNode node, java.util.List<dev.nube.engine.functions.FunctionLayer> layers) {
        if (layers.isEmpty()) {
            return;
        }
        com.fasterxml.jackson.databind.node.ArrayNode array = node.putArray("Layers");
        layers.forEach(layer -> array.addObject().put("Arn", layer.arn()).put("CodeSize", layer.codeSize()));
    }

    /** A RevisionId that changes with every change of the function's code or configuration. */
    static String revisionId(FunctionConfiguration function) {
        return java.util.UUID.nameUUIDFromBytes((function.id() + "/" + function.revision())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private static ObjectNode common(FunctionConfiguration function, String version, String runtime, String handler,
            int memoryMb, int timeoutSeconds, Map<String, String> environment, String description, Instant modified,
            String sha256, long size) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("FunctionName", function.name());
        node.put("FunctionArn", function.arn(version.equals(FunctionConfiguration.LATEST) ? null : version));
        node.put("Runtime", runtime);
        node.put("Role", function.role() == null ? DEFAULT_ROLE : function.role());
        node.put("Handler", handler);
        node.put("CodeSize", size);
        node.put("Description", description);
        node.put("Timeout", timeoutSeconds);
        node.put("MemorySize", memoryMb);
        node.put("LastModified", LAST_MODIFIED.format(modified));
        node.put("CodeSha256", sha256);
        node.put("Version", version);
        ObjectNode variables = node.putObject("Environment").putObject("Variables");
        environment.forEach(variables::put);
        node.putObject("TracingConfig").put("Mode", "PassThrough");
        node.put("State", "Active");
        node.put("LastUpdateStatus", "Successful");
        node.put("PackageType", "Zip");
        node.putArray("Architectures").add("x86_64");
        node.putObject("EphemeralStorage").put("Size", 512);
        ObjectNode snapStart = node.putObject("SnapStart");
        snapStart.put("ApplyOn", "None");
        snapStart.put("OptimizationStatus", "Off");
        return node;
    }
}
