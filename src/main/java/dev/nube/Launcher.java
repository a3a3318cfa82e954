package dev.nube;

import javafx.application.Application;

/**
 * The console's main class. It does not extend {@link Application}, so the JavaFX runtime can be loaded from the class
 * path (JediTermFX's module descriptor would not resolve on the module path).
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(NubeApp.class, args);
    }
}
