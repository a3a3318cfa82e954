package dev.nube.engine.store;

/** Something that changed in the engine. Events are immutable values; see {@link EventBus} for delivery. */
public interface EngineEvent {
}
