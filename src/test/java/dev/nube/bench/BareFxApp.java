package dev.nube.bench;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

/**
 * The baseline of the console benchmark: a bare JavaFX window with one label, timed as the console is. Like
 * {@code dev.nube.Launcher}, the main class does not extend Application (JavaFX on the class path).
 */
public final class BareFxApp {
    private BareFxApp() {
    }

    public static void main(String[] args) {
        Application.launch(Window.class, args);
    }

    /** The window. */
    public static final class Window extends Application {
        @Override
        public void start(Stage stage) {
            stage.setScene(new Scene(new StackPane(new Label("bare")), 1280, 800));
            stage.setOnShown(e -> {
                long millis = System.currentTimeMillis()
                        - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
                System.err.println("bare first frame " + millis + " ms");
                Platform.exit();
            });
            stage.show();
        }
    }
}
