package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

@Tag("ui")
class SecurityGroupsUiTest extends ConsoleUiTest {
    private TableView<SecurityGroup> groups;

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @SuppressWarnings("unchecked")
    private void openGroups(FxRobot robot) {
        robot.clickOn("Security groups");
        waitUntil("the groups table", () -> robot.lookup("#security-groups-table").tryQuery().isPresent());
        groups = robot.lookup("#security-groups-table").queryAs(TableView.class);
        waitUntil("the default group is listed", () -> !groups.getItems().isEmpty());
    }

    private SecurityGroup stored(String name) {
        return console.engine().securityGroups().get("local-1", name);
    }

    @Test
    void createsAGroupAndEditsItsRulesWithInlineValidation(FxRobot robot) {
        openGroups(robot);
        robot.clickOn("#create-security-group");
        robot.clickOn("#group-name").write("web");
        robot.clickOn("#group-description").write("Web servers");
        robot.clickOn("#create-group-confirm");
        waitUntil("the new group is listed and selected", () -> groups.getItems().size() == 2
                && groups.getSelectionModel().getSelectedItem() != null
                && groups.getSelectionModel().getSelectedItem().name().equals("web"));
        assertTrue(robot.lookup("No inbound rules.").tryQuery().isPresent());

        robot.clickOn("#edit-inbound-rules");
        Button save = robot.lookup("#save-rules").queryButton();
        robot.clickOn("#add-rule");
        waitUntil("a rule row", () -> robot.lookup("#rule-type-0").tryQuery().isPresent());
        assertFalse(save.isDisabled(), "the new row starts as SSH from anywhere, which is valid");

        // Custom TCP with a bad range: refused as typed, Save disabled.
        @SuppressWarnings("unchecked")
        ComboBox<Object> type = robot.lookup("#rule-type-0").queryAs(ComboBox.class);
        robot.clickOn(type).clickOn("Custom TCP");
        robot.clickOn("#rule-ports-0").write("9000-8000");
        waitUntil("the range is refused (ports '" + ports(robot, 0) + "', problem '" + problem(robot, 0) + "')",
                () -> problem(robot, 0).contains("ends before it starts"));
        assertTrue(save.isDisabled());
        retype(robot, "#rule-ports-0", "8000-8080");
        waitUntil("the range is accepted", () -> problem(robot, 0).isEmpty() || !problemVisible(robot, 0));

        // A source with host bits set: the message suggests the network.
        retype(robot, "#rule-peer-0 .text-field", "10.1.2.3/16");
        waitUntil("the CIDR is refused", () -> problem(robot, 0).contains("did you mean 10.1.0.0/16?"));
        assertTrue(save.isDisabled());
        retype(robot, "#rule-peer-0 .text-field", "10.1.0.0/16");

        robot.clickOn("#add-rule");
        waitUntil("a second row", () -> robot.lookup("#rule-type-1").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<Object> second = robot.lookup("#rule-type-1").queryAs(ComboBox.class);
        robot.clickOn(second).clickOn("HTTPS");
        robot.clickOn("#rule-description-1").write("public site");
        waitUntil("both rows valid", () -> !save.isDisabled());
        robot.clickOn("#save-rules");
        waitUntil("the rules are stored", () -> stored("web").inbound().size() == 2);
        assertEquals(List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 8000, 8080, "10.1.0.0/16", ""),
                SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "0.0.0.0/0", "public site")),
                stored("web").inbound());
        TableView<?> inbound = robot.lookup("#inbound-rules-table").queryTableView();
        waitUntil("the rules table shows them", () -> inbound.getItems().size() == 2);
        assertTrue(robot.lookup("8000-8080").tryQuery().isPresent());
    }

    @Test
    void aDuplicateRuleIsRefusedAndNothingChanges(FxRobot robot) {
        openGroups(robot);
        robot.clickOn("default");
        robot.clickOn("#edit-inbound-rules");
        robot.clickOn("#add-rule"); // SSH from 0.0.0.0/0 again
        robot.clickOn("#save-rules");
        waitUntil("the engine refuses the duplicate", () -> robot.lookup("#rules-message").queryAs(Label.class)
                .getText().contains("Rule 2 duplicates rule 1"));
        robot.clickOn("Cancel");
        assertEquals(1, stored("default").inbound().size());
    }

    @Test
    void theDefaultGroupCannotBeDeleted(FxRobot robot) {
        openGroups(robot);
        robot.clickOn("default");
        robot.clickOn("#delete-security-group");
        assertTrue(robot.lookup("Every region keeps its default security group; edit its rules instead.")
                .tryQuery().isPresent());
        robot.clickOn("OK");
        assertEquals(1, groups.getItems().size());
    }

    private static String problem(FxRobot robot, int row) {
        return robot.lookup("#rule-problem-" + row).queryAs(Label.class).getText().replaceFirst("^Rule \\d+: ", "");
    }

    /** Selects everything in a text field with the keyboard and types over it. */
    private static void retype(FxRobot robot, String query, String text) {
        robot.clickOn(query).press(javafx.scene.input.KeyCode.CONTROL, javafx.scene.input.KeyCode.A)
                .release(javafx.scene.input.KeyCode.A, javafx.scene.input.KeyCode.CONTROL).write(text);
    }

    private static String ports(FxRobot robot, int row) {
        return robot.lookup("#rule-ports-" + row).queryAs(javafx.scene.control.TextField.class).getText();
    }

    private static boolean problemVisible(FxRobot robot, int row) {
        return robot.lookup("#rule-problem-" + row).queryAs(Label.class).isVisible();
    }
}
