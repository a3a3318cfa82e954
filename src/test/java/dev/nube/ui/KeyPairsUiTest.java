package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.keys.KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

@Tag("ui")
class KeyPairsUiTest extends ConsoleUiTest {
    private TableView<KeyPair> table;

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @SuppressWarnings("unchecked")
    private void openKeyPairs(FxRobot robot) {
        robot.clickOn("Key pairs");
        waitUntil("the key pairs table", () -> robot.lookup("#key-pairs-table").tryQuery().isPresent());
        table = robot.lookup("#key-pairs-table").queryAs(TableView.class);
    }

    @Test
    void createsAKeyPairAndOffersThePrivateKey(FxRobot robot) {
        openKeyPairs(robot);
        robot.clickOn("#create-key-pair");
        Button create = robot.lookup("#key-create").queryButton();
        assertTrue(create.isDisabled(), "no name, no key");
        robot.clickOn("#key-name").write("bad\u00e9name");
        waitUntil("the name is refused as typed", () -> robot.lookup("#key-create-message").queryAs(Label.class)
                .getText().contains("ASCII"));
        assertTrue(create.isDisabled());
        robot.doubleClickOn("#key-name").eraseText(20).write("deploy key");
        robot.clickOn("RSA 2048");
        robot.clickOn("#key-create");
        waitUntil("the dialog offers the private key", () -> robot.lookup("#save-private-key").tryQuery()
                .isPresent());
        assertTrue(robot.lookup("Nube also keeps a copy for Connect; you can save it again later from the key"
                + " pair's menu.").tryQuery().isPresent() || robot.lookup(".label").queryAllAs(Label.class).stream()
                .anyMatch(l -> l.getText() != null && l.getText().contains("Nube also keeps a copy")));
        robot.clickOn("Close");
        waitUntil("the row shows", () -> table.getItems().size() == 1);
        KeyPair row = table.getItems().get(0);
        assertEquals("deploy key", row.name());
        assertEquals(2048, row.bits());
        assertTrue(robot.lookup("Kept by Nube").tryQuery().isPresent());
        assertTrue(robot.lookup(row.fingerprint()).tryQuery().isPresent(), "the fingerprint is on screen");
    }

    @Test
    void importsAPublicKeyAndSaysWhatIsWrongWithBadOnes(FxRobot robot) throws Exception {
        Path file = temp.resolve("id_laptop");
        EngineTestSupport.run(List.of("ssh-keygen", "-q", "-N", "", "-t", "ed25519", "-C", "me@laptop", "-f",
                file.toString()));
        String publicKey = Files.readString(Path.of(file + ".pub")).strip();

        openKeyPairs(robot);
        robot.clickOn("#import-key-pair");
        Button importButton = robot.lookup("#import-key").queryButton();
        robot.clickOn("#import-name").write("laptop");
        TextArea text = robot.lookup("#import-public-key").queryAs(TextArea.class);
        String privateKey = Files.readString(file).strip();
        robot.interact(() -> text.setText(privateKey));
        waitUntil("a pasted private key is refused", () -> message(robot).contains("This is a private key"));
        assertTrue(importButton.isDisabled());
        robot.interact(() -> text.setText(publicKey.substring(0, 50)));
        waitUntil("a truncated key is refused", () -> message(robot).contains("truncated")
                || message(robot).contains("base64"));
        assertTrue(importButton.isDisabled());
        robot.interact(() -> text.setText(publicKey));
        waitUntil("the key is recognised", () -> message(robot).startsWith("ED25519 256 bits, SHA256:"));
        assertFalse(importButton.isDisabled());
        robot.clickOn("#import-key");
        waitUntil("the imported key is listed", () -> table.getItems().size() == 1);
        assertEquals("laptop", table.getItems().get(0).name());
        assertTrue(robot.lookup("Not held (imported)").tryQuery().isPresent());

        robot.clickOn("#import-key-pair");
        robot.clickOn("#import-name").write("laptop");
        robot.interact(() -> robot.lookup("#import-public-key").queryAs(TextArea.class).setText(publicKey));
        robot.clickOn("#import-key");
        waitUntil("a duplicate name is refused by the engine", () -> message(robot).contains("already exists"));
        robot.clickOn("Cancel");
        assertEquals(1, table.getItems().size());
    }

    private static String message(FxRobot robot) {
        return robot.lookup("#import-message").queryAs(Label.class).getText();
    }

    @Test
    void anUnreadableDocumentIsShownWithItsReasonAndKept(FxRobot robot) throws Exception {
        String id = dev.nube.engine.store.Ids.newId(dev.nube.engine.store.ResourceKind.KEY_PAIR);
        Path document = console.engine().home().resolve("regions/local-1/keypairs/" + id + "/resource.json");
        Files.createDirectories(document.getParent());
        Files.writeString(document, "{\"schemaVersion\": 1, \"name\": \"half-writ");
        console.engine().keyPairs().create("local-1", "fine", dev.nube.engine.compute.keys.KeyType.ED25519, 0);
        openKeyPairs(robot);
        waitUntil("the readable key is listed", () -> table.getItems().size() == 1);
        assertTrue(robot.lookup("1 resource cannot be read").tryQuery().isPresent());
        assertTrue(robot.lookup(".problem-banner .label").queryAllAs(Label.class).stream()
                .anyMatch(l -> l.getText().startsWith(id + ": not valid JSON")), "the banner names it and says why");
        assertTrue(Files.exists(document), "the broken document is left as it was");
    }

    @Test
    void theFilterNarrowsTheTable(FxRobot robot) {
        console.engine().keyPairs().create("local-1", "alpha laptop", dev.nube.engine.compute.keys.KeyType.ED25519, 0);
        console.engine().keyPairs().create("local-1", "beta server", dev.nube.engine.compute.keys.KeyType.ED25519, 0);
        openKeyPairs(robot);
        waitUntil("both keys", () -> table.getItems().size() == 2);
        robot.clickOn(".filter-field").write("beta");
        waitUntil("only the matching key", () -> table.getItems().size() == 1
                && table.getItems().get(0).name().equals("beta server"));
    }

    @Test
    void deletesAfterConfirmation(FxRobot robot) {
        console.engine().keyPairs().create("local-1", "old key", dev.nube.engine.compute.keys.KeyType.ED25519, 0);
        openKeyPairs(robot);
        waitUntil("the key is listed", () -> table.getItems().size() == 1);
        robot.clickOn("old key");
        robot.clickOn("#delete-key-pair");
        assertTrue(robot.lookup("Delete key pair 'old key'?").tryQuery().isPresent());
        robot.clickOn("Cancel");
        waitUntil("the confirmation is closed", () -> robot.lookup("Delete key pair 'old key'?").tryQuery().isEmpty());
        console.waitUntilIdle(); // a delete the click had started would be done now
        assertEquals(1, console.engine().keyPairs().list("local-1").items().size(), "cancel keeps the key");
        robot.clickOn("#delete-key-pair");
        robot.clickOn(".danger");
        waitUntil("the key is gone", () -> table.getItems().isEmpty());
        assertTrue(console.engine().keyPairs().list("local-1").items().isEmpty());
    }
}
