package dev.nube.engine.store;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The engine's event bus. {@link #publish} delivers synchronously, on the publishing thread, to every listener in
 * subscription order; a listener must return quickly (the UI's adapter only hands the event to the FX thread). A
 * listener that throws is logged and does not stop delivery to the others.
 */
public final class EventBus implements EngineEvents {
    private static final System.Logger LOG = System.getLogger(EventBus.class.getName());
    private final List<Consumer<? super EngineEvent>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public AutoCloseable subscribe(Consumer<? super EngineEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void publish(EngineEvent event) {
        for (Consumer<? super EngineEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event listener failed on " + event, e);
            }
        }
    }
}
