package dev.nube.engine.compute.instances.metadata;

/**
 * What one instance may learn about itself from the metadata service. {@code openSshKey} and {@code userData} may be
 * null (no key pair, no user data).
 */
public record InstanceMetadata(String instanceId, String instanceType, String imageId, String hostname,
                               String localIpv4, String keyName, String openSshKey, String region, byte[] userData) {
}
