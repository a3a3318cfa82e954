package dev.nube.engine.store;

import java.util.function.Consumer;

/** Where clients of the engine (the console) hear its events. Thread-safe; see {@link EventBus} for delivery. */
public interface EngineEvents {
    /** Starts delivering events to {@code listener}; close the returned handle to stop. */
    AutoCloseable subscribe(Consumer<? super EngineEvent> listener);
}
