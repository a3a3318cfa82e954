package dev.nube.engine.compute.storage;

import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The changes of one kind of resource, as published on the event bus: each change at once, and progress of a
 * resource being made at most twice a second (lists show its percentage). A resource's throttle is forgotten with
 * its next plain change (it completed, failed or went).
 */
final class ResourceEvents {
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    private final EventBus events;
    private final ResourceKind kind;
    private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();

    ResourceEvents(EventBus events, ResourceKind kind) {
        this.events = events;
        this.kind = kind;
    }

    void publish(String region, String id, Change change) {
        lastProgress.remove(region + "/" + id);
        events.publish(new ResourceChanged(region, kind, id, change));
    }

    /** A progress change of a resource being made, published unless one was less than half a second ago. */
    void progressed(String region, String id) {
        long now = System.nanoTime();
        Long last = lastProgress.get(region + "/" + id);
        if (last == null || now - last > PROGRESS_EVERY_NANOS) {
            lastProgress.put(region + "/" + id, now);
            events.publish(new ResourceChanged(region, kind, id, Change.UPDATED));
        }
    }
}
