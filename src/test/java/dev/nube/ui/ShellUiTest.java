package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.HostStatus;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.region.Region;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.Placeholder;
import dev.nube.ui.shell.Page;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;
import org.testfx.util.NodeQueryUtils;

@Tag("ui")
class ShellUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    @Test
    void navigatesWithTheMouseTheKeyboardAndShortcuts(FxRobot robot) {
        assertEquals(Page.DASHBOARD, console.shell().pageProperty().get(), "the console opens on the dashboard");

        robot.clickOn("Key pairs");
        waitUntil("the key pairs page shows", () -> robot.lookup("#key-pairs-table").tryQuery().isPresent());
        assertEquals(Page.KEY_PAIRS, console.shell().pageProperty().get());

        robot.push(KeyCode.UP); // the navigation list has the focus after the click
        waitUntil("the security groups page shows",
                () -> robot.lookup("#security-groups-table").tryQuery().isPresent());

        robot.push(KeyCode.DOWN).push(KeyCode.DOWN); // over the Lambda heading to Functions
        waitUntil("functions", () -> console.shell().pageProperty().get() == Page.FUNCTIONS);
        assertTrue(robot.lookup("Functions").tryQuery().isPresent());

        robot.press(KeyCode.CONTROL, KeyCode.DIGIT1).release(KeyCode.DIGIT1, KeyCode.CONTROL);
        waitUntil("the dashboard", () -> console.shell().pageProperty().get() == Page.DASHBOARD);
        robot.press(KeyCode.CONTROL, KeyCode.DIGIT4).release(KeyCode.DIGIT4, KeyCode.CONTROL);
        waitUntil("volumes", () -> console.shell().pageProperty().get() == Page.VOLUMES);
        waitUntil("the volumes page shows", () -> robot.lookup("#volumes-table").tryQuery().isPresent());
        Node page = console.view().currentPage();
        assertFalse(page instanceof Placeholder, "every page of the navigation is built");
    }

    @Test
    void theRegionSelectorSwitchesEveryView(FxRobot robot) {
        console.engine().regions().create("local-2", null);
        console.engine().keyPairs().create("local-2", "only-in-local-2", KeyType.ED25519, 0);
        robot.clickOn("Key pairs");
        TableView<?> table = robot.lookup("#key-pairs-table").queryTableView();
        waitUntil("local-1 has no keys", () -> table.getItems().isEmpty());

        @SuppressWarnings("unchecked")
        ComboBox<Region> selector = robot.lookup("#region-selector").queryAs(ComboBox.class);
        waitUntil("both regions are offered", () -> selector.getItems().size() == 2);
        robot.clickOn(selector).clickOn("local-2");
        waitUntil("the key of local-2 shows", () -> table.getItems().size() == 1);
        assertEquals("local-2", console.shell().regionProperty().get());

        robot.clickOn("Security groups");
        TableView<?> groups = robot.lookup("#security-groups-table").queryTableView();
        waitUntil("local-2's default group shows", () -> groups.getItems().size() == 1);
        robot.clickOn(selector).clickOn("local-1");
        robot.clickOn("Key pairs");
        waitUntil("back in local-1 the key is gone", () -> table.getItems().isEmpty());
    }

    @Test
    void statusBarShowsTheDataFolderAndFollowsTheEngine(FxRobot robot) {
        assertEquals(console.engine().home().toString(), text(robot, "#status-data"));
        assertEquals("Sandbox: " + console.engine().hostStatus().sandbox(), text(robot, "#status-sandbox"));
        // The engine's own probe must not overwrite the status set below (with an empty cache it answers later).
        waitUntil("the KVM probe answered", () -> !console.engine().hostStatus().accelerator()
                .equals(HostStatus.NOT_CHECKED));
        waitUntil("the status bar shows the probe's answer", () -> text(robot, "#status-accelerator")
                .equals("Accelerator: " + console.engine().hostStatus().accelerator()));
        robot.interact(() -> console.engine().updateHostStatus(s -> s.withAccelerator("TCG (test)")));
        waitUntil("the status bar follows the engine",
                () -> text(robot, "#status-accelerator").equals("Accelerator: TCG (test)"));
    }

    @Test
    void aLongStatusIsCutShortAndTheHeaderStaysInTheWindow(FxRobot robot) {
        String reason = "TCG (KVM probe failed: " + "KVM internal error. Suberror: 1, emulation failure; ".repeat(10)
                + ")";
        // The engine's own probe must not overwrite the reason set here.
        waitUntil("the KVM probe answered", () -> !console.engine().hostStatus().accelerator()
                .equals(HostStatus.NOT_CHECKED));
        robot.interact(() -> console.engine().updateHostStatus(s -> s.withAccelerator(reason)));
        waitUntil("the status bar holds the whole reason", () -> text(robot, "#status-accelerator").endsWith(reason));
        robot.interact(() -> { // lay the console out now rather than at the next pulse
            console.view().applyCss();
            console.view().layout();
        });
        waitUntil("the theme toggle is inside the window", () -> clickable(robot, "#theme-toggle"));
        waitUntil("the region selector is inside the window", () -> clickable(robot, "#region-selector"));
        Label accelerator = robot.lookup("#status-accelerator").queryAs(Label.class);
        assertTrue(accelerator.getTooltip().getText().endsWith(reason), "the tooltip shows what is cut short");
    }

    /** What clickOn asks of a node: visible and inside its window. Read it on the FX thread (as waitUntil does). */
    private static boolean clickable(FxRobot robot, String query) {
        return robot.lookup(query).match(NodeQueryUtils.isVisible()).tryQuery().isPresent();
    }

    @Test
    void themeAndPageAreRemembered(FxRobot robot) {
        boolean dark = console.shell().darkProperty().get();
        waitUntil("the theme toggle is shown", () -> clickable(robot, "#theme-toggle"));
        robot.clickOn("#theme-toggle");
        robot.clickOn("Security groups");
        waitUntil("the theme flipped", () -> console.shell().darkProperty().get() != dark);
        waitUntil("the settings are saved", () -> {
            var saved = new ConsoleSettingsStore(console.engine().consoleSettings()).get();
            return saved.dark() != dark && Page.SECURITY_GROUPS.name().equals(saved.page());
        });
    }
}
