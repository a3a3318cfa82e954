package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.engine.compute.storage.VolumeState;
import javafx.scene.Node;
import javafx.scene.control.MenuButton;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * An instance's Storage tab and its type with a real guest: a volume hot-plugged into the running instance from the
 * tab and unplugged again, the root volume on the Volumes page with the actions a root volume allows, and the type
 * changed once the instance is stopped. Under TCG a boot takes tens of seconds.
 */
@Tag("vm")
@Tag("ui")
class InstanceStorageUiTest extends ConsoleUiTest {
    private static final String REGION = "local-1";
    private static final long BOOT_SECONDS = 300;

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @AfterEach
    @Override
    protected void close() {
        // Instances outlive the console by design: terminate what the test launched.
        for (Instance instance : console.engine().instances().list(REGION).items()) {
            if (instance.state() != InstanceState.TERMINATED) {
                console.engine().instances().terminate(REGION, instance.id());
            }
        }
        super.close();
    }

    private static void clickRow(FxRobot robot, TableView<?> table, String text) {
        waitUntil("a row shows " + text, () -> robot.from(table).lookup(text).tryQuery().isPresent());
        robot.clickOn(robot.from(table).lookup(text).queryAs(Node.class));
    }

    private static boolean disabled(FxRobot robot, String menu, String item) {
        return robot.lookup(menu).queryAs(MenuButton.class).getItems().stream()
                .filter(i -> item.equals(i.getId())).findFirst().orElseThrow().isDisable();
    }

