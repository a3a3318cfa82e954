package dev.nube.engine.region;

import dev.nube.engine.store.EngineEvent;

/** A region was created or removed. */
public record RegionsChanged() implements EngineEvent {
}
