package dev.nube.engine.functions;

import java.util.List;

/** What PublishLayerVersion takes besides the zip. Lists may be null (none given). */
public record PublishLayerRequest(String name, String description, List<String> compatibleRuntimes,
        List<String> compatibleArchitectures, String licenseInfo) {
    public PublishLayerRequest {
        compatibleRuntimes = compatibleRuntimes == null ? List.of() : List.copyOf(compatibleRuntimes);
        compatibleArchitectures = compatibleArchitectures == null ? List.of() : List.copyOf(compatibleArchitectures);
        description = description == null ? "" : description;
    }

    public static PublishLayerRequest of(String name) {
        return new PublishLayerRequest(name, "", List.of(), List.of(), null);
    }

    public PublishLayerRequest withRuntimes(List<String> runtimes) {
        return new PublishLayerRequest(name, description, runtimes, compatibleArchitectures, licenseInfo);
    }

    public PublishLayerRequest withDescription(String value) {
        return new PublishLayerRequest(name, value, compatibleRuntimes, compatibleArchitectures, licenseInfo);
    }
}
