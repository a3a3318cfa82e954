package dev.nube.engine.compute.instances;

import java.util.List;

/**
 * What RunInstances asks for. {@code keyPair} (id or name) may be null: the instance then has no SSH key.
 * {@code securityGroups} (ids or names) empty means the region's default group. {@code userData} may be null; at most
 * {@value #MAX_USER_DATA_BYTES} bytes. {@code rootVolumeGiB} 0 means the image's size. {@code httpTokens} is EC2's
 * metadata option, "required" or "optional"; null means "required" for an image made for IMDSv2 (see
 * {@link dev.nube.engine.compute.images.Image#imdsSupport()}), as EC2 does for new instances, else "optional".
 */
public record RunRequest(String imageId, String instanceType, String keyPair, List<String> securityGroups, int count,
                         String name, byte[] userData, int rootVolumeGiB, String httpTokens) {
    public static final int MAX_USER_DATA_BYTES = 16 * 1024;
    public static final int MAX_COUNT = 20;
    public static final int MAX_ROOT_VOLUME_GIB = 1024;

    public RunRequest {
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        userData = userData == null ? null : userData.clone();
    }

    /** One instance of {@code imageId} with the defaults: default group, no user data, the image's volume size. */
    public static RunRequest of(String imageId, String instanceType, String keyPair) {
        return new RunRequest(imageId, instanceType, keyPair, List.of(), 1, null, null, 0, null);
    }

    public RunRequest withName(String value) {
        return new RunRequest(imageId, instanceType, keyPair, securityGroups, count, value, userData, rootVolumeGiB,
                httpTokens);
    }

    public RunRequest withCount(int value) {
        return new RunRequest(imageId, instanceType, keyPair, securityGroups, value, name, userData, rootVolumeGiB,
                httpTokens);
    }

    public RunRequest withUserData(byte[] value) {
        return new RunRequest(imageId, instanceType, keyPair, securityGroups, count, name, value, rootVolumeGiB,
                httpTokens);
    }

    public RunRequest withRootVolumeGiB(int value) {
        return new RunRequest(imageId, instanceType, keyPair, securityGroups, count, name, userData, value,
                httpTokens);
    }

    public RunRequest withHttpTokens(String value) {
        return new RunRequest(imageId, instanceType, keyPair, securityGroups, count, name, userData, rootVolumeGiB,
                value);
    }

    public RunRequest withSecurityGroups(List<String> value) {
        return new RunRequest(imageId, instanceType, keyPair, value, count, name, userData, rootVolumeGiB,
                httpTokens);
    }
}
