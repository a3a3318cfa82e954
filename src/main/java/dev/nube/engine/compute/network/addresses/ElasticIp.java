package dev.nube.engine.compute.network.addresses;

import java.time.Instant;

/**
 * An Elastic IP: a public address kept by a region until it is released, which follows the instance it is associated
 * with. {@code instanceId} and {@code associationId} ({@code eipassoc-...}) are both set while it is associated, both
 * null otherwise; {@code associatedAt} is when the current association was made.
 */
public record ElasticIp(String allocationId, String publicIp, String instanceId, String associationId,
                        Instant allocatedAt, Instant associatedAt) {
    /** The prefix of association ids, as EC2 writes them. */
    public static final String ASSOCIATION_PREFIX = "eipassoc-";

    public boolean isAssociated() {
        return instanceId != null;
    }

    ElasticIp associatedWith(String instance, String association, Instant at) {
        return new ElasticIp(allocationId, publicIp, instance, association, allocatedAt, at);
    }

    ElasticIp disassociated() {
        return new ElasticIp(allocationId, publicIp, null, null, allocatedAt, null);
    }
}
