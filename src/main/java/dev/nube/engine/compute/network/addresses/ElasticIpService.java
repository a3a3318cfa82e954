package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.store.Listing;
import java.util.Optional;

/**
 * Elastic IPs per region (EC2 AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress,
 * DescribeAddresses). Addresses come from the host's one public address pool ({@link AddressPool}); each region may
 * hold {@link #quota()} of them. An association change is published as {@link AddressAssociationChanged} (and as a
 * {@code ResourceChanged} for lists). Refusals throw {@code EngineException} with EC2's codes and change nothing.
 * Thread-safe.
 */
public interface ElasticIpService {
    Listing<ElasticIp> list(String region);

    /** By allocation id; throws {@code InvalidAllocationID.NotFound}. */
    ElasticIp get(String region, String allocationId);

    /** A new Elastic IP, unassociated; throws {@code AddressLimitExceeded} when the region holds its quota already. */
    ElasticIp allocate(String region);

    /**
     * Associates the address with {@code instanceId}. An address associated elsewhere moves (as EC2 does), and an
     * address the instance had before is disassociated from it. Throws {@code InvalidInstanceID.NotFound} for an
     * unknown instance and {@code IncorrectInstanceState} for one that is terminated or shutting down.
     */
    ElasticIp associate(String region, String allocationId, String instanceId);

    /**
     * Disassociates the address, named by its allocation id or its association id. Throws
     * {@code InvalidAssociationID.NotFound} when that association does not exist (an address not associated has none).
     */
    ElasticIp disassociate(String region, String allocationIdOrAssociationId);

    /** Gives the address back to the pool; refused with {@code InvalidIPAddress.InUse} while it is associated. */
    void release(String region, String allocationId);

    /** The Elastic IP associated with {@code instanceId}, if any. */
    Optional<ElasticIp> elasticIpOf(String region, String instanceId);

    /** How many Elastic IPs each region may hold (a setting). */
    int quota();
}
