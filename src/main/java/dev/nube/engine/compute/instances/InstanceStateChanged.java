package dev.nube.engine.compute.instances;

import dev.nube.engine.store.EngineEvent;

/**
 * An instance moved from one state to another (published beside the generic
 * {@link dev.nube.engine.store.ResourceChanged}). {@code previous} is null for a new instance; {@code reason} is the
 * state reason, if any.
 */
public record InstanceStateChanged(String region, String instanceId, InstanceState previous, InstanceState current,
                                   String reason) implements EngineEvent {
}
