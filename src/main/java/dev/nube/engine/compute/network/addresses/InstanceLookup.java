package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.instances.InstanceState;
import java.util.Optional;

/** What the Elastic IPs need to know of instances; the instances engine implements it. */
public interface InstanceLookup {
    /** The state of instance {@code instanceId} of {@code region}, empty when there is no such instance. */
    Optional<InstanceState> stateOf(String region, String instanceId);
}
