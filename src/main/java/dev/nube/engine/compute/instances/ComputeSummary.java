package dev.nube.engine.compute.instances;

import java.util.Map;

/** Counts for the dashboard of one region. {@code instancesByState} has every state, zero included. */
public record ComputeSummary(Map<InstanceState, Integer> instancesByState, int images, int keyPairs,
                             int securityGroups) {
    public ComputeSummary {
        instancesByState = Map.copyOf(instancesByState);
    }
}
