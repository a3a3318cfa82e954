package dev.nube.engine.compute.instances;

import dev.nube.engine.store.SettingsFile;
import dev.nube.engine.store.UnreadableDocumentException;

/**
 * The launch settings, kept in the data folder's {@code config/instances.json}: {@code restoreLaunches} (default
 * true) launches instances of Nube's tiny images by restoring a booted template instead of booting them. A missing
 * file or field means the default; an unreadable file is left for the person to repair and the default is used.
 * Thread-safe.
 */
final class LaunchSettings {
    /** The document; a null field reads as its default. */
    record Document(Boolean restoreLaunches) {
    }

    private final SettingsFile file;
    private volatile boolean restoreLaunches;

    LaunchSettings(SettingsFile file) {
        this.file = file;
        boolean stored = true;
        try {
            stored = !Boolean.FALSE.equals(file.read(Document.class).map(Document::restoreLaunches).orElse(null));
        } catch (UnreadableDocumentException e) {
            System.getLogger(LaunchSettings.class.getName()).log(System.Logger.Level.WARNING,
                    "the launch settings are unreadable; restore launches stay on: " + e.getMessage());
        }
        this.restoreLaunches = stored;
    }

    boolean restoreLaunches() {
        return restoreLaunches;
    }

    /** Saves the setting, then applies it to launches from now on. */
    synchronized void setRestoreLaunches(boolean on) {
        file.write(new Document(on));
        restoreLaunches = on;
    }
}
