package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageState;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.tasks.Task;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * Images made from instances and copied: the Create image dialog on the Instances page with a real guest, and the
 * Images page's Copy to region, Launch replicas and Deregister over the built image and one made from an instance.
 * Building the tiny image uses the shared cache; a boot under TCG takes tens of seconds.
 */
@Tag("vm")
@Tag("ui")
class ImagesUiTest extends ConsoleUiTest {
    private static final String REGION = "local-1";
    private static final String OTHER = "eu-local-1";
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

    private static boolean disabled(FxRobot robot, String query) {
        return robot.lookup(query).queryButton().isDisabled();
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    @Test
    void theBuiltImageIsCopiedToARegionAndTheDialogsCheckWhatTheyAreGiven(FxRobot robot) {
        Image tiny = console.engine().images().ensureTinyImage(REGION);
        console.engine().regions().create(OTHER, null);
        console.engine().keyPairs().create(REGION, "deploy", KeyType.ED25519, 0);
        robot.clickOn("Images");
        @SuppressWarnings("unchecked")
        TableView<Image> table = robot.lookup("#images-table").queryAs(TableView.class);
        waitUntil("the image is listed", () -> table.getItems().size() == 1);
        assertTrue(disabled(robot, "#copy-image") && disabled(robot, "#launch-replicas")
                && disabled(robot, "#deregister-image"), "nothing selected");
        clickRow(robot, table, tiny.id());
        assertTrue(robot.from(table).lookup("available").tryQuery().isPresent(), "the State column");
        assertFalse(disabled(robot, "#copy-image"));
        assertFalse(disabled(robot, "#launch-replicas"));
        assertFalse(disabled(robot, "#deregister-image"));

        // Launch replicas: at least one region; t3.nano unless it does not fit; a key pair of this region, or none.
        robot.clickOn("#launch-replicas");
        waitUntil("the replica dialog", () -> robot.lookup("#launch-replicas-confirm").tryQuery().isPresent());
        assertTrue(disabled(robot, "#launch-replicas-confirm"), "no region chosen yet");
        @SuppressWarnings("unchecked")
        ComboBox<dev.nube.ui.images.ImagesViewModel.TypeChoice> type = robot.lookup("#replica-instance-type")
                .queryAs(ComboBox.class);
        if (console.engine().instances().whyTypeDoesNotFit(console.engine().instances().instanceTypes().stream()
                .filter(t -> t.name().equals("t3.nano")).findFirst().orElseThrow()) == null) {
            assertEquals("t3.nano", type.getValue().type().name());
        }
        @SuppressWarnings("unchecked")
        ComboBox<String> key = robot.lookup("#replica-key-pair").queryAs(ComboBox.class);
        assertEquals(java.util.Arrays.asList(null, "deploy"), key.getItems(), "none, or this region's key pairs");
        robot.clickOn("#replica-region-" + OTHER);
        assertFalse(disabled(robot, "#launch-replicas-confirm"));
        robot.clickOn("#replica-region-" + OTHER);
        assertTrue(disabled(robot, "#launch-replicas-confirm"), "unticked again");
        robot.clickOn("Cancel");
        waitUntil("the dialog is closed", () -> robot.lookup("#launch-replicas-confirm").tryQuery().isEmpty());

        // Copy to region: into this region the same name is refused in the engine's words, and the dialog stays open.
        robot.clickOn("#copy-image");
        waitUntil("the copy dialog", () -> robot.lookup("#copy-image-confirm").tryQuery().isPresent());
        @SuppressWarnings("unchecked")
        ComboBox<String> destination = robot.lookup("#copy-image-destination").queryAs(ComboBox.class);
        assertEquals(OTHER, destination.getValue(), "another region first");
        robot.interact(() -> destination.setValue(REGION));
        robot.clickOn("#copy-image-confirm");
        waitUntil("the engine's refusal", () -> text(robot, "#copy-image-message").contains("already"));
        assertEquals(1, console.engine().images().list(REGION).items().size(), "nothing was copied");
        robot.interact(() -> destination.setValue(OTHER));
        robot.clickOn("#copy-image-confirm");
        waitUntil("the dialog is closed", () -> robot.lookup("#copy-image-confirm").tryQuery().isEmpty());
        waitUntil("the page says where the copy is", () -> text(robot, "#images-notice").contains(OTHER));
        Image copy = console.engine().images().list(OTHER).items().get(0);
        assertEquals(tiny.name(), copy.name(), "the same name by default");
        waitUntil("the copy is available", 120, () -> console.engine().images().get(OTHER, copy.id()).available());

        // The built image's files go with it when it is deregistered.
        robot.clickOn("#deregister-image");
        assertTrue(robot.lookup(n -> n instanceof Label l && l.getText() != null
                && l.getText().contains("kernel, initramfs and base disk")).tryQuery().isPresent());
        robot.clickOn("Cancel");
    }

    @Test
    void anImageMadeOfARunningInstanceBecomesAvailableAndKeepsItsSnapshot(FxRobot robot) {
        Image tiny = console.engine().images().ensureTinyImage(REGION);
        Instance launched = console.engine().instances().run(REGION, RunRequest.of(tiny.id(), "t3.nano", null)
                .withName("web")).get(0);
        robot.clickOn("Instances");
        @SuppressWarnings("unchecked")
        TableView<Instance> instances = robot.lookup("#instances-table").queryAs(TableView.class);
        waitUntil("the instance is running", BOOT_SECONDS, () -> instances.getItems().size() == 1
                && instances.getItems().get(0).state() == InstanceState.RUNNING);
        clickRow(robot, instances, "web");
        robot.clickOn("#instance-actions");
        waitUntil("the menu offers an image", () -> !robot.lookup("#instance-actions").queryAs(MenuButton.class)
                .getItems().stream().filter(i -> "action-create-image".equals(i.getId())).findFirst().orElseThrow()
                .isDisable());
        robot.clickOn("#action-create-image");
        waitUntil("the dialog", () -> robot.lookup("#create-image-confirm").tryQuery().isPresent());
        assertTrue(disabled(robot, "#create-image-confirm"), "a name is required");
        assertTrue(text(robot, "#image-no-reboot-note").contains("shut down cleanly"));
        robot.clickOn("#image-no-reboot");
        assertTrue(robot.lookup("#image-no-reboot").queryAs(CheckBox.class).isSelected());
        assertTrue(text(robot, "#image-no-reboot-note").contains("may be missing"));
        robot.clickOn("#image-name").write("ab");
        robot.clickOn("#create-image-confirm");
        waitUntil("the engine's refusal", () -> text(robot, "#create-image-message").contains("3 to 128"));
        robot.interact(() -> robot.lookup("#image-name").queryAs(TextField.class).setText("web backup"));
        robot.clickOn("#create-image-confirm");
        waitUntil("the dialog is closed", () -> robot.lookup("#create-image-confirm").tryQuery().isEmpty());
        waitUntil("the page says where it goes", () -> text(robot, "#instances-notice").contains("Images page"));

        robot.clickOn("Images");
        @SuppressWarnings("unchecked")
        TableView<Image> table = robot.lookup("#images-table").queryAs(TableView.class);
        waitUntil("the new image is listed", () -> table.getItems().size() == 2);
        Image made = table.getItems().stream().filter(i -> i.name().equals("web backup")).findFirst().orElseThrow();
        waitUntil("the image is available", BOOT_SECONDS, () -> table.getItems().stream()
                .anyMatch(i -> i.id().equals(made.id()) && i.state() == ImageState.AVAILABLE));
        Task task = console.engine().tasks().list().stream().filter(t -> made.id().equals(t.resourceId()))
                .findFirst().orElseThrow();
        waitUntil("its task succeeded", () -> console.engine().tasks().list().stream()
                .anyMatch(t -> t.id().equals(task.id()) && t.status() == Task.Status.SUCCEEDED));
        assertEquals(InstanceState.RUNNING, console.engine().instances().get(REGION, launched.id()).state(),
                "no reboot: it kept running");
        clickRow(robot, table, made.id());
        String snapshot = console.engine().images().get(REGION, made.id()).snapshotId();
        waitUntil("the details name its snapshot", () -> text(robot, "#image-details-about").contains(snapshot));
        assertFalse(disabled(robot, "#copy-image"));
        robot.clickOn("#deregister-image");
        assertTrue(robot.lookup(n -> n instanceof Label l && l.getText() != null
                && l.getText().contains(snapshot + ", which is kept")).tryQuery().isPresent());
        robot.clickOn(".danger");
        waitUntil("the image is gone", () -> table.getItems().size() == 1);
        assertEquals(made.id(), console.engine().snapshots().get(REGION, snapshot).imageId(),
                "its snapshot is kept");
    }
}
