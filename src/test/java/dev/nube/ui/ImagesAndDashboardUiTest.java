package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.images.ImagePackage;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** The images page (build, manifest, deregister) and the dashboard's counts, over a real engine. */
@Tag("vm")
@Tag("ui")
class ImagesAndDashboardUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @Test
    void buildsTheTinyImageShowsItsManifestAndDeregistersIt(FxRobot robot) {
        robot.clickOn("Images");
        @SuppressWarnings("unchecked")
        TableView<Image> table = robot.lookup("#images-table").queryAs(TableView.class);
        waitUntil("the empty list", () -> table.getItems().isEmpty());
        robot.clickOn("#build-image");
        robot.clickOn(ImageService.TINY_IMAGE_NAME);
        waitUntil("the image is built and listed", 600, () -> table.getItems().size() == 1);
        Image image = table.getItems().get(0);
        assertEquals("Nube Linux (tiny)", image.name());
        robot.clickOn(image.id());
        @SuppressWarnings("unchecked")
        TableView<ImagePackage> manifest = robot.lookup("#image-manifest").queryAs(TableView.class);
        waitUntil("the manifest lists the Debian packages", () -> manifest.getItems().stream()
                .anyMatch(p -> p.name().equals("busybox-static")) && manifest.getItems().stream()
                .anyMatch(p -> p.name().startsWith("linux-image")));
        javafx.scene.control.MenuButton build = robot.lookup("#build-image").queryAs(
                javafx.scene.control.MenuButton.class);
        assertTrue(build.getItems().get(0).isDisable(), "it is built already");
        assertFalse(build.getItems().get(1).isDisable(), "the Debian image is not");

        robot.clickOn("#deregister-image");
        String question = "Deregister " + image.name() + " (" + image.id() + ")?";
        assertTrue(robot.lookup(question).tryQuery().isPresent(), "the confirmation asks");
        robot.clickOn("Cancel");
        waitUntil("the confirmation is closed", () -> robot.lookup(question).tryQuery().isEmpty());
        console.waitUntilIdle(); // a deregistration the click had started would be done now
        assertEquals(1, console.engine().images().list("local-1").items().size(), "cancel keeps the image");
        robot.clickOn("#deregister-image");
        robot.clickOn(".danger");
        waitUntil("the image is gone", () -> table.getItems().isEmpty());
        assertTrue(console.engine().images().list("local-1").items().isEmpty());
    }

    @Test
    void theDashboardCountsWhatTheRegionHolds(FxRobot robot) {
        waitUntil("the dashboard shows one security group", () -> text(robot, "#dashboard-security-groups")
                .equals("1"));
        assertEquals("0", text(robot, "#dashboard-key-pairs"));
        robot.interact(() -> { });
        console.engine().keyPairs().create("local-1", "counted", KeyType.ED25519, 0);
        waitUntil("the new key pair is counted", () -> text(robot, "#dashboard-key-pairs").equals("1"));
        assertEquals("0", text(robot, "#dashboard-state-running"));
        waitUntil("the accelerator is shown", () -> text(robot, "#dashboard-accelerator")
                .equals(console.engine().hostStatus().accelerator()));
        waitUntil("host memory is shown", () -> text(robot, "#dashboard-memory").startsWith("Memory: "));
    }

    @Test
    void theAcceleratorSettingIsChosenOnTheDashboardAndSaved(FxRobot robot) {
        @SuppressWarnings("unchecked")
        ComboBox<AcceleratorMode> mode = robot.lookup("#dashboard-accelerator-mode").queryAs(ComboBox.class);
        waitUntil("the saved setting is shown", () -> mode.getValue() == AcceleratorMode.AUTO);
        robot.clickOn(mode);
        robot.clickOn("TCG");
        waitUntil("the engine has the new setting", () -> console.engine().instances().acceleratorMode()
                == AcceleratorMode.TCG);
        waitUntil("the status bar says why", () -> robot.lookup("#status-accelerator").queryAs(Label.class)
                .getText().equals("Accelerator: TCG (chosen in settings)"));
        robot.interact(() -> mode.setValue(AcceleratorMode.AUTO));
        waitUntil("and back to automatic", () -> console.engine().instances().acceleratorMode()
                == AcceleratorMode.AUTO);
    }

    @Test
    void restoreLaunchesAreTurnedOffAndOnOnTheDashboardAndSaved(FxRobot robot) {
        javafx.scene.control.CheckBox restore = robot.lookup("#dashboard-restore-launches")
                .queryAs(javafx.scene.control.CheckBox.class);
        waitUntil("the saved setting (on) is shown", restore::isSelected);
        robot.clickOn(restore);
        waitUntil("the engine has it off", () -> !console.engine().instances().restoreLaunches());
        robot.clickOn(restore);
        waitUntil("and on again", () -> console.engine().instances().restoreLaunches());
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
