package dev.nube.engine.store;

import java.util.Optional;

/**
 * A JSON document in the data folder where a client of the engine keeps its own settings (the console's theme and
 * window, say). Written atomically; reading never changes or deletes the file. Thread-safe.
 */
public interface SettingsFile {
    /** The settings, or empty when there are none yet; throws {@link UnreadableDocumentException} if unreadable. */
    <T> Optional<T> read(Class<T> type);

    /** Replaces the settings durably; throws {@code EngineException} (StorageError) when that fails. */
    void write(Object settings);

    /** The document at {@code file}, kept with {@link DocumentStore}. */
    static SettingsFile at(java.nio.file.Path file) {
        return new SettingsFile() {
            @Override
            public <T> Optional<T> read(Class<T> type) {
                return DocumentStore.read(file, type);
            }

            @Override
            public void write(Object settings) {
                DocumentStore.write(file, settings);
            }
        };
    }
}
