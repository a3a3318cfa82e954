package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.api.AccessKey;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.api.ApiTestSupport;
import dev.nube.ui.shell.Page;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Access keys page over a real engine whose AWS API is served: a key made in the console signs the real aws
 * CLI's requests until it is deactivated, its secret is shown once, and the endpoint's port moves the server.
 */
@Tag("ui")
class AccessKeysUiTest extends ConsoleUiTest {
    private TableView<AccessKey> table;

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @SuppressWarnings("unchecked")
    private void openAccessKeys(FxRobot robot) {
        robot.clickOn("Access keys");
        waitUntil("the access keys table", () -> robot.lookup("#access-keys-table").tryQuery().isPresent());
        table = robot.lookup("#access-keys-table").queryAs(TableView.class);
    }

    private ApiTestSupport serveApi() throws IOException {
        return ApiTestSupport.start(console.engine(), Files.createTempDirectory(temp, "aws"));
    }

    @Test
    void aNewKeysSecretIsShownOnceWithTheLinesToUseIt(FxRobot robot) throws Exception {
        try (ApiTestSupport api = serveApi()) {
            openAccessKeys(robot);
            waitUntil("the key the tests sign with is listed", () -> table.getItems().size() == 1);
            robot.clickOn("#create-access-key");
            robot.clickOn("#access-key-description").write("ui laptop");
            robot.clickOn("#access-key-create");
            waitUntil("the dialog shows the secret", () -> robot.lookup("#created-secret-access-key").tryQuery()
                    .isPresent());
            String id = text(robot, "#created-access-key-id");
            String secret = text(robot, "#created-secret-access-key");
            assertTrue(id.matches("AKIA[A-Z2-7]{16}"), id);
            assertEquals(40, secret.length());
            assertTrue(robot.lookup("#access-key-secret-warning").queryAs(Label.class).getText()
                    .startsWith("This is the only time the secret access key can be viewed or downloaded."));
            String credentials = text(robot, "#created-credentials");
            assertTrue(credentials.contains("[nube]\naws_access_key_id = " + id + "\naws_secret_access_key = "
                    + secret), credentials);
            assertEquals("[profile nube]\nregion = local-1", text(robot, "#created-config"));
            assertEquals("aws --profile nube --endpoint-url " + api.url() + " ec2 describe-instances",
                    text(robot, "#created-example-command"));

            // What the dialog shows is what the engine checks: the CLI signs with it.
            api.aws(Map.of("AWS_ACCESS_KEY_ID", id, "AWS_SECRET_ACCESS_KEY", secret), 60, "ec2", "describe-regions")
                    .ok();

            robot.clickOn("Close");
            waitUntil("the dialog is closed", () -> robot.lookup("#created-secret-access-key").tryQuery().isEmpty());
            waitUntil("the new key is listed", () -> table.getItems().size() == 2);
            AccessKey row = table.getItems().get(1);
            assertEquals(id, row.id());
            assertEquals("ui laptop", row.description());
            assertTrue(robot.lookup(id).tryQuery().isPresent(), "the id is on screen");
            waitUntil("the row shows its status", () -> robot.lookup("Active").tryQuery().isPresent());
            assertFalse(textsOnScreen(robot).stream().anyMatch(t -> t.contains(secret)), "the secret is not shown"
                    + " again");
        }
    }

    @Test
    void aDeactivatedKeyIsRefusedAndOnlyAnInactiveKeyIsDeleted(FxRobot robot) throws Exception {
        try (ApiTestSupport api = serveApi()) {
            var created = console.engine().accessKeys().create("build server");
            String id = created.key().id();
            Map<String, String> signedWithIt = Map.of("AWS_ACCESS_KEY_ID", id, "AWS_SECRET_ACCESS_KEY",
                    created.secretAccessKey());
            api.aws(signedWithIt, 60, "ec2", "describe-regions").ok();
            openAccessKeys(robot);
            waitUntil("both keys are listed", () -> table.getItems().size() == 2);
            assertTrue(robot.lookup("Not since Nube started").tryQuery().isPresent(), "the new key was not used");
            assertTrue(table.getItems().stream().anyMatch(k -> k.id().equals(id) && k.lastUsedAt() != null),
                    "the key that signed is shown as used");

            robot.clickOn("build server");
            robot.clickOn("#delete-access-key");
            waitUntil("deleting an active key is refused, and why", () -> robot.lookup(".label").queryAllAs(
                    Label.class).stream().anyMatch(l -> l.getText() != null && l.getText().startsWith(
                    "Deactivate the access key " + id + " first.")));
            robot.clickOn("OK");
            console.waitUntilIdle();
            assertEquals(2, console.engine().accessKeys().list().size(), "the engine keeps it");

            robot.clickOn("#deactivate-access-key");
            waitUntil("the row is inactive", () -> !row(id).active());
            assertFalse(key(id).active(), "the engine's key is inactive");
            ApiTestSupport.Result refused = api.aws(signedWithIt, 60, "ec2", "describe-regions");
            assertNotEquals(0, refused.exit());
            assertTrue(refused.err().contains("InvalidClientTokenId"), refused.err());

            robot.clickOn("#activate-access-key");
            waitUntil("the row is active again", () -> row(id).active());
            api.aws(signedWithIt, 60, "ec2", "describe-regions").ok();

            robot.clickOn("#deactivate-access-key");
            waitUntil("the row is inactive", () -> !row(id).active());
            robot.clickOn("#delete-access-key");
            assertTrue(robot.lookup("Delete access key " + id + "?").tryQuery().isPresent());
            robot.clickOn(".danger");
            waitUntil("the row is gone", () -> table.getItems().size() == 1);
            assertTrue(console.engine().accessKeys().list().stream().noneMatch(k -> k.id().equals(id)));
            assertNotEquals(0, api.aws(signedWithIt, 60, "ec2", "describe-regions").exit());
        }
    }

