package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.ui.instances.StateBadge;
import dev.nube.ui.terminal.TerminalView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The EC2 half of the console with real guests: launch through the wizard, watch the row reach running, Connect and
 * run a command in the SSH terminal, stop from the table. Under TCG a boot takes tens of seconds.
 */
@Tag("vm")
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class InstancesUiTest {
    private static final long BOOT_SECONDS = 300;

    @TempDir
    static Path temp;
    private ConsoleFixture console;

    private Path home;
    private Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        home = Files.createTempDirectory(temp, "console");
        console = new ConsoleFixture(home, stage);
    }

    @AfterEach
    void close() {
        // Instances outlive the console by design: terminate what the test launched.
        for (Instance instance : console.engine().instances().list("local-1").items()) {
            if (instance.state() != InstanceState.TERMINATED) {
                console.engine().instances().terminate("local-1", instance.id());
            }
        }
        console.close();
    }

    @Test
    void launchConnectRunACommandAndStop(FxRobot robot) {
        console.engine().keyPairs().create("local-1", "ui-key", KeyType.ED25519, 0);
        robot.clickOn("Instances");
        waitUntil("the instances page", () -> robot.lookup("#launch-instances").tryQuery().isPresent());
        robot.clickOn("#launch-instances");
        waitUntil("the wizard", () -> robot.lookup("#launch-confirm").tryQuery().isPresent());
        Button launch = robot.lookup("#launch-confirm").queryButton();

        // Validation blocks Launch and says why.
        waitUntil("an image and a type are chosen", () -> !problems(robot).contains("Choose an image")
                && !problems(robot).contains("Choose an instance type"));
        assertTrue(launch.isDisabled());
        assertTrue(problems(robot).contains("Choose a key pair, create one, or proceed without a key pair."));
        TextArea userData = robot.lookup("#launch-user-data").queryAs(TextArea.class);
        robot.interact(() -> userData.setText("#!/bin/sh\n" + "x".repeat(17_000)));
        waitUntil("oversized user data is refused", () -> problems(robot).contains("User data is 17010 bytes"));
        robot.interact(userData::clear);

        robot.clickOn("#launch-key-pair").clickOn("ui-key");
        robot.clickOn("#launch-name").write("ui-test");
        waitUntil("the wizard is complete", () -> problems(robot).isEmpty() && !launch.isDisabled());
        robot.clickOn(launch);

        @SuppressWarnings("unchecked")
        TableView<Instance> table = robot.lookup("#instances-table").queryAs(TableView.class);
        waitUntil("the new row reaches running", BOOT_SECONDS, () -> table.getItems().size() == 1
                && table.getItems().get(0).state() == InstanceState.RUNNING);
        Instance instance = table.getItems().get(0);
        assertEquals("ui-test", instance.name());
        assertTrue(badgeOf(robot, instance.id()).getStyleClass().contains("state-running"));

        robot.clickOn("ui-test");
        robot.clickOn("#instance-tab-metadata");
        TextArea metadata = robot.lookup("#instance-metadata").queryAs(TextArea.class);
        waitUntil("the metadata tab shows what the guest reads", () -> metadata.getText()
                .contains("/latest/meta-data/instance-id\n    " + instance.id()));
        robot.clickOn("#instance-tab-console-output");
        TextArea consoleOutput = robot.lookup("#console-output").queryAs(TextArea.class);
        waitUntil("the console output shows the boot", () -> consoleOutput.getText().contains("Linux version"));
        robot.clickOn("#connect-instance");
        String terminalId = "#ssh-terminal-" + instance.id();
        waitUntil("the terminal is connected with a prompt", 120, () -> robot.lookup(terminalId).tryQuery()
                .map(node -> ((TerminalView) node).screenText().contains("# ")).orElse(false));
        TerminalView terminal = robot.lookup(terminalId).queryAs(TerminalView.class);
        // Connect again: the open terminal comes to the front; no second, hidden session is started.
        robot.clickOn("#pages-tab");
        robot.clickOn("ui-test");
        robot.clickOn("#connect-instance");
        waitUntil("the SSH tab is shown again", () -> robot.lookup("#tab-ssh-" + instance.id()).tryQuery()
                .isPresent() && robot.lookup(terminalId).queryAll().size() == 1 && terminal.isVisible()
                && terminal.getScene() != null);
        assertEquals(1, robot.lookup(".tab").queryAll().stream().filter(t -> ("tab-ssh-" + instance.id())
                .equals(t.getId())).count());
        String marker = UUID.randomUUID().toString().substring(0, 8);
        waitUntil("the terminal has the keyboard without a click", () -> {
            javafx.scene.Node owner = terminal.getScene().getFocusOwner();
            while (owner != null && owner != terminal) {
                owner = owner.getParent();
            }
            return owner == terminal;
        });
        robot.write("echo nube-" + marker + "-$((6*7))\n");
        waitUntil("the command's output is on the terminal screen", 60,
                () -> terminal.screenText().contains("nube-" + marker + "-42"));

        // The serial console: a shell on ttyS0, reached without the guest's network.
        robot.clickOn("#pages-tab");
        robot.clickOn("ui-test");
        robot.clickOn("#instance-state-menu").clickOn("#action-serial");
        String serialId = "#serial-terminal-" + instance.id();
        waitUntil("the serial console is connected", 60, () -> robot.lookup(serialId).tryQuery()
                .map(node -> ((TerminalView) node).isConnected()).orElse(false));
        TerminalView serial = robot.lookup(serialId).queryAs(TerminalView.class);
        robot.clickOn(serial.getCenter());
        robot.write("\necho serial-" + marker + "-$((7*6))\n");
        waitUntil("the serial console answers", 60, () -> serial.screenText().contains("serial-" + marker + "-42"));

        // Closing the console leaves the instance running; a new console shows it as it is.
        robot.interact(console::close);
        robot.interact(() -> console = new ConsoleFixture(home, stage));
        robot.clickOn("Instances");
        @SuppressWarnings("unchecked")
        TableView<Instance> reopened = robot.lookup("#instances-table").queryAs(TableView.class);
        waitUntil("the reopened console shows the instance running", 60, () -> reopened.getItems().size() == 1
                && reopened.getItems().get(0).state() == InstanceState.RUNNING);
        assertFalse(terminal.isConnected(), "closing the console closed its terminal");

        robot.clickOn("ui-test");
        robot.clickOn("#connect-instance");
        waitUntil("a new terminal is connected", 120, () -> robot.lookup(terminalId).tryQuery()
                .map(node -> ((TerminalView) node).screenText().contains("# ")).orElse(false));
        robot.clickOn("#pages-tab");
        robot.clickOn("ui-test");
        robot.clickOn("#instance-state-menu").clickOn("#action-stop");
        waitUntil("the badge turns to stopped", 180, () -> badgeOf(robot, instance.id()) != null
                && badgeOf(robot, instance.id()).getStyleClass().contains("state-stopped"));
        TerminalView second = robot.lookup(terminalId).queryAs(TerminalView.class);
        assertFalse(second.isConnected());
        waitUntil("the terminal says why it disconnected", () -> robot.from(second).lookup("#terminal-ended")
                .tryQuery().map(n -> ((Label) n).getText().startsWith("Disconnected: instance " + instance.id()))
                .orElse(false));
    }

    private static String problems(FxRobot robot) {
        return robot.lookup("#launch-problems").queryAs(Label.class).getText();
    }

    /** The state badge in the table row of instance {@code id}. */
    private static StateBadge badgeOf(FxRobot robot, String id) {
        for (Node node : robot.lookup(".table-row-cell").queryAll()) {
            javafx.scene.control.TableRow<?> row = (javafx.scene.control.TableRow<?>) node;
            if (row.getItem() instanceof Instance instance && instance.id().equals(id)) {
                return robot.from(row).lookup(".state-badge").queryAs(StateBadge.class);
            }
        }
        return null;
    }
}
