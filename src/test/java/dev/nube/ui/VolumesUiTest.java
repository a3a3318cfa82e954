package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeState;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Volumes page over a real engine, with volumes that are not attached (no guest needed): create, rename, grow;
 * and the engine's refusals shown as it words them.
 */
@Tag("ui")
class VolumesUiTest extends ConsoleUiTest {
    private static final String REGION = "local-1";

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @SuppressWarnings("unchecked")
    private TableView<Volume> openVolumes(FxRobot robot) {
        robot.clickOn("Volumes");
        waitUntil("the volumes table", () -> robot.lookup("#volumes-table").tryQuery().isPresent());
        return robot.lookup("#volumes-table").queryAs(TableView.class);
    }

    /** Clicks the cell of {@code table} that shows {@code text}, as a person selects a row. */
    private static void clickRow(FxRobot robot, TableView<?> table, String text) {
        waitUntil("a row shows " + text, () -> robot.from(table).lookup(text).tryQuery().isPresent());
        robot.clickOn(robot.from(table).lookup(text).queryAs(Node.class));
    }

    private static void action(FxRobot robot, String action) {
        robot.clickOn("#volume-actions").clickOn("#volume-action-" + action);
    }

    /** Whether the Actions menu shows {@code action} greyed out for the selected volume. */
    private static boolean actionDisabled(FxRobot robot, String action) {
        MenuButton actions = robot.lookup("#volume-actions").queryAs(MenuButton.class);
        return actions.getItems().stream().filter(item -> ("volume-action-" + action).equals(item.getId()))
                .findFirst().orElseThrow().isDisable();
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private Volume volume(String id) {
        return console.engine().volumes().get(REGION, id);
    }

    @Test
    void createsAnEmptyVolumeThenRenamesAndGrowsIt(FxRobot robot) {
        TableView<Volume> table = openVolumes(robot);
        waitUntil("no volumes yet", () -> table.getItems().isEmpty());
        robot.clickOn("#create-volume");
        waitUntil("the dialog", () -> robot.lookup("#create-volume-confirm").tryQuery().isPresent());
        assertTrue(text(robot, "#volume-free-space").startsWith("Free space on the disk that holds the volumes of "
                + REGION + ": "), "the region's free space is shown");
        @SuppressWarnings("unchecked")
        Spinner<Integer> size = robot.lookup("#volume-size").queryAs(Spinner.class);
        robot.interact(() -> size.getEditor().setText("1"));
        robot.clickOn("#volume-name").write("data");
        robot.clickOn("#create-volume-confirm");
        waitUntil("the new volume is listed and selected", () -> table.getItems().size() == 1
                && table.getSelectionModel().getSelectedItem() != null);
        Volume created = table.getItems().get(0);
        assertEquals("data", created.name());
        assertEquals(1, created.sizeGiB());
        assertEquals(VolumeState.AVAILABLE, created.state());
        assertTrue(robot.from(table).lookup("available").tryQuery().isPresent(), "its state is on screen");

        // An available data volume: attach, grow, snapshot, rename and delete are offered; detach is not.
        assertTrue(actionDisabled(robot, "detach"), "an available volume is not attached");
        assertFalse(actionDisabled(robot, "delete"));
        assertFalse(actionDisabled(robot, "attach"));

        action(robot, "rename");
        robot.doubleClickOn("#volume-new-name").eraseText(10).write("scratch");
        robot.clickOn("#rename-volume-confirm");
        waitUntil("the new name shows", () -> "scratch".equals(table.getItems().get(0).name()));
        assertEquals("scratch", volume(created.id()).name());

        action(robot, "modify");
        waitUntil("the size dialog", () -> robot.lookup("#modify-volume-confirm").tryQuery().isPresent());
        assertTrue(robot.lookup(".label").queryAllAs(Label.class).stream().anyMatch(l -> l.getText() != null
                && l.getText().startsWith("A volume only grows: its new size must be larger than 1 GiB")),
                "the dialog says a volume only grows");
        @SuppressWarnings("unchecked")
        Spinner<Integer> newSize = robot.lookup("#volume-new-size").queryAs(Spinner.class);
        assertEquals(2, newSize.getValue(), "it starts one GiB larger");
        robot.interact(() -> newSize.getEditor().setText("3"));
        robot.clickOn("#modify-volume-confirm");
        waitUntil("the row shows the new size", () -> table.getItems().get(0).sizeGiB() == 3);
        assertEquals(3, volume(created.id()).sizeGiB());
        assertTrue(text(robot, "#volumes-notice").contains("now has 3 GiB"));
    }

    @Test
    void aRefusalIsShownInTheDialogAsTheEngineWordsIt(FxRobot robot) {
        TableView<Volume> table = openVolumes(robot);
        robot.clickOn("#create-volume");
        @SuppressWarnings("unchecked")
        Spinner<Integer> size = robot.lookup("#volume-size").queryAs(Spinner.class);
        // Far more than this machine's free space: the engine refuses, and the dialog stays open to say why.
        robot.interact(() -> size.getEditor().setText("16384"));
        robot.clickOn("#create-volume-confirm");
        waitUntil("the engine's refusal is shown", () -> text(robot, "#volume-create-message")
                .startsWith("A 16384 GiB volume needs 16384.0 GiB of free space on the disk of region " + REGION));
        robot.clickOn("Cancel");
        console.waitUntilIdle();
        assertTrue(table.getItems().isEmpty());
        assertTrue(console.engine().volumes().list(REGION).items().isEmpty(), "nothing was created");
    }
}
