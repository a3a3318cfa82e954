package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.functions.CodePackage;
import dev.nube.engine.functions.ConfigurationChange;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionRules;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.FunctionVersion;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Lambda's function actions on the engine's functions: create (from Code.ZipFile), read, list, update code and
 * configuration, delete (a function, or one version), publish and list versions, reserved concurrency; GetFunction
 * and GetFunctionConfiguration also through an alias. Each validates the whole request before it
 * changes anything. Stateless apart from the download links; thread-safe.
 */
final class FunctionActions {
    /** AWS's limits, which the CLI and SDKs may send; Nube's own are narrower and said so. */
    private static final int AWS_MAX_MEMORY_MB = 10_240;
    private static final int AWS_MAX_TIMEOUT_SECONDS = 900;
    private static final int MAX_PAGE = 50;

    private final Engine engine;
    private final CodeLinks links;
    private final java.util.function.Supplier<String> baseUrl;
    private final Object publishLock = new Object();

    /** @param baseUrl where the API is served, for download links asked for without a Host header */
    FunctionActions(Engine engine, CodeLinks links, java.util.function.Supplier<String> baseUrl) {
        this.engine = engine;
        this.links = links;
        this.baseUrl = baseUrl;
    }

    ApiResponse create(ApiRequest request) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = FunctionRef.parse(body.string("FunctionName"), request.region(), null);
        if (ref.qualifier() != null) {
            throw invalid("A new function's name cannot carry a qualifier (" + ref.qualifier() + ").");
        }
        body.refuseUnless("PackageType", n -> n.asText().equals("Zip"), "Nube runs .zip packages only"
                + " (PackageType Zip), not container images.");
        refuseUnserved(body);
        String runtime = body.string("Runtime");
        if (runtime == null) {
            throw invalid("Runtime is required for a .zip deployment package.");
        }
        Integer memory = memory(body.integer("MemorySize"));
        Integer timeout = timeout(body.integer("Timeout"));
        CreateFunctionRequest create = CreateFunctionRequest.of(ref.name(), runtime)
                .withHandler(body.string("Handler"))
                .withMemory(memory == null ? CreateFunctionRequest.DEFAULT_MEMORY_MB : memory)
                .withTimeout(timeout == null ? CreateFunctionRequest.DEFAULT_TIMEOUT_SECONDS : timeout)
                .withEnvironment(body.object("Environment").strings("Variables"))
                .withDescription(body.string("Description"))
                .withRole(body.string("Role"))
                .withLayers(body.list("Layers"));
        boolean publish = body.flag("Publish"); // read (and refused if malformed) before anything is made
        byte[] zip = zipFile(body.object("Code"), "Code.ZipFile");
        Path file = temporary(zip);
        try {
            engine.functions().create(request.region(), create, file);
        } finally {
            deleteQuietly(file);
        }
        if (publish) {
            return LambdaApi.json(201, publish(request.region(), ref.name(), "", null, null));
        }
        return LambdaApi.json(201, latest(request.region(), ref.name()));
    }

    ApiResponse get(ApiRequest request, String functionName) {
        FunctionRef ref = FunctionRef.parse(functionName, request.region(), request.query().get("Qualifier"));
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        String version = version(function, ref);
        ObjectNode out = Json.mapper().createObjectNode();
        out.set("Configuration", configuration(function, ref));
        ObjectNode code = out.putObject("Code");
        code.put("RepositoryType", "S3");
        code.put("Location", serverUrl(request) + links.issue(request.region(), function.id(), function.name(),
                version));
        if (function.reservedConcurrency() != null) {
            out.putObject("Concurrency").put("ReservedConcurrentExecutions", function.reservedConcurrency());
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse getConfiguration(ApiRequest request, String functionName) {
        FunctionRef ref = FunctionRef.parse(functionName, request.region(), request.query().get("Qualifier"));
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        return LambdaApi.json(200, configuration(function, ref));
    }

    ApiResponse list(ApiRequest request) {
        Map<String, String> query = request.query();
        int max = maxItems(query.get("MaxItems"));
        boolean all = "ALL".equals(query.get("FunctionVersion"));
        if (query.containsKey("FunctionVersion") && !all) {
            throw invalid("FunctionVersion takes only ALL; '" + query.get("FunctionVersion") + "' is not.");
        }
        // Each entry is keyed name NUL version ($LATEST as empty, numbers zero-padded), the order they are listed
        // in; the marker is the key of the last one given, so a page resumes after it even when functions came
        // or went in between.
        List<Map.Entry<String, Function<FunctionConfiguration, ObjectNode>>> entries = new ArrayList<>();
        List<FunctionConfiguration> functions = new ArrayList<>();
        for (FunctionSummary summary : engine.functions().list(request.region()).items()) {
            FunctionConfiguration function = summary.configuration();
            functions.add(function);
            entries.add(Map.entry(function.name() + "\0", f -> latest(f)));
            if (all) {
                for (FunctionVersion version : engine.functions().versions(request.region(), function.name())) {
                    entries.add(Map.entry(function.name() + "\0" + String.format("%010d",
                            Integer.parseInt(version.version())), f -> FunctionJson.version(f, version)));
                }
            }
        }
        String after = marker(query.get("Marker"));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray("Functions");
        String last = null;
        boolean more = false;
        for (int i = 0; i < entries.size(); i++) {
            String key = entries.get(i).getKey();
            if (after != null && key.compareTo(after) <= 0) {
                continue;
            }
            if (items.size() == max) {
                more = true;
                break;
            }
            String name = key.substring(0, key.indexOf('\0'));
            FunctionConfiguration function = functions.stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow();
            try {
                items.add(entries.get(i).getValue().apply(function));
            } catch (EngineException e) {
                if (!e.code().equals("ResourceNotFoundException")) {
                    throw e;
                }
                continue; // deleted while being listed
            }
            last = key;
        }
        if (more && last != null) {
            out.put("NextMarker", Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(
                    StandardCharsets.UTF_8)));
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse updateCode(ApiRequest request, String functionName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        body.refuseUnless("DryRun", n -> !n.asBoolean(), "Nube does not serve DryRun for UpdateFunctionCode.");
        body.refuseUnless("Architectures", n -> n.isArray() && n.size() == 1 && n.get(0).asText().equals("x86_64"),
                "Nube runs functions on x86_64 only.");
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        checkRevision(function, body.string("RevisionId"));
        boolean publish = body.flag("Publish"); // read (and refused if malformed) before anything changes
        byte[] zip = zipFile(body, "ZipFile");
        Path file = temporary(zip);
        try {
            engine.functionCode().importZip(request.region(), ref.name(), file);
        } finally {
            deleteQuietly(file);
        }
        if (publish) {
            return LambdaApi.json(200, publish(request.region(), ref.name(), "", null, null));
        }
        return LambdaApi.json(200, latest(request.region(), ref.name()));
    }

    ApiResponse updateConfiguration(ApiRequest request, String functionName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        refuseUnserved(body);
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        checkRevision(function, body.string("RevisionId"));
        LambdaBody environment = body.object("Environment");
        Map<String, String> variables = body.has("Environment") ? environment.strings("Variables") : null;
        ConfigurationChange change = new ConfigurationChange(body.string("Runtime"), body.string("Handler"),
                memory(body.integer("MemorySize")), timeout(body.integer("Timeout")),
                body.has("Environment") && variables == null ? Map.of() : variables, body.string("Description"),
                body.string("Role"), body.list("Layers"));
        engine.functions().updateConfiguration(request.region(), ref.name(), change);
        return LambdaApi.json(200, latest(request.region(), ref.name()));
    }

    ApiResponse delete(ApiRequest request, String functionName) {
        FunctionRef ref = FunctionRef.parse(functionName, request.region(), request.query().get("Qualifier"));
        if (ref.qualifier() != null) {
            engine.functions().get(request.region(), ref.name());
            if (ref.latest()) {
                throw invalid("$LATEST version cannot be deleted without deleting the function.");
            }
            if (ref.alias()) {
                throw invalid("DeleteFunction deletes a version, not an alias (" + ref.qualifier() + "): delete the"
                        + " alias with DeleteAlias.");
            }
            engine.functions().deleteVersion(request.region(), ref.name(), ref.version(request.region()));
            return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
        }
        engine.functions().delete(request.region(), ref.name());
        return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
    }

    ApiResponse publishVersion(ApiRequest request, String functionName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        return LambdaApi.json(201, publish(request.region(), ref.name(), body.string("Description"),
                body.string("CodeSha256"), body.string("RevisionId")));
    }

    ApiResponse listVersions(ApiRequest request, String functionName) {
        FunctionRef ref = unqualified(functionName, request.region());
        Map<String, String> query = request.query();
        int max = maxItems(query.get("MaxItems"));
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        List<ObjectNode> all = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        all.add(latest(function));
        keys.add(String.format("%010d", 0)); // before every version, which counts from 1
        for (FunctionVersion version : engine.functions().versions(request.region(), ref.name())) {
            all.add(FunctionJson.version(function, version));
            keys.add(String.format("%010d", Integer.parseInt(version.version())));
        }
        String after = marker(query.get("Marker"));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode versions = out.putArray("Versions");
        for (int i = 0; i < all.size(); i++) {
            if (after != null && keys.get(i).compareTo(after) <= 0) {
                continue;
            }
            if (versions.size() == max) {
                out.put("NextMarker", Base64.getUrlEncoder().withoutPadding().encodeToString(keys.get(i - 1)
                        .getBytes(StandardCharsets.UTF_8)));
                break;
            }
            versions.add(all.get(i));
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse putConcurrency(ApiRequest request, String functionName) {
        LambdaBody body = LambdaBody.of(request.body());
        FunctionRef ref = unqualified(functionName, request.region());
        Integer reserved = body.integer("ReservedConcurrentExecutions");
        if (reserved == null) {
            throw invalid("ReservedConcurrentExecutions is required.");
        }
        if (reserved < 0) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + reserved
                    + "' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value"
                    + " greater than or equal to 0");
        }
        FunctionConfiguration function = engine.functions().putReservedConcurrency(request.region(), ref.name(),
                reserved);
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("ReservedConcurrentExecutions", function.reservedConcurrency());
        return LambdaApi.json(200, out);
    }

    ApiResponse getConcurrency(ApiRequest request, String functionName) {
        FunctionRef ref = unqualified(functionName, request.region());
        FunctionConfiguration function = engine.functions().get(request.region(), ref.name());
        ObjectNode out = Json.mapper().createObjectNode();
        if (function.reservedConcurrency() != null) {
            out.put("ReservedConcurrentExecutions", function.reservedConcurrency());
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse deleteConcurrency(ApiRequest request, String functionName) {
        FunctionRef ref = unqualified(functionName, request.region());
        engine.functions().putReservedConcurrency(request.region(), ref.name(), null);
        return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
    }

    /** The code of a download link, or empty when its function is gone (or is another one by now). */
    java.util.Optional<byte[]> download(CodeLinks.Link link) {
        FunctionConfiguration function;
        try {
            function = engine.functions().get(link.region(), link.name());
        } catch (EngineException e) {
            return java.util.Optional.empty();
        }
        if (!function.id().equals(link.functionId())) {
            return java.util.Optional.empty();
        }
        Path file = temporary(new byte[0]);
        try {
            engine.functionCode().exportZip(link.region(), link.name(), link.version(), file);
            return java.util.Optional.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new EngineException("ServiceException", "Could not read the exported code: " + e.getMessage(), e);
        } catch (EngineException e) {
            if (e.code().equals("ResourceNotFoundException")) {
                return java.util.Optional.empty();
            }
            throw e;
        } finally {
            deleteQuietly(file);
        }
    }

    /**
     * Publishes $LATEST, or (as Lambda does) answers with the last version when $LATEST has not changed since;
     * {@code codeSha256} and {@code revisionId}, when given, must be $LATEST's.
     */
    private ObjectNode publish(String region, String name, String description, String codeSha256, String revisionId) {
        // One publish at a time through the API, so two calls for unchanged code make one version, not two.
        synchronized (publishLock) {
            return publishOne(region, name, description, codeSha256, revisionId);
        }
    }

    private ObjectNode publishOne(String region, String name, String description, String codeSha256,
            String revisionId) {
        FunctionConfiguration function = engine.functions().get(region, name);
        checkRevision(function, revisionId);
        CodePackage code = engine.functionCode().codePackage(region, name, null);
        if (codeSha256 != null && !codeSha256.equals(code.sha256())) {
            throw new EngineException("PreconditionFailedException", "CodeSha256 (" + codeSha256 + ") is different"
                    + " from the current one (" + code.sha256() + ").");
        }
        List<FunctionVersion> versions = engine.functions().versions(region, name);
        if (!versions.isEmpty()) {
            FunctionVersion last = versions.get(versions.size() - 1);
            if (last.codeSha256().equals(code.sha256()) && last.runtime().equals(function.runtime())
                    && last.handler().equals(function.handler()) && last.memoryMb() == function.memoryMb()
                    && last.timeoutSeconds() == function.timeoutSeconds()
                    && last.environment().equals(function.environment())
                    && (last.role() == null || last.role().equals(function.role()))
                    && last.layers().equals(function.layers())) {
                return FunctionJson.version(function, last);
            }
        }
        FunctionVersion version = engine.functions().publishVersion(region, name, description == null ? ""
                : description);
        return FunctionJson.version(engine.functions().get(region, name), version);
    }

    private ObjectNode latest(String region, String name) {
        return latest(engine.functions().get(region, name));
    }

    private ObjectNode latest(FunctionConfiguration function) {
        return FunctionJson.latest(function, engine.functionCode().codePackage(function.region(), function.name(),
                null));
    }

    /** The version {@code ref} names: null for $LATEST, a version number, or the version an alias points to. */
    private String version(FunctionConfiguration function, FunctionRef ref) {
        if (ref.alias()) {
            String target = engine.functions().alias(function.region(), function.name(), ref.qualifier())
                    .functionVersion();
            return target.equals(FunctionConfiguration.LATEST) ? null : target;
        }
        return ref.version(function.region());
    }

    /** The configuration {@code ref} names; through an alias, its version's, under the alias's ARN (as Lambda). */
    private ObjectNode configuration(FunctionConfiguration function, FunctionRef ref) {
        ObjectNode node = configuration(function, version(function, ref));
        if (ref.alias()) {
            node.put("FunctionArn", function.arn(ref.qualifier()));
        }
        return node;
    }

    private ObjectNode configuration(FunctionConfiguration function, String version) {
        if (version == null) {
            return latest(function);
        }
        FunctionVersion published = engine.functions().versions(function.region(), function.name()).stream()
                .filter(v -> v.version().equals(version)).findFirst().orElseThrow(() -> new EngineException(
                        "ResourceNotFoundException", "Function not found: " + function.arn(version)));
        return FunctionJson.version(function, published);
    }

    private static void checkRevision(FunctionConfiguration function, String revisionId) {
        if (revisionId != null && !revisionId.equals(FunctionJson.revisionId(function))) {
            throw new EngineException("PreconditionFailedException", "The Revision Id provided does not match the"
                    + " latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
    }

    private static FunctionRef unqualified(String functionName, String region) {
        FunctionRef ref = FunctionRef.parse(functionName, region, null);
        if (ref.qualifier() != null) {
            throw invalid("This action takes an unqualified function name; '" + functionName + "' has the qualifier "
                    + ref.qualifier() + ".");
        }
        return ref;
    }

    /** Lambda's memory range (128-10240 MB) first, then Nube's (128-3008), each refusal saying which it is. */
    private static Integer memory(Integer mb) {
        if (mb == null) {
            return null;
        }
        if (mb < FunctionRules.MIN_MEMORY_MB || mb > AWS_MAX_MEMORY_MB) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + mb + "' at"
                    + " 'memorySize' failed to satisfy constraint: Member must have value between "
                    + FunctionRules.MIN_MEMORY_MB + " and " + AWS_MAX_MEMORY_MB + ".");
        }
        if (mb > FunctionRules.MAX_MEMORY_MB) {
            throw invalid("MemorySize " + mb + " MB is more than Nube gives a function: at most "
                    + FunctionRules.MAX_MEMORY_MB + " MB here (AWS allows " + AWS_MAX_MEMORY_MB + ").");
        }
        return mb;
    }

    /** Lambda's timeout range (1-900 s) first, then Nube's (1-300 s). */
    private static Integer timeout(Integer seconds) {
        if (seconds == null) {
            return null;
        }
        if (seconds < 1 || seconds > AWS_MAX_TIMEOUT_SECONDS) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + seconds
                    + "' at 'timeout' failed to satisfy constraint: Member must have value between 1 and "
                    + AWS_MAX_TIMEOUT_SECONDS + ".");
        }
        if (seconds > FunctionRules.MAX_TIMEOUT_SECONDS) {
            throw invalid("Timeout " + seconds + " s is longer than Nube lets a function run: at most "
                    + FunctionRules.MAX_TIMEOUT_SECONDS + " s here (AWS allows " + AWS_MAX_TIMEOUT_SECONDS + ").");
        }
        return seconds;
    }

    /** Members whose meaning Nube cannot honour are refused rather than silently dropped. */
    private static void refuseUnserved(LambdaBody body) {
        body.refuseUnless("Architectures", n -> n.isArray() && n.size() == 1 && n.get(0).asText().equals("x86_64"),
                "Nube runs functions on x86_64 only.");
        body.refuseUnless("FileSystemConfigs", n -> n.isArray() && n.isEmpty(), "Nube mounts no file systems"
                + " into functions.");
        body.refuseUnless("ImageConfig", n -> n.isEmpty(), "Nube runs .zip packages only.");
        body.refuseUnless("EphemeralStorage", n -> n.path("Size").asInt() == 512, "Nube gives every function"
                + " 512 MB of /tmp.");
    }

    private static byte[] zipFile(LambdaBody code, String member) {
        if (code.has("S3Bucket") || code.has("S3Key") || code.has("ImageUri")) {
            throw invalid("Nube takes a function's code only inline, as a .zip in ZipFile (aws lambda ...-function"
                    + " --zip-file fileb://code.zip), not from S3 or an image.");
        }
        String encoded = code.string("ZipFile");
        if (encoded == null) {
            throw invalid(member + " is required: give the code as a .zip (--zip-file fileb://code.zip).");
        }
        try {
            return Base64.getMimeDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new EngineException("InvalidRequestContentException", member + " is not base64: "
                    + e.getMessage());
        }
    }

    static int maxItems(String value) {
        if (value == null) {
            return MAX_PAGE;
        }
        try {
            int max = Integer.parseInt(value);
            if (max < 1 || max > 10_000) {
                throw invalid("MaxItems must be between 1 and 10000; " + value + " is not.");
            }
            return Math.min(max, MAX_PAGE);
        } catch (NumberFormatException e) {
            throw invalid("MaxItems must be a number; '" + value + "' is not.");
        }
    }

    static String marker(String marker) {
        if (marker == null || marker.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("The Marker '" + marker + "' is not one this API handed out.");
        }
    }

    /** The server as the caller reached it (its signed Host header), so the link works from where it asked. */
    private String serverUrl(ApiRequest request) {
        String host = request.header("host");
        return host == null || host.isBlank() ? baseUrl.get() : "http://" + host;
    }

    private static Path temporary(byte[] content) {
        try {
            Path file = Files.createTempFile("nube-lambda-", ".zip");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new EngineException("ServiceException", "Could not write a temporary file: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary file is harmless
        }
    }

    static EngineException invalid(String message) {
        return new EngineException("InvalidParameterValueException", message);
    }
}
