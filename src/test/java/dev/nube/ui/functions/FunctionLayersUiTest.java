package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionLayer;
import dev.nube.engine.functions.LayerVersion;
import dev.nube.engine.functions.PublishLayerRequest;
import dev.nube.ui.ConsoleUiTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Layers section of a function's Configuration tab, driven as a user would: two layer versions added from the
 * list of the region's, the first moved down, the order saved and then the engine's; a second version of a layer
 * already there refused in words.
 */
@Tag("ui")
class FunctionLayersUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    private LayerVersion publish(String name) throws Exception {
        Path zip = Files.createTempFile("layer-", ".zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            out.putArchiveEntry(new ZipArchiveEntry("python/" + name.replace('-', '_') + ".py"));
            out.write("X = 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        try {
            return console.engine().layers().publish(REGION, PublishLayerRequest.of(name), zip);
        } finally {
            Files.delete(zip);
        }
    }

    @Test
    void layersAreAddedReorderedAndSaved(FxRobot robot) throws Exception {
        LayerVersion first = publish("first-lib");
        LayerVersion second = publish("second-lib");
        LayerVersion again = publish("first-lib");
        console.engine().functions().create(REGION, CreateFunctionRequest.of("layered-ui", PYTHON));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "layered-ui");
        tab(robot, "configuration-tab");
        @SuppressWarnings("unchecked")
        ComboBox<LayerVersion> choice = FunctionsUi.visibleOrFail(robot, "#layers-choice", ComboBox.class);
        @SuppressWarnings("unchecked")
        ListView<String> chosen = robot.lookup("#layers-chosen").queryAs(ListView.class);
        Button add = robot.lookup("#layers-add").queryButton();
        waitUntil("the region's layer versions to choose from", () -> choice.getItems().size() == 3);

        for (LayerVersion version : List.of(first, second, again)) {
            robot.interact(() -> choice.setValue(choice.getItems().stream().filter(v -> v.arn().equals(
                    version.arn())).findFirst().orElseThrow()));
            robot.interact(add::fire); // below the fold of the tab: pressed as the keyboard would
        }
        waitUntil("two layers listed", () -> chosen.getItems().size() == 2);
        assertTrue(robot.lookup("#layers-problem").queryAs(Label.class).getText().contains("first-lib:1 already"),
                "a second version of a layer is refused in words");

        robot.interact(() -> chosen.getSelectionModel().select(0));
        Button down = robot.lookup("#layers-down").queryButton();
        assertTrue(!down.isDisabled() && robot.lookup("#layers-up").queryButton().isDisabled(),
                "the first layer moves down, not up");
        robot.interact(down::fire);
        waitUntil("first-lib moved below second-lib", () -> chosen.getItems().equals(List.of(second.arn(),
                first.arn())));
        robot.interact(robot.lookup("#layers-save").queryButton()::fire);
        waitUntil("saved", () -> robot.lookup("#layers-status").queryAs(Label.class).getText().startsWith("Saved"));
        assertEquals(List.of(second.arn(), first.arn()), console.engine().functions().get(REGION, "layered-ui")
                .layers().stream().map(FunctionLayer::arn).toList());
    }
}
