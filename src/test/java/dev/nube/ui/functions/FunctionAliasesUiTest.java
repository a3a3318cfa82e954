package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionAlias;
import dev.nube.ui.ConsoleUiTest;
import java.util.Map;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Aliases tab: an alias made through its dialog, refused as typed while the name or the share is wrong, edited to
 * split invocations between two versions, and deleted after a confirmation. Runs no function.
 */
@Tag("ui")
class FunctionAliasesUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    private static String problem(FxRobot robot) {
        return robot.lookup("#alias-problem").queryAs(Label.class).getText();
    }

    /** The confirmation dialog's Delete button (the dialog is a window of its own), or null before it shows. */
    private static Button confirmation(FxRobot robot, TableView<?> table) {
        return robot.lookup((javafx.scene.Node n) -> n instanceof Button b && "Delete".equals(b.getText())
                && n.getScene() != table.getScene()).tryQuery().map(Button.class::cast).orElse(null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anAliasIsMadeSplitAndDeletedThroughTheDialog(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("aliased", PYTHON));
        console.engine().functions().publishVersion(REGION, "aliased", "");
        console.engine().functions().publishVersion(REGION, "aliased", "");
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "aliased");
        tab(robot, "aliases-tab");
        TableView<FunctionAlias> table = robot.lookup("#aliases-table").queryAs(TableView.class);

        robot.clickOn("#aliases-create");
        Button save = robot.lookup("#alias-save").queryButton();
        assertTrue(save.isDisabled(), "no name, no alias");
        robot.clickOn("#alias-name").write("12");
        waitUntil("the name is refused as typed", () -> problem(robot).contains("only digits"));
        assertTrue(save.isDisabled());
        robot.push(KeyCode.CONTROL, KeyCode.A).write("live");
        waitUntil("the name is accepted", () -> !save.isDisabled());
        assertEquals("2", robot.lookup("#alias-version").queryAs(ComboBox.class).getValue(), "the newest version");
        robot.clickOn("#alias-save");
        waitUntil("the alias is listed", () -> table.getItems().size() == 1);
        assertEquals("2", console.engine().functions().alias(REGION, "aliased", "live").functionVersion());

        robot.clickOn("live");
        robot.clickOn("#aliases-edit");
        ComboBox<String> additional = robot.lookup("#alias-additional-version").queryAs(ComboBox.class);
        robot.interact(() -> additional.setValue("1"));
        Button edited = robot.lookup("#alias-save").queryButton();
        robot.clickOn("#alias-weight").write("100");
        waitUntil("a whole share is refused", () -> problem(robot).contains("not including) 100"));
        assertTrue(edited.isDisabled());
        robot.push(KeyCode.CONTROL, KeyCode.A).write("25");
        waitUntil("the share is accepted", () -> !edited.isDisabled());
        robot.clickOn("#alias-save");
        waitUntil("the split is shown", () -> robot.lookup("2 (75%), 1 (25%)").tryQuery().isPresent());
        assertEquals(Map.of("1", 0.25), console.engine().functions().alias(REGION, "aliased", "live")
                .additionalVersionWeights());

        robot.clickOn("live");
        robot.clickOn("#aliases-delete");
        waitUntil("asked first", () -> confirmation(robot, table) != null);
        robot.clickOn(confirmation(robot, table));
        waitUntil("the alias is gone", () -> table.getItems().isEmpty());
        assertTrue(console.engine().functions().aliases(REGION, "aliased").isEmpty());
    }
}
