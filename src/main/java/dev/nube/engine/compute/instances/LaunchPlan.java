package dev.nube.engine.compute.instances;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.images.Images;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A {@link RunRequest} checked against the region and this machine: everything RunInstances needs, resolved, or an
 * {@link EngineException} naming the first problem. Checking changes nothing.
 */
record LaunchPlan(Image image, InstanceType type, KeyPair keyPair, List<SecurityGroup> groups, int count, String name,
                  byte[] userData, int rootVolumeGiB, String httpTokens) {
    /** Security groups per instance at most, as EC2 allows per network interface. */
    static final int MAX_GROUPS = 5;

    static LaunchPlan check(String region, RunRequest request, ImageService images, KeyPairService keyPairs,
                            SecurityGroupService securityGroups, InstanceTypes types, long memoryInUseMiB) {
        if (request == null) {
            throw EngineException.invalid("Nothing to launch.");
        }
        if (request.imageId() == null || request.imageId().isBlank()) {
            throw new EngineException("MissingParameter", "Choose an image to launch.");
        }
        if (!Images.isImageId(request.imageId())) {
            throw new EngineException("InvalidAMIID.Malformed", "'" + request.imageId()
                    + "' is not an image id (ami- and 17 hex digits).");
        }
        Image image = images.get(region, request.imageId());
        if (!image.available()) {
            throw new EngineException("InvalidAMIID.Unavailable", "Image " + image.id() + " is still being made; launch"
                    + " it once it is available.");
        }
        InstanceType type = types.find(request.instanceType()).orElseThrow(() -> EngineException.invalid(
                "There is no instance type '" + request.instanceType() + "'. Choose one of "
                        + InstanceTypes.ALL.stream().map(InstanceType::name).toList() + "."));
        String misfit = types.whyNotFits(type);
        if (misfit != null) {
            throw EngineException.invalid(misfit + " Choose a smaller instance type.");
        }
        if (request.count() < 1 || request.count() > RunRequest.MAX_COUNT) {
            throw EngineException.invalid("Launch between 1 and " + RunRequest.MAX_COUNT + " instances at a time, not "
                    + request.count() + ".");
        }
        long wanted = (long) type.memoryMiB() * request.count();
        if (types.hostMemoryMiB() > 0 && memoryInUseMiB + wanted > types.hostMemoryMiB()) {
            throw new EngineException("InsufficientInstanceCapacity", request.count() + " x " + type.name() + " need "
                    + wanted + " MiB of memory; running instances already have " + memoryInUseMiB + " MiB of this"
                    + " machine's " + types.hostMemoryMiB() + " MiB.");
        }
        KeyPair keyPair = request.keyPair() == null || request.keyPair().isBlank() ? null
                : keyPairs.get(region, request.keyPair());
        List<SecurityGroup> groups = new ArrayList<>();
        for (String group : new LinkedHashSet<>(request.securityGroups().isEmpty() ? List.of(SecurityGroup.DEFAULT_NAME)
                : request.securityGroups())) {
            groups.add(securityGroups.get(region, group));
        }
        if (groups.size() > MAX_GROUPS) {
            throw EngineException.invalid("An instance has at most " + MAX_GROUPS + " security groups; "
                    + groups.size() + " were given.");
        }
        byte[] userData = request.userData();
        if (userData != null && userData.length > RunRequest.MAX_USER_DATA_BYTES) {
            throw EngineException.invalid("User data is limited to 16 KB (" + RunRequest.MAX_USER_DATA_BYTES
                    + " bytes); this is " + userData.length + " bytes.");
        }
        int volume = request.rootVolumeGiB() == 0 ? image.rootDeviceGiB() : request.rootVolumeGiB();
        if (volume < image.rootDeviceGiB() || volume > RunRequest.MAX_ROOT_VOLUME_GIB) {
            throw EngineException.invalid("The root volume of " + image.name() + " is between "
                    + image.rootDeviceGiB() + " and " + RunRequest.MAX_ROOT_VOLUME_GIB + " GiB, not " + volume + ".");
        }
        String name = request.name() == null ? "" : request.name().strip();
        if (name.length() > 256) {
            throw EngineException.invalid("A name has at most 256 characters; this one has " + name.length() + ".");
        }
        if (name.chars().anyMatch(c -> c < 0x20)) {
            throw EngineException.invalid("A name cannot hold control characters.");
        }
        String tokens = request.httpTokens() == null || request.httpTokens().isBlank()
                ? (Image.IMDS_V2.equals(image.imdsSupport()) ? InstanceRecord.HTTP_TOKENS_REQUIRED
                        : InstanceRecord.HTTP_TOKENS_OPTIONAL)
                : InstanceRecord.checkHttpTokens(request.httpTokens().strip());
        return new LaunchPlan(image, type, keyPair, List.copyOf(groups), request.count(), name,
                userData == null || userData.length == 0 ? null : userData, volume, tokens);
    }

    /** For logs: what user data there is, without its content. */
    String describeUserData() {
        return userData == null ? "none" : userData.length + " bytes, "
                + (new String(userData, 0, Math.min(2, userData.length), StandardCharsets.UTF_8).equals("#!")
                ? "a script" : "not a script");
    }
}
