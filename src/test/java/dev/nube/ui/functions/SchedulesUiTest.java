package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.ScheduleStatus;
import dev.nube.ui.ConsoleUiTest;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** The Schedules tab as a person uses it: an expression typed wrong and then right, saved, disabled, deleted. */
@Tag("ui")
class SchedulesUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aScheduleIsCheckedAsTypedSavedDisabledAndDeleted(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("timed", PYTHON));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "timed");
        tab(robot, "schedules-tab");
        robot.clickOn("#schedules-add");
        robot.clickOn("#schedule-expression").push(KeyCode.CONTROL, KeyCode.A).write("cron(0 12 * * *)");
        waitUntil("the problem shows", () -> text(robot, "#schedule-expression-problem").contains("six fields"));
        assertTrue(robot.lookup("#schedule-save").queryAs(Button.class).isDisabled());

        robot.clickOn("#schedule-expression").push(KeyCode.CONTROL, KeyCode.A).write("cron(0 12 * * ? 2199)");
        waitUntil("the problem goes", () -> text(robot, "#schedule-expression-problem").isEmpty());
        String[] preview = text(robot, "#schedule-preview").split("\n");
        assertEquals(5, preview.length);
        assertTrue(preview[0].startsWith("Tue 2199-01-01 12:00 UTC  ("), preview[0]);
        robot.clickOn("#schedule-name").write("noon");
        robot.clickOn("#schedule-save");
        waitUntil("saved, the form closes", () -> robot.lookup("#schedules-table").tryQuery().isPresent());

        TableView<ScheduleStatus> table = robot.lookup("#schedules-table").queryAs(TableView.class);
        waitUntil("the schedule is listed", () -> table.getItems().size() == 1);
        robot.clickOn("noon");
        robot.clickOn("#schedules-toggle");
        waitUntil("it is disabled", () -> !table.getItems().get(0).schedule().enabled());
        assertEquals("Enable", robot.lookup("#schedules-toggle").queryAs(Button.class).getText());
        assertTrue(robot.lookup("Disabled").tryQuery().isPresent(), "the table says so");

        robot.clickOn("#schedules-delete");
        robot.clickOn(".danger");
        waitUntil("it is gone", () -> table.getItems().isEmpty());
        assertEquals(0, console.engine().functionSchedules().schedules(REGION, "timed").size());
    }
}
