package dev.nube.engine.functions;

import dev.nube.engine.store.EngineEvent;

/** A function's schedules changed, or one of them ran or heard how its run ended. */
public record SchedulesChanged(String region, String functionName) implements EngineEvent {
}
