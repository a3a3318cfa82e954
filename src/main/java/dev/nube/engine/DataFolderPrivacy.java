package dev.nube.engine;

import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Makes the trees Nube keeps data in readable by their owner only when the engine opens: the data folder, the cache
 * and region roots kept elsewhere, as an earlier build left them (folders 755, documents 644) or as they were loosened
 * by hand. A tree whose top folder is already of mode 700 and carries the marker of an earlier check is not walked
 * (two file system calls), so opening stays fast however much the tree holds; any other is walked once, without
 * following links. Each change is reported once, in the engine's log. Called on the opening thread only.
 */
final class DataFolderPrivacy {
    /** The cache's image builds under way: a guest's root being assembled keeps the modes the guest needs. */
    static final Predicate<Path> BUILDS_UNDER_WAY = dir -> dir.getFileName().toString().startsWith(".build-");

    private DataFolderPrivacy() {
    }

    /**
     * Checks the tree at {@code top} (called {@code what} in the log, e.g. "data folder"), if it exists, and reports
     * through {@code log} what it changed or could not change; never throws (the data stays usable as it is).
     */
    static void check(String what, Path given, Predicate<Path> keepInside, Consumer<String> log) {
        try {
            if (!Files.isDirectory(given)) {
                return;
            }
            Path top = given.toRealPath(); // a data folder reached through a link is checked where it is
            if (PrivateFiles.isChecked(top)) {
                return;
            }
            PrivateFiles.Tightened done = PrivateFiles.tighten(top, keepInside);
            if (done.changedAnything()) {
                log.accept("Made the " + what + " " + top + " readable by its owner only ("
                        + (done.topWasOpen() ? "it was readable by other users" : "it was closed to other users,")
                        + (done.changed() == 0 ? "" : (done.topWasOpen() ? "; " : " but ") + done.changed()
                        + (done.changed() == 1 ? " file or folder in it was" : " files and folders in it were")
                        + " open to them") + ")");
            }
            if (!done.failures().isEmpty()) {
                log.accept("Could not make " + done.failures().size() + " files or folders in the " + what + " "
                        + top + " readable by their owner only, e.g. " + done.failures().get(0));
            }
        } catch (IOException | RuntimeException e) {
            log.accept("Could not check who may read the " + what + " " + given + ": " + e.getMessage());
        }
    }
}
