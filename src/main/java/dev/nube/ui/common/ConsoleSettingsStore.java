package dev.nube.ui.common;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.DocumentStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps {@link ConsoleSettings} in {@code console.json} in the data folder, written atomically. An unreadable file
 * is left alone (and reported once); the console then starts with defaults and overwrites it only when a setting
 * changes. Thread-safe.
 */
public final class ConsoleSettingsStore {
    private static final System.Logger LOG = System.getLogger(ConsoleSettingsStore.class.getName());
    private final Path file;
    private final AtomicReference<ConsoleSettings> current;

    public ConsoleSettingsStore(Path dataFolder) {
        this.file = dataFolder.resolve("console.json");
        ConsoleSettings loaded;
        try {
            loaded = DocumentStore.read(file, ConsoleSettings.class).orElse(ConsoleSettings.defaults());
        } catch (EngineException e) {
            LOG.log(System.Logger.Level.WARNING, "console settings ignored: " + e.getMessage());
            loaded = ConsoleSettings.defaults();
        }
        current = new AtomicReference<>(loaded);
    }

    public ConsoleSettings get() {
        return current.get();
    }

    /** Changes the settings in memory and on disk; blocks for a durable write, so call it through a TaskExecutor. */
    public synchronized void update(java.util.function.UnaryOperator<ConsoleSettings> change) {
        // Serialised, and each write takes the newest value: quick changes never leave an older one on disk.
        ConsoleSettings updated = current.updateAndGet(change);
        try {
            DocumentStore.write(file, updated);
        } catch (EngineException e) {
            LOG.log(System.Logger.Level.WARNING, "console settings not saved: " + e.getMessage());
        }
    }
}
