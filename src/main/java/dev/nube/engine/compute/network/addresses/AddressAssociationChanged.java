package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.store.EngineEvent;

/**
 * An Elastic IP was associated, moved or disassociated: it now leads to {@code instanceId} (null when to none), and
 * no longer to {@code previousInstanceId} (null when it led nowhere). Published after the change is saved, so that
 * the instances engine moves the address's listeners from one instance to the other and gives or takes back the
 * instances' own public IPs.
 */
public record AddressAssociationChanged(String region, String allocationId, String publicIp,
                                        String previousInstanceId, String instanceId) implements EngineEvent {
}
