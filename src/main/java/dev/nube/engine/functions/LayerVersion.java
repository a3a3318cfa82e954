package dev.nube.engine.functions;

import java.time.Instant;
import java.util.List;

/**
 * One published version of a layer, as stored ({@code layers/<name>/<version>/layer.json}) and as GetLayerVersion
 * shows it. Immutable once published: a new content is a new version.
 *
 * @param codeSize     the size of the zip as uploaded (Lambda's CodeSize)
 * @param unzippedSize the size of its files once unzipped, which counts against a function's 250 MB
 * @param compatibleRuntimes      empty when the layer names none (then any runtime may use it)
 * @param compatibleArchitectures empty when it names none
 */
public record LayerVersion(String region, String name, int version, String description, Instant createdAt,
        List<String> compatibleRuntimes, List<String> compatibleArchitectures, String licenseInfo,
        String codeSha256, long codeSize, long unzippedSize) {
    /** The account id Nube shows in every ARN. */
    public static final String ACCOUNT = "000000000000";

    public LayerVersion {
        description = description == null ? "" : description;
        compatibleRuntimes = compatibleRuntimes == null ? List.of() : List.copyOf(compatibleRuntimes);
        compatibleArchitectures = compatibleArchitectures == null ? List.of() : List.copyOf(compatibleArchitectures);
    }

    /** arn:aws:lambda:REGION:000000000000:layer:NAME */
    public String layerArn() {
        return layerArn(region, name);
    }

    /** arn:aws:lambda:REGION:000000000000:layer:NAME:VERSION */
    public String arn() {
        return layerArn() + ":" + version;
    }

    public static String layerArn(String region, String name) {
        return "arn:aws:lambda:" + region + ":" + ACCOUNT + ":layer:" + name;
    }

    /**
     * True when it is meant for functions of {@code runtime}: it names no runtime, or names this one. What the console
     * offers a function; the API lets any function use any layer, as Lambda's does (the list is only metadata there).
     */
    public boolean allows(String runtime) {
        return compatibleRuntimes.isEmpty() || compatibleRuntimes.contains(runtime);
    }
}
