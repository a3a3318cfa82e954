package dev.nube.ui.functions;

import dev.nube.ui.ConsoleFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The whole console over a real engine in a fresh data folder for each test, as the functions UI tests use it. */
@ExtendWith(ApplicationExtension.class)
abstract class FunctionsConsoleTest {
    @TempDir
    static Path temp;
    ConsoleFixture console;

    @Start
    void start(Stage stage) throws Exception {
        console = new ConsoleFixture(Files.createTempDirectory(temp, "console"), stage);
    }

    @AfterEach
    void close() {
        console.close();
    }
}
