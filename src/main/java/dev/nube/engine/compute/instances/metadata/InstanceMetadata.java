package dev.nube.engine.compute.instances.metadata;

import java.time.Instant;

/**
 * What one instance may learn about itself from the metadata service. {@code openSshKey}, {@code userData} and
 * {@code macAddress} may be null (no key pair, no user data, no private network). {@code tokensRequired} is EC2's
 * {@code HttpTokens}: true ("required") serves only requests that carry a session token (IMDSv2), false ("optional")
 * also answers plain requests (IMDSv1).
 */
public record InstanceMetadata(String instanceId, String instanceType, String imageId, String hostname,
                               String localIpv4, String keyName, String openSshKey, String region, byte[] userData,
                               String macAddress, Instant launchTime, boolean tokensRequired) {
    /** The account every resource of Nube belongs to, as EC2 names an owner. */
    public static final String ACCOUNT_ID = "000000000000";

    /** A region's one availability zone, e.g. {@code local-1a}. */
    public static String zoneOf(String region) {
        return region + "a";
    }
}
