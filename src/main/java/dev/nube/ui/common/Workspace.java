package dev.nube.ui.common;

import javafx.scene.Node;

/**
 * The console's tabs beside the pages: terminals and other long-lived views a page opens. FX thread only.
 */
public interface Workspace {
    /**
     * Shows the tab known by {@code key}, opening it with {@code content} if there is none; {@code onClose} runs
     * when the person closes it (or the console closes).
     */
    void openTab(String key, String title, Node content, Runnable onClose);

    /** Brings the tab known by {@code key} to the front; false when there is none. */
    boolean showTab(String key);

    /** The content of the open tab known by {@code key}, or null. */
    Node tab(String key);

    /** Closes the tab known by {@code key} (its {@code onClose} runs), if it is open. */
    void closeTab(String key);

    /** Brings the pages back to the front. */
    void showPages();
}
