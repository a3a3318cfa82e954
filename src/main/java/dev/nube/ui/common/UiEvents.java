package dev.nube.ui.common;

import dev.nube.engine.store.EngineEvent;
import dev.nube.engine.store.EngineEvents;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The one adapter between the engine's event bus and the UI: listeners registered here hear engine events on the UI
 * thread (the executor given, {@code Platform::runLater} in the console), filtered by type.
 */
public final class UiEvents {
    private final EngineEvents bus;
    private final Executor uiThread;

    public UiEvents(EngineEvents bus, Executor uiThread) {
        this.bus = bus;
        this.uiThread = uiThread;
    }

    /** Delivers events of {@code type} to {@code handler} on the UI thread until the returned handle is closed. */
    public <E extends EngineEvent> AutoCloseable on(Class<E> type, Consumer<? super E> handler) {
        return bus.subscribe(event -> {
            if (type.isInstance(event)) {
                E typed = type.cast(event);
                uiThread.execute(() -> handler.accept(typed));
            }
        });
    }
}