    @Test
    void attachesAndDetachesFromTheStorageTabAndChangesTheTypeWhileStopped(FxRobot robot) {
        Image image = console.engine().images().ensureTinyImage(REGION);
        Instance launched = console.engine().instances().run(REGION, RunRequest.of(image.id(), "t3.micro", null)
                .withName("store")).get(0);
        Volume data = console.engine().volumes().create(REGION, 1, null, "data");
        String rootId = dev.nube.engine.compute.storage.Volumes.rootVolumeId(launched.id());

        robot.clickOn("Instances");
        @SuppressWarnings("unchecked")
        TableView<Instance> instances = robot.lookup("#instances-table").queryAs(TableView.class);
        waitUntil("the instance is running", BOOT_SECONDS, () -> instances.getItems().size() == 1
                && instances.getItems().get(0).state() == InstanceState.RUNNING);
        clickRow(robot, instances, "store");
        robot.clickOn("#instance-actions");
        assertTrue(disabled(robot, "#instance-actions", "action-change-type"), "a running instance keeps its type");
        robot.clickOn("#instance-actions"); // closes the menu
        robot.clickOn("#instance-tab-storage");
        @SuppressWarnings("unchecked")
        TableView<Volume> storage = robot.lookup("#instance-volumes-table").queryAs(TableView.class);
        waitUntil("the root volume is listed", () -> storage.getItems().size() == 1
                && storage.getItems().get(0).root());
        assertEquals(rootId, storage.getItems().get(0).id());
        assertTrue(robot.from(storage).lookup("/dev/xvda (root)").tryQuery().isPresent());
        clickRow(robot, storage, rootId);
        assertTrue(robot.lookup("#instance-detach-volume").queryButton().isDisabled(),
                "a root volume is not detached");
        assertFalse(robot.lookup("#instance-snapshot-volume").queryButton().isDisabled());

        // Hot-plug: the volume shows as /dev/sdf of the running instance.
        robot.clickOn("#instance-attach-volume");
        waitUntil("the attach dialog", () -> robot.lookup("#attach-volume-confirm").tryQuery().isPresent());
        robot.clickOn("#attach-volume-confirm");
        waitUntil("the volume is attached", 120, () -> storage.getItems().size() == 2 && storage.getItems().get(1)
                .attachment().state() == VolumeAttachment.State.ATTACHED);
        assertEquals(data.id(), storage.getItems().get(1).id());
        assertEquals("/dev/sdf", storage.getItems().get(1).attachment().device());
        assertEquals(VolumeState.IN_USE, console.engine().volumes().get(REGION, data.id()).state());

        // The Volumes page: what a root volume and an attached one allow.
        robot.clickOn("Volumes");
        @SuppressWarnings("unchecked")
        TableView<Volume> volumes = robot.lookup("#volumes-table").queryAs(TableView.class);
        waitUntil("both volumes are listed", () -> volumes.getItems().size() == 2);
        assertTrue(robot.from(volumes).lookup(launched.id() + ": /dev/xvda").tryQuery().isPresent());
        assertTrue(robot.from(volumes).lookup(launched.id() + ": /dev/sdf").tryQuery().isPresent());
        clickRow(robot, volumes, rootId);
        assertTrue(disabled(robot, "#volume-actions", "volume-action-detach"));
        assertTrue(disabled(robot, "#volume-actions", "volume-action-delete"));
        assertTrue(disabled(robot, "#volume-actions", "volume-action-rename"), "named after its instance");
        assertFalse(disabled(robot, "#volume-actions", "volume-action-modify"), "a root volume grows");
        assertFalse(disabled(robot, "#volume-actions", "volume-action-snapshot"));
        clickRow(robot, volumes, data.id());
        assertFalse(disabled(robot, "#volume-actions", "volume-action-detach"));
        assertTrue(disabled(robot, "#volume-actions", "volume-action-delete"), "detach it first");

        // Unplug from the Storage tab.
        robot.clickOn("Instances");
        clickRow(robot, instances, "store");
        robot.clickOn("#instance-tab-storage");
        clickRow(robot, storage, data.id());
        robot.clickOn("#instance-detach-volume");
        robot.clickOn(".danger");
        waitUntil("the volume is detached", 120, () -> storage.getItems().size() == 1);
        assertEquals(VolumeState.AVAILABLE, console.engine().volumes().get(REGION, data.id()).state());

        // Stopped, its type can change; a type larger than this machine is offered but cannot be chosen.
        robot.clickOn("#instance-state-menu").clickOn("#action-stop");
        waitUntil("the instance is stopped", BOOT_SECONDS, () -> instances.getItems().get(0).state()
                == InstanceState.STOPPED);
        robot.clickOn("#instance-actions");
        waitUntil("the menu offers the change", () -> !disabled(robot, "#instance-actions", "action-change-type"));
        robot.clickOn("#action-change-type");
        waitUntil("the types are listed", () -> robot.lookup("#instance-type-t3-small").tryQuery().isPresent());
        assertTrue(robot.lookup("#instance-type-t3-micro").queryAs(RadioButton.class).isSelected(), "its type now");
        assertTrue(robot.lookup("#change-instance-type-confirm").queryButton().isDisabled(), "no change yet");
        console.engine().instances().instanceTypes().stream()
                .filter(t -> console.engine().instances().whyTypeDoesNotFit(t) != null)
                .forEach(t -> assertTrue(robot.lookup("#instance-type-" + t.name().replace('.', '-'))
                        .queryAs(RadioButton.class).isDisabled(), t.name() + " does not fit this machine"));
        robot.clickOn("#instance-type-t3-small");
        robot.clickOn("#change-instance-type-confirm");
        waitUntil("the table shows the new type", () -> "t3.small".equals(instances.getItems().get(0)
                .instanceType()));
        assertEquals("t3.small", console.engine().instances().get(REGION, launched.id()).instanceType());

        // From the Volumes page, to the stopped instance (it gets the volume at its next start), and back.
        robot.clickOn("Volumes");
        clickRow(robot, volumes, data.id());
        robot.clickOn("#volume-actions").clickOn("#volume-action-attach");
        waitUntil("the attach dialog", () -> robot.lookup("#attach-volume-confirm").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        javafx.scene.control.ComboBox<dev.nube.ui.storage.AttachVolumeDialog.Option> choice = robot.lookup(
                "#attach-choice").queryAs(javafx.scene.control.ComboBox.class);
        assertEquals(launched.id(), choice.getValue().id(), "the stopped instance is offered");
        robot.clickOn("#attach-device").write("/dev/sdg");
        robot.clickOn("#attach-volume-confirm");
        waitUntil("the row shows the attachment", () -> robot.from(volumes).lookup(launched.id() + ": /dev/sdg")
                .tryQuery().isPresent());
        robot.clickOn("#volume-actions").clickOn("#volume-action-detach");
        robot.clickOn(".danger");
        waitUntil("the volume is available again", () -> volumes.getItems().stream().anyMatch(v ->
                v.id().equals(data.id()) && v.state() == VolumeState.AVAILABLE));
    }
}
