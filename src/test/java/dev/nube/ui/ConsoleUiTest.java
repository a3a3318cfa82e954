package dev.nube.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;

/**
 * The whole console over a real engine in a fresh data folder for each test, as the UI tests use it. Each test class
 * has its own {@code @Start} method calling {@link #open(Stage)}: TestFX looks for it in the test class itself, not
 * in its superclasses.
 */
@ExtendWith(ApplicationExtension.class)
public abstract class ConsoleUiTest {
    @TempDir
    protected static Path temp;
    protected ConsoleFixture console;

    protected void open(Stage stage) throws Exception {
        console = new ConsoleFixture(Files.createTempDirectory(temp, "console"), stage);
    }

    @AfterEach
    protected void close() {
        console.close();
    }
}
