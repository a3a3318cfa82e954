package dev.nube.engine.api.lambda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.functions.LayerService;
import dev.nube.engine.functions.LayerVersion;
import dev.nube.engine.functions.PublishLayerRequest;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lambda's layer actions (2018-10-31): PublishLayerVersion (Content.ZipFile), ListLayers, ListLayerVersions,
 * GetLayerVersion, GetLayerVersionByArn, DeleteLayerVersion. Content.Location is a download link of the same kind
 * GetFunction hands out ({@link CodeLinks}). Stateless apart from the links; thread-safe.
 */
final class LayerActions {
    /** What a download link's function id is for a layer version: this, then the layer's name. */
    static final String LINK_PREFIX = "layer:";

    private final Supplier<LayerService> layers;
    private final CodeLinks links;
    private final Supplier<String> baseUrl;

    LayerActions(Supplier<LayerService> layers, CodeLinks links, Supplier<String> baseUrl) {
        this.layers = layers;
        this.links = links;
        this.baseUrl = baseUrl;
    }

    ApiResponse publish(ApiRequest request, String layerName) {
        LambdaBody body = LambdaBody.of(request.body());
        LambdaBody content = body.object("Content");
        if (content.has("S3Bucket") || content.has("S3Key")) {
            throw FunctionActions.invalid("Nube takes a layer's content only inline, as a .zip in Content.ZipFile"
                    + " (aws lambda publish-layer-version --zip-file fileb://layer.zip), not from S3.");
        }
        String encoded = content.string("ZipFile");
        if (encoded == null) {
            throw FunctionActions.invalid("Content.ZipFile is required: give the layer as a .zip"
                    + " (--zip-file fileb://layer.zip).");
        }
        byte[] zip;
        try {
            zip = Base64.getMimeDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new EngineException("InvalidRequestContentException", "Content.ZipFile is not base64: "
                    + e.getMessage());
        }
        PublishLayerRequest publish = new PublishLayerRequest(layerName, body.string("Description"),
                body.list("CompatibleRuntimes"), body.list("CompatibleArchitectures"), body.string("LicenseInfo"));
        Path file = temporary(zip);
        try {
            LayerVersion version = layers.get().publish(request.region(), publish, file);
            return LambdaApi.json(201, version(request, version));
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }

    ApiResponse list(ApiRequest request) {
        Map<String, String> query = request.query();
        if ("LayerVersion".equals(query.get("find"))) {
            return getByArn(request, query.get("Arn"));
        }
        String runtime = query.get("CompatibleRuntime");
        String architecture = query.get("CompatibleArchitecture");
        int max = FunctionActions.maxItems(query.get("MaxItems"));
        String after = FunctionActions.marker(query.get("Marker"));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray("Layers");
        for (LayerVersion latest : layers.get().layers(request.region())) {
            if (after != null && latest.name().compareTo(after) <= 0) {
                continue;
            }
            Optional<LayerVersion> matching = layers.get().versions(request.region(), latest.name()).stream()
                    .filter(v -> matches(v, runtime, architecture)).findFirst();
            if (matching.isEmpty()) {
                continue;
            }
            if (items.size() == max) {
                out.put("NextMarker", marker(items.get(items.size() - 1).get("LayerName").asText()));
                break;
            }
            ObjectNode item = items.addObject();
            item.put("LayerName", latest.name());
            item.put("LayerArn", latest.layerArn());
            item.set("LatestMatchingVersion", listItem(matching.get()));
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse versions(ApiRequest request, String layerName) {
        Map<String, String> query = request.query();
        String runtime = query.get("CompatibleRuntime");
        String architecture = query.get("CompatibleArchitecture");
        int max = FunctionActions.maxItems(query.get("MaxItems"));
        String after = FunctionActions.marker(query.get("Marker"));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray("LayerVersions");
        List<LayerVersion> all = new ArrayList<>(layers.get().versions(request.region(), layerName));
        for (LayerVersion version : all) {
            String key = String.format("%010d", version.version());
            if (after != null && key.compareTo(after) >= 0 || !matches(version, runtime, architecture)) {
                continue; // newest first: a page resumes below the last number given
            }
            if (items.size() == max) {
                out.put("NextMarker", marker(String.format("%010d", items.get(items.size() - 1).get("Version")
                        .asInt())));
                break;
            }
            items.add(listItem(version));
        }
        return LambdaApi.json(200, out);
    }

    ApiResponse get(ApiRequest request, String layerName, String number) {
        return LambdaApi.json(200, version(request, layers.get().version(request.region(), layerName,
                number(number))));
    }

    ApiResponse delete(ApiRequest request, String layerName, String number) {
        layers.get().delete(request.region(), layerName, number(number));
        return new ApiResponse(204, LambdaApi.JSON, Map.of(), new byte[0]);
    }

    private ApiResponse getByArn(ApiRequest request, String arn) {
        if (arn == null || !arn.matches("arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9_-]+:[0-9]+")) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + arn
                    + "' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern:"
                    + " arn:aws:lambda:<region>:<account>:layer:<name>:<version>");
        }
        int colon = arn.lastIndexOf(':');
        String layerArn = arn.substring(0, colon);
        return get(request, layerArn, arn.substring(colon + 1));
    }

    /** The zip of a download link that names a layer version, or empty when it is gone. */
    Optional<byte[]> download(CodeLinks.Link link) {
        try {
            Path zip = layers.get().content(link.region(), link.name(), Integer.parseInt(link.version()));
            return Optional.of(Files.readAllBytes(zip));
        } catch (EngineException | IOException e) {
            return Optional.empty();
        }
    }

    private static boolean matches(LayerVersion version, String runtime, String architecture) {
        return (runtime == null || version.compatibleRuntimes().contains(runtime))
                && (architecture == null || version.compatibleArchitectures().contains(architecture));
    }

    private static int number(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + text
                    + "' at 'versionNumber' failed to satisfy constraint: Member must be a number.");
        }
    }

    private ObjectNode version(ApiRequest request, LayerVersion version) {
        ObjectNode node = Json.mapper().createObjectNode();
        ObjectNode content = node.putObject("Content");
        String host = request.header("host");
        content.put("Location", (host == null || host.isBlank() ? baseUrl.get() : "http://" + host)
                + links.issue(version.region(), LINK_PREFIX + version.name(), version.name(),
                        Integer.toString(version.version())));
        content.put("CodeSha256", version.codeSha256());
        content.put("CodeSize", version.codeSize());
        node.put("LayerArn", version.layerArn());
        node.put("LayerVersionArn", version.arn());
        fill(node, version);
        return node;
    }

    private static ObjectNode listItem(LayerVersion version) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("LayerVersionArn", version.arn());
        fill(node, version);
        return node;
    }

    private static void fill(ObjectNode node, LayerVersion version) {
        node.put("Version", version.version());
        node.put("Description", version.description());
        node.put("CreatedDate", FunctionJson.LAST_MODIFIED.format(version.createdAt()));
        if (!version.compatibleRuntimes().isEmpty()) {
            ArrayNode runtimes = node.putArray("CompatibleRuntimes");
            version.compatibleRuntimes().forEach(runtimes::add);
        }
        if (version.licenseInfo() != null) {
            node.put("LicenseInfo", version.licenseInfo());
        }
        if (!version.compatibleArchitectures().isEmpty()) {
            ArrayNode architectures = node.putArray("CompatibleArchitectures");
            version.compatibleArchitectures().forEach(architectures::add);
        }
    }

    private static String marker(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Path temporary(byte[] content) {
        try {
            Path file = Files.createTempFile("nube-layer-", ".zip");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new EngineException("ServiceException", "Could not write a temporary file: " + e.getMessage(), e);
        }
    }
}
