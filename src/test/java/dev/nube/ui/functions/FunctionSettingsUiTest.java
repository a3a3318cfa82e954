package dev.nube.ui.functions;

import dev.nube.ui.ConsoleUiTest;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.area;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.LogQuery;
import dev.nube.engine.functions.RuntimeInfo;
import dev.nube.engine.functions.TestEvent;
import dev.nube.engine.functions.sandbox.SandboxMode;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * What the console refuses or says before anything runs: the memory control holds only sizes Lambda offers,
 * invalid JSON never reaches the function, the wizard offers only runtimes that are here, a delete says what is
 * lost, and the function page says plainly when isolation is weaker than full.
 */
@Tag("ui")
class FunctionSettingsUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    private void open(FxRobot robot, String name) {
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, name);
    }

    @Test
    void theMemoryControlOnlyAllowsValidValues(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("sized", PYTHON));
        open(robot, "sized");
        tab(robot, "configuration-tab");
        TextField field = FunctionsUi.visibleOrFail(robot, "#config-memory .memory-field", TextField.class);
        Slider slider = FunctionsUi.visibleOrFail(robot, "#config-memory .memory-slider", Slider.class);
        waitUntil("the saved size shows", () -> field.getText().equals("128"));

        record Typed(String typed, String shown) {
        }
        for (Typed t : List.of(new Typed("1000", "1024"), new Typed("50", "128"), new Typed("99999", "3008"),
                new Typed("3008", "3008"), new Typed("161", "192"), new Typed("", "192"))) {
            robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).push(KeyCode.BACK_SPACE).write(t.typed())
                    .push(KeyCode.ENTER);
            waitUntil(t.typed() + " becomes " + t.shown(), () -> field.getText().equals(t.shown())
                    && slider.getValue() == Integer.parseInt(t.shown()));
        }
        assertTrue(text(robot, "#config-memory .memory-note").startsWith("Enter a number of MB"),
                "an empty entry says what to enter");
        robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).write("1000").push(KeyCode.ENTER);
        waitUntil("the snap is explained", () -> text(robot, "#config-memory .memory-note")
                .contains("1000 MB is not a size Lambda offers") && field.getText().equals("1024"));
        robot.clickOn(field).push(KeyCode.CONTROL, KeyCode.A).write("abc").push(KeyCode.ENTER);
        waitUntil("letters are not taken: still a valid size", () -> field.getText().equals("1024"));

        robot.clickOn(slider).push(KeyCode.HOME);
        waitUntil("Home goes to the smallest size", () -> field.getText().equals("128"));
        robot.push(KeyCode.RIGHT);
        waitUntil("one step is 64 MB", () -> field.getText().equals("192") && slider.getValue() == 192);
        robot.clickOn("#config-save");
        waitUntil("saved", () -> console.engine().functions().get(REGION, "sized").memoryMb() == 192);
    }

    @Test
    void invalidJsonInATestEventIsRefusedBeforeInvoking(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("strict", PYTHON));
        open(robot, "strict");
        tab(robot, "test-tab");
        robot.clickOn(area(robot, "test-event-json")).push(KeyCode.CONTROL, KeyCode.A).write("{\"name\": \"Bob\",\n}");
        waitUntil("the JSON is flagged with where it breaks", () -> text(robot, "#test-event-problem")
                .equals("Line 2, column 1: Unexpected character ('}' (code 125)): was expecting double-quote to"
                        + " start field name"));
        assertTrue(robot.lookup("#test-save").queryButton().isDisabled(), "invalid JSON is not saved");
        robot.clickOn("#test-invoke");
        waitUntil("the Test tab says nothing was sent", () -> text(robot, "#test-result-status")
                .contains("Not sent: the event is not valid JSON. Line 2, column 1:"));
        assertTrue(console.engine().functionMonitor().logEvents(REGION, "strict", LogQuery.last(10)).isEmpty(),
                "the function never ran");
        assertEquals(0, console.engine().functions().list(REGION).items().get(0).invocations24h());

        robot.clickOn(area(robot, "test-event-json")).push(KeyCode.CONTROL, KeyCode.END).push(KeyCode.BACK_SPACE)
                .push(KeyCode.BACK_SPACE).push(KeyCode.BACK_SPACE).write("}");
        waitUntil("fixed JSON is accepted", () -> text(robot, "#test-event-problem").isEmpty());
        assertFalse(robot.lookup("#test-save").queryButton().isDisabled());
    }

    @Test
    void theWizardOffersOnlyRuntimesPresentAndDeleteSaysWhatIsLost(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("doomed", PYTHON));
        console.engine().functions().saveTestEvent(REGION, "doomed", new TestEvent("e1", "{}"));
        console.engine().functions().publishVersion(REGION, "doomed", "v1");
        TableView<FunctionSummary> table = FunctionsUi.openFunctionsPage(robot);
        waitUntil("listed", () -> table.getItems().size() == 1);

        robot.clickOn("#create-function");
        @SuppressWarnings("unchecked")
        ComboBox<RuntimeInfo> runtimes = robot.lookup("#function-runtime").queryAs(ComboBox.class);
        waitUntil("runtimes are offered", () -> !runtimes.getItems().isEmpty());
        assertEquals(console.engine().functions().runtimes(), runtimes.getItems());
        robot.clickOn("#function-name").write("doomed");
        waitUntil("a taken name is refused as typed", () -> robot.lookup("#function-create-message")
                .queryAs(Label.class).getText().contains("already exists"));
        robot.clickOn("Cancel");

        FunctionsUi.clickText(robot, "doomed");
        robot.clickOn("#delete-function");
        waitUntil("the confirmation says what is lost", () -> robot.lookup((javafx.scene.Node n) -> n instanceof Label l
                && l.getText() != null && l.getText().contains("1 published version, 1 saved test event"))
                .tryQuery().isPresent());
        robot.clickOn("Cancel");
        assertEquals(1, table.getItems().size(), "cancel keeps it");
        robot.clickOn("#delete-function");
        waitUntil("asked again", () -> robot.lookup(".danger").tryQuery().isPresent());
        robot.clickOn(robot.lookup(".danger").queryAs(Button.class));
        waitUntil("deleted", () -> table.getItems().isEmpty());
        assertTrue(console.engine().functions().list(REGION).items().isEmpty());
    }

    @Test
    void theFunctionPageSaysWhenIsolationIsWeaker(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("isolated", PYTHON));
        open(robot, "isolated");
        Label notice = robot.lookup("#isolation-notice").queryAs(Label.class);
        boolean full = console.engine().functions().sandboxMode().kernelEnforced()
                && console.engine().functions().sandboxProblem().isEmpty();
        waitUntil("the notice matches the sandbox", () -> notice.isVisible() != full);

        robot.interact(() -> { }); // the engine's settings change off the FX thread, as the settings page will
        console.engine().functions().updateSettings(console.engine().functions().settings()
                .withSandboxMode(SandboxMode.WATCHDOG));
        waitUntil("the page says so plainly", () -> notice.isVisible() && notice.getText().startsWith(
                "Weaker isolation here: there are no cgroups, so each of a function's processes gets a data limit"));
        waitUntil("the status bar too", () -> text(robot, "#status-sandbox").contains("watchdog"));
        console.engine().functions().updateSettings(console.engine().functions().settings().withSandboxMode(null));
        if (full) {
            waitUntil("and stops saying it when limits are kernel-enforced again", () -> !notice.isVisible());
        }
    }

    @Test
    void theMemoryFieldSaysWhatCpuItGivesAndTheSettingTurnsItOff(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("cpu-share", PYTHON));
        FunctionsUi.openFunctionsPage(robot);
        javafx.scene.control.CheckBox setting = FunctionsUi.visibleOrFail(robot, "#functions-cpu-from-memory",
                javafx.scene.control.CheckBox.class);
        waitUntil("the setting is read: on, as on AWS", () -> !setting.isDisabled() && setting.isSelected());
        FunctionsUi.openFunction(robot, "cpu-share");
        tab(robot, "configuration-tab");
        waitUntil("128 MB is 7% of a CPU", () -> text(robot, "#config-cpu").startsWith("CPU: 7% of one CPU"));
        TextField field = FunctionsUi.visibleOrFail(robot, "#config-memory .memory-field", TextField.class);
        robot.clickOn(field).eraseText(field.getText().length()).write("1792").type(KeyCode.ENTER);
        waitUntil("1,792 MB is about one CPU", () -> text(robot, "#config-cpu").startsWith("CPU: 1.01 CPUs"));
        robot.clickOn("#config-reset");

        robot.clickOn("#back-to-functions");
        javafx.scene.control.CheckBox again = FunctionsUi.visibleOrFail(robot, "#functions-cpu-from-memory",
                javafx.scene.control.CheckBox.class);
        robot.clickOn(again);
        waitUntil("turned off in the engine", () -> !console.engine().functions().settings().cpuFromMemory()
                && !again.isDisabled() && !again.isSelected());
        FunctionsUi.openFunction(robot, "cpu-share");
        tab(robot, "configuration-tab");
        waitUntil("the memory field says so", () -> text(robot, "#config-cpu").startsWith("CPU: the whole machine"));
        robot.clickOn("#back-to-functions");
        robot.clickOn(again);
        waitUntil("on again", () -> console.engine().functions().settings().cpuFromMemory() && again.isSelected());
    }

    @Test
    void aFunctionUrlIsCreatedShownCopiedAndDeletedFromTheConfigurationTab(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("linked", PYTHON));
        open(robot, "linked");
        tab(robot, "configuration-tab");
        javafx.scene.control.ScrollPane form = FunctionsUi.visibleOrFail(robot, ".configuration-tab",
                javafx.scene.control.ScrollPane.class);
        waitUntil("the section says there is no URL", () -> text(robot, "#url-address").contains("has no URL"));
        robot.interact(() -> form.setVvalue(1)); // the section is at the bottom of the tab
        robot.clickOn("#url-auth-iam");
        robot.clickOn("#url-create");
        waitUntil("the URL shows", () -> text(robot, "#url-address").startsWith("http://"));
        String url = console.engine().functionUrls().get(REGION, "linked").url();
        assertEquals(url, text(robot, "#url-address"));
        assertEquals(dev.nube.engine.functions.FunctionUrlConfig.AuthType.AWS_IAM,
                console.engine().functionUrls().get(REGION, "linked").config().authType());
        robot.interact(() -> form.setVvalue(1));
        robot.clickOn("#url-copy");
        String[] copied = new String[1];
        robot.interact(() -> copied[0] = javafx.scene.input.Clipboard.getSystemClipboard().getString());
        assertEquals(url, copied[0]);
        robot.clickOn("#url-delete");
        waitUntil("the URL is gone", () -> text(robot, "#url-address").contains("has no URL")
                && console.engine().functionUrls().find(REGION, "linked").isEmpty());
    }
}