    @Test
    void theEndpointShowsWhereTheApiIsServedAndApplyMovesIt(FxRobot robot) throws Exception {
        int first = freePort();
        console.engine().api().updateSettings(new ApiEndpoint.Settings(first, false));
        console.engine().api().start();
        String firstUrl = "http://127.0.0.1:" + first;
        waitUntil("the status bar shows the API", () -> text(robot, "#status-api").equals("API: 127.0.0.1:"
                + first));
        robot.clickOn("#status-api");
        waitUntil("the status bar's item opens the page", () -> console.shell().pageProperty().get()
                == Page.ACCESS_KEYS && robot.lookup("#api-endpoint-status").tryQuery().isPresent());
        waitUntil("the page shows the URL", () -> text(robot, "#api-endpoint-status").equals("Served at " + firstUrl
                + ", to this machine only."));
        assertEquals(Integer.toString(first), text(robot, "#api-port"));
        assertTrue(robot.lookup("#apply-api-settings").queryButton().isDisabled(), "nothing to apply");

        setPort(robot, "45x");
        waitUntil("a port that is not a number is refused", () -> text(robot, "#api-apply-message")
                .equals("The port must be a whole number, such as 4590."));
        setPort(robot, "70000");
        waitUntil("the engine's range is said", () -> text(robot, "#api-apply-message")
                .equals("The port must be between 1 and 65535."));
        assertEquals(first, console.engine().api().settings().port(), "nothing was saved");

        int second = freePort();
        setPort(robot, Integer.toString(second));
        waitUntil("the page shows the new URL", () -> text(robot, "#api-endpoint-status").equals(
                "Served at http://127.0.0.1:" + second + ", to this machine only."));
        waitUntil("the status bar follows", () -> text(robot, "#status-api").equals("API: 127.0.0.1:" + second));
        assertEquals("", text(robot, "#api-apply-message"));
        assertEquals(new ApiEndpoint.Settings(second, false), console.engine().api().settings());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), first).close(),
                "the old port refuses connections");
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + second + "/?Action=DescribeRegions&Version=2016-11-15")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(answer.body().contains("MissingAuthenticationToken"), "the new port answers as the API: "
                + answer.body());

        robot.clickOn("#api-allow-other-machines");
        assertTrue(robot.lookup("#api-allow-warning").queryAs(Label.class).isVisible(), "the warning shows");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            robot.clickOn("#api-allow-other-machines"); // back to this machine only
            setPort(robot, Integer.toString(taken.getLocalPort()));
            waitUntil("a port in use is the problem shown", () -> text(robot, "#api-endpoint-status").equals(
                    "Not served: Port " + taken.getLocalPort() + " is in use by another program: choose another port"
                    + " for the AWS API."));
            waitUntil("the status bar says so", () -> text(robot, "#status-api").equals("API: not served"));
        }
    }

    private void setPort(FxRobot robot, String port) {
        TextInputControl field = robot.lookup("#api-port").queryAs(TextInputControl.class);
        robot.interact(() -> field.setText(port));
        robot.clickOn("#apply-api-settings");
        console.waitUntilIdle();
    }

    private AccessKey row(String id) {
        return table.getItems().stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    private AccessKey key(String id) {
        return console.engine().accessKeys().list().stream().filter(k -> k.id().equals(id)).findFirst()
                .orElseThrow();
    }

    private static String text(FxRobot robot, String query) {
        Node node = robot.lookup(query).query();
        return node instanceof Labeled l ? l.getText() : ((TextInputControl) node).getText();
    }

    /** Every text any window of the console shows: labels, fields, table cells. */
    private static List<String> textsOnScreen(FxRobot robot) {
        return Window.getWindows().stream().filter(Window::isShowing).flatMap(w -> robot.from(w.getScene()
                .getRoot()).lookup((Node n) -> n instanceof Labeled || n instanceof TextInputControl).queryAll()
                .stream())
                .flatMap(n -> Stream.ofNullable(n instanceof Labeled l ? l.getText()
                        : ((TextInputControl) n).getText())).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
