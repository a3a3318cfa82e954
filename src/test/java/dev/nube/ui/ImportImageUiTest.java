package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageImport;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.event.ActionEvent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Images page's Import image dialog over a real engine: a file's defaults filled in from its name, what the
 * checks say of it, a refusal shown in the engine's words, and an import that becomes an available image. No guest
 * boots.
 */
@Tag("ui")
class ImportImageUiTest extends ConsoleUiTest {
    private static final String REGION = "local-1";

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    /** A raw disk whose protective MBR has boot code and whose GPT has a BIOS boot partition and an ESP. */
    private static Path hybridDisk(Path file) throws Exception {
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "raw", file.toString(), "32M"));
        byte[] head = new byte[ImageImport.HEAD_SECTORS * 512];
        for (int i = 0; i < 440; i++) {
            head[i] = (byte) (i + 1);
        }
        head[446 + 4] = (byte) 0xee;
        head[510] = 0x55;
        head[511] = (byte) 0xaa;
        System.arraycopy("EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, head, 512, 8);
        head[512 + 72] = 2;
        head[512 + 80] = (byte) 128;
        head[512 + 84] = (byte) 128;
        byte[] biosBoot = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46,
                0x49};
        byte[] esp = {0x28, 0x73, 0x2a, (byte) 0xc1, 0x1f, (byte) 0xf8, (byte) 0xd2, 0x11, (byte) 0xba, 0x4b, 0x00,
                (byte) 0xa0, (byte) 0xc9, 0x3e, (byte) 0xc9, 0x3b};
        System.arraycopy(biosBoot, 0, head, 1024, 16);
        System.arraycopy(esp, 0, head, 1024 + 128, 16);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(head);
        }
        return file;
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    private static void choose(FxRobot robot, Path file) {
        TextField field = robot.lookup("#import-image-file").queryAs(TextField.class);
        robot.interact(() -> {
            field.setText(file.toString());
            field.fireEvent(new ActionEvent());
        });
    }

    @Test
    void aFileIsImportedWithTheDefaultsReadFromItsNameAndARefusalKeepsTheDialogOpen(FxRobot robot)
            throws Exception {
        Path dir = Files.createTempDirectory(temp, "files");
        Path disk = hybridDisk(dir.resolve("debian-12-genericcloud-amd64.raw"));
        Path vmdk = dir.resolve("appliance.vmdk");
        EngineTestSupport.run(List.of("qemu-img", "create", "-q", "-f", "vmdk", vmdk.toString(), "16M"));
        robot.clickOn("Images");

        robot.clickOn("#import-image");
        waitUntil("the import dialog", () -> robot.lookup("#import-image-confirm").tryQuery().isPresent());
        assertTrue(robot.lookup("#import-image-confirm").queryButton().isDisabled(), "no file chosen yet");
        choose(robot, vmdk);
        waitUntil("the checks' verdict", () -> text(robot, "#import-image-facts").contains("Cannot be imported"));
        assertTrue(text(robot, "#import-image-facts").contains("vmdk"), text(robot, "#import-image-facts"));
        robot.clickOn("#import-image-confirm");
        waitUntil("the engine's refusal", () -> text(robot, "#import-image-message").contains("qcow2 and raw"));
        assertTrue(console.engine().images().list(REGION).items().isEmpty(), "nothing was imported");

        choose(robot, disk);
        TextField name = robot.lookup("#import-image-name").queryAs(TextField.class);
        TextField user = robot.lookup("#import-image-user").queryAs(TextField.class);
        waitUntil("the defaults", () -> "debian-12-genericcloud-amd64".equals(name.getText()));
        assertEquals("", text(robot, "#import-image-message"), "the refusal of the other file is gone");
        assertEquals("debian", user.getText());
        waitUntil("the facts", () -> text(robot, "#import-image-facts").contains("BIOS and UEFI"));
        assertTrue(text(robot, "#import-image-facts").startsWith("raw, virtual size 32.0 MiB (root device 1 GiB)"),
                text(robot, "#import-image-facts"));
        @SuppressWarnings("unchecked")
        ComboBox<ImageImport.BootChoice> boot = robot.lookup("#import-image-boot").queryAs(ComboBox.class);
        assertEquals(ImageImport.BootChoice.AUTOMATIC, boot.getValue());
        robot.interact(() -> {
            name.setText("Debian genericcloud");
            boot.setValue(ImageImport.BootChoice.UEFI);
        });
        robot.clickOn("#import-image-confirm");
        waitUntil("the dialog is closed", () -> robot.lookup("#import-image-confirm").tryQuery().isEmpty());
        waitUntil("the page says it is being imported", () -> text(robot, "#images-notice")
                .contains("is being imported"));
        Image image = console.engine().images().list(REGION).items().get(0);
        waitUntil("the image is available", 60, () -> console.engine().images().get(REGION, image.id()).available());
        Image done = console.engine().images().get(REGION, image.id());
        assertEquals("Debian genericcloud", done.name());
        assertEquals("debian", done.sshUser());
        assertEquals(Image.BOOT_UEFI, done.bootMode(), "as chosen");
    }
}
