package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotState;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeState;
import dev.nube.engine.region.Region;
import dev.nube.engine.tasks.Task;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.MenuButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Volumes and Snapshots pages and the tasks panel over a real engine, with volumes that are not attached (no
 * guest needed: their snapshots are made with qemu-img): create, rename, grow, snapshot, copy to a region, make a
 * volume from a snapshot, delete; and the engine's refusals shown as it words them.
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

    @SuppressWarnings("unchecked")
    private TableView<Snapshot> openSnapshots(FxRobot robot) {
        robot.clickOn("Snapshots");
        waitUntil("the snapshots table", () -> robot.lookup("#snapshots-table").tryQuery().isPresent());
        return robot.lookup("#snapshots-table").queryAs(TableView.class);
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

    @Test
    void snapshotsAVolumeCopiesTheSnapshotToAnotherRegionAndDeletesThemAll(FxRobot robot) {
        Region second = console.engine().regions().create("local-2", null);
        Volume volume = console.engine().volumes().create(REGION, 1, null, "data");
        TableView<Volume> volumes = openVolumes(robot);
        clickRow(robot, volumes, volume.id());
        action(robot, "snapshot");
        robot.clickOn("#snapshot-description").write("before the upgrade");
        robot.clickOn("#create-snapshot-confirm");
        waitUntil("the notice names the snapshot", () -> text(robot, "#volumes-notice").startsWith("Snapshot snap-"));

        // The snapshot completes on the Snapshots page, and its task in the tasks panel.
        TableView<Snapshot> snapshots = openSnapshots(robot);
        waitUntil("the snapshot is completed", 120, () -> snapshots.getItems().size() == 1
                && snapshots.getItems().get(0).state() == SnapshotState.COMPLETED);
        Snapshot snapshot = snapshots.getItems().get(0);
        assertEquals("before the upgrade", snapshot.description());
        assertEquals(volume.id(), snapshot.volumeId());
        assertEquals(1, snapshot.volumeSizeGiB());
        assertTrue(robot.from(snapshots).lookup("completed").tryQuery().isPresent());
        Task task = console.engine().tasks().list().stream().filter(t -> snapshot.id().equals(t.resourceId()))
                .findFirst().orElseThrow();
        robot.clickOn("#tasks-toggle");
        waitUntil("the panel shows the task succeeded", () -> robot.lookup("#" + task.id()).tryQuery()
                .map(cell -> robot.from(cell).lookup("Succeeded").tryQuery().isPresent()).orElse(false));
        assertEquals("Tasks", robot.lookup("#tasks-toggle").queryAs(ToggleButton.class).getText(),
                "nothing runs any more");

        // Copy to the second region: listed there, checked and completed.
        clickRow(robot, snapshots, snapshot.id());
        robot.clickOn("#copy-snapshot");
        @SuppressWarnings("unchecked")
        ComboBox<String> destination = robot.lookup("#copy-destination").queryAs(ComboBox.class);
        assertEquals(second.name(), destination.getValue(), "another region is offered first");
        robot.clickOn("#copy-snapshot-confirm");
        waitUntil("the copy is completed in " + second.name(), 120, () -> console.engine().snapshots()
                .list(second.name()).items().stream().anyMatch(s -> s.state() == SnapshotState.COMPLETED));
        Snapshot copy = console.engine().snapshots().list(second.name()).items().get(0);
        assertEquals(REGION + "/" + snapshot.id(), copy.copiedFrom());
        assertEquals("[Copied " + snapshot.id() + " from " + REGION + "] before the upgrade", copy.description());
        assertTrue(text(robot, "#snapshots-notice").contains("is being copied to " + second.name() + " as "
                + copy.id()));
        waitUntil("the copy's task is listed", () -> robot.lookup("#tasks-list").queryListView().getItems()
                .stream().anyMatch(t -> copy.id().equals(((Task) t).resourceId())));
        robot.clickOn("#clear-finished-tasks");
        waitUntil("the finished tasks are cleared", () -> robot.lookup("#tasks-list").queryListView().getItems()
                .isEmpty());
        robot.clickOn("#close-tasks-panel");
        waitUntil("the panel is closed", () -> !robot.lookup("#tasks-panel").query().isVisible());

        // The copy, seen from its region, and deleted there.
        selectRegion(robot, second.name());
        waitUntil("the copy is listed in " + second.name(), () -> snapshots.getItems().size() == 1
                && snapshots.getItems().get(0).id().equals(copy.id()));
        assertTrue(robot.from(snapshots).lookup(REGION + "/" + snapshot.id()).tryQuery().isPresent(),
                "where it was copied from is shown");
        deleteSnapshot(robot, snapshots, copy);
        assertTrue(console.engine().snapshots().list(second.name()).items().isEmpty());

        selectRegion(robot, REGION);
        waitUntil("the original is listed again", () -> snapshots.getItems().size() == 1);
        deleteSnapshot(robot, snapshots, snapshot);
        assertTrue(console.engine().snapshots().list(REGION).items().isEmpty());

        openVolumes(robot);
        clickRow(robot, volumes, volume.id());
        action(robot, "delete");
        robot.clickOn(".danger");
        waitUntil("the volume is gone", () -> volumes.getItems().isEmpty());
        assertTrue(console.engine().volumes().list(REGION).items().isEmpty());
    }

    private static void deleteSnapshot(FxRobot robot, TableView<Snapshot> snapshots, Snapshot snapshot) {
        clickRow(robot, snapshots, snapshot.id());
        robot.clickOn("#delete-snapshot");
        waitUntil("the confirmation", () -> robot.lookup("Delete " + snapshot.id() + "?").tryQuery().isPresent());
        robot.clickOn(".danger");
        waitUntil(snapshot.id() + " is gone", () -> snapshots.getItems().stream()
                .noneMatch(s -> s.id().equals(snapshot.id())));
    }

    private static void selectRegion(FxRobot robot, String name) {
        @SuppressWarnings("unchecked")
        ComboBox<Region> selector = robot.lookup("#region-selector").queryAs(ComboBox.class);
        waitUntil("the region is offered", () -> selector.getItems().stream().anyMatch(r -> r.name().equals(name)));
        robot.clickOn(selector);
        robot.clickOn(robot.lookup(".list-cell").match(node -> node instanceof ListCell<?> cell
                && cell.getItem() instanceof Region region && region.name().equals(name)).queryAs(Node.class));
        waitUntil(name + " is selected", () -> selector.getValue() != null && selector.getValue().name()
                .equals(name));
    }

    @Test
    void makesAVolumeFromASnapshotChosenOnTheSnapshotsPage(FxRobot robot) throws Exception {
        Volume source = console.engine().volumes().create(REGION, 2, null, "source");
        Snapshot taken = console.engine().snapshots().create(REGION, source.id(), "golden");
        waitUntil("the snapshot is taken", 120, () -> console.engine().snapshots().get(REGION, taken.id()).state()
                == SnapshotState.COMPLETED);
        TableView<Snapshot> snapshots = openSnapshots(robot);
        clickRow(robot, snapshots, taken.id());
        robot.clickOn("#snapshot-create-volume");
        waitUntil("the dialog", () -> robot.lookup("#create-volume-confirm").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<Snapshot> chosen = robot.lookup("#volume-snapshot").queryAs(ComboBox.class);
        assertEquals(taken.id(), chosen.getValue().id(), "the selected snapshot is chosen");
        @SuppressWarnings("unchecked")
        Spinner<Integer> size = robot.lookup("#volume-size").queryAs(Spinner.class);
        assertEquals(2, size.getValue(), "the snapshot's volume size");
        assertTrue(text(robot, "#volume-size-hint").startsWith("At least 2 GiB"));
        robot.clickOn("#volume-name").write("restored");
        robot.clickOn("#create-volume-confirm");
        waitUntil("the notice names the new volume", () -> text(robot, "#snapshots-notice").contains(
                "is being made from " + taken.id()));

        TableView<Volume> volumes = openVolumes(robot);
        waitUntil("the new volume is available", 120, () -> volumes.getItems().stream().anyMatch(v ->
                "restored".equals(v.name()) && v.state() == VolumeState.AVAILABLE));
        Volume restored = volumes.getItems().stream().filter(v -> "restored".equals(v.name())).findFirst()
                .orElseThrow();
        assertEquals(taken.id(), restored.snapshotId());
        assertEquals(2, restored.sizeGiB());
        assertNull(restored.attachment());
        assertTrue(robot.from(volumes).lookup(taken.id()).tryQuery().isPresent(), "the snapshot column shows it");
        List<Volume> stored = console.engine().volumes().list(REGION).items();
        assertEquals(2, stored.size());
    }
}
