package dev.nube.ui.common;

import javafx.scene.Node;
import javafx.stage.Window;

/** Small helpers about nodes. */
public final class Nodes {
    private Nodes() {
    }

    /**
     * The window a node is shown in, or null when it is not on screen (the person moved to another page before a
     * background task answered): dialogs then open without an owner rather than failing.
     */
    public static Window windowOf(Node node) {
        return node.getScene() == null ? null : node.getScene().getWindow();
    }
}
