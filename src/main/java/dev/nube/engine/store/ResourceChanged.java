package dev.nube.engine.store;

/** A resource was created, changed (state, configuration) or deleted. */
public record ResourceChanged(String region, ResourceKind kind, String id, Change change) implements EngineEvent {
    public enum Change { CREATED, UPDATED, DELETED }
}
