package dev.nube.ui.common;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.SettingsFile;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps {@link ConsoleSettings} in the engine's settings file for the console ({@code console.json} in the data
 * folder, see {@code Engine.settingsFile}), written atomically. An unreadable file
 * is left alone (and reported once); the console then starts with defaults and overwrites it only when a setting
 * changes. Thread-safe.
 */
public final class ConsoleSettingsStore {
    private static final System.Logger LOG = System.getLogger(ConsoleSettingsStore.class.getName());
    private final SettingsFile file;
    private final AtomicReference<ConsoleSettings> current;

    public ConsoleSettingsStore(SettingsFile file) {
        this.file = file;
        ConsoleSettings loaded;
        try {
            loaded = file.read(ConsoleSettings.class).orElse(ConsoleSettings.defaults());
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
            file.write(updated);
        } catch (EngineException e) {
            LOG.log(System.Logger.Level.WARNING, "console settings not saved: " + e.getMessage());
        }
    }
}
