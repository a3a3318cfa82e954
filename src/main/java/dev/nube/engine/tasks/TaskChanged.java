package dev.nube.engine.tasks;

import dev.nube.engine.store.EngineEvent;

/** A task started, moved on or ended ({@code task} as it is now), or was cleared from the list ({@code removed}). */
public record TaskChanged(Task task, boolean removed) implements EngineEvent {
}
