package dev.nube.ui;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.api.ApiTestSupport;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.VmTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javafx.scene.control.TableView;
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
 * The console and the AWS API are two doors to one engine: an instance the real aws CLI launches (RunInstances) shows
 * in the console's Instances table as it happens, reaches running there, and leaves it terminated when the CLI
 * terminates it. A real guest boots (TCG may take tens of seconds).
 */
@Tag("vm")
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class ApiLaunchUiTest {
    private static final long BOOT_SECONDS = 300;

    @TempDir
    static Path temp;
    private ConsoleFixture console;

    @Start
    void start(Stage stage) throws Exception {
        console = new ConsoleFixture(Files.createTempDirectory(temp, "console"), stage);
    }

    @AfterEach
    void close() {
        // Instances outlive the console by design: terminate what the test launched, whatever the CLI managed.
        for (Instance instance : console.engine().instances().list(VmTestSupport.REGION).items()) {
            if (instance.state() != InstanceState.TERMINATED && instance.state() != InstanceState.SHUTTING_DOWN) {
                console.engine().instances().terminate(VmTestSupport.REGION, instance.id());
            }
        }
        console.close();
    }

    @Test
    void anInstanceLaunchedThroughTheApiShowsInTheInstancesTableLive(FxRobot robot) throws Exception {
        VmTestSupport vm = new VmTestSupport(console.engine()); // the tiny image and a key pair; not closed: the
        // console owns the engine, and close() above terminates what is left
        try (ApiTestSupport api = ApiTestSupport.start(console.engine(), Files.createTempDirectory(temp, "aws"))) {
            robot.clickOn("Instances");
            waitUntil("the instances page", () -> robot.lookup("#instances-table").tryQuery().isPresent());
            @SuppressWarnings("unchecked")
            TableView<Instance> table = robot.lookup("#instances-table").queryAs(TableView.class);
            waitUntil("no instance yet", table.getItems()::isEmpty);

            String id = api.aws("ec2", "run-instances", "--image-id", vm.image.id(), "--instance-type", "t3.nano",
                    "--key-name", vm.keyPair.name(), "--count", "1").ok().json().path("Instances").path(0)
                    .path("InstanceId").asText();
            waitUntil("the launched instance shows in the table", () -> row(table, id).isPresent());
            waitUntil("its row reaches running", BOOT_SECONDS, () -> row(table, id)
                    .map(i -> i.state() == InstanceState.RUNNING).orElse(false));
            assertEquals(vm.image.id(), row(table, id).orElseThrow().imageId());

            api.aws("ec2", "terminate-instances", "--instance-ids", id).ok();
            waitUntil("its row follows the termination", 120, () -> row(table, id).map(i -> i.state()
                    == InstanceState.SHUTTING_DOWN || i.state() == InstanceState.TERMINATED).orElse(true));
            // The API answers while the termination goes on: let it finish before the engine closes.
            assertTrue(console.engine().instances().awaitState(VmTestSupport.REGION, id, InstanceState.TERMINATED,
                    120_000), "terminated");
        }
    }

    private static Optional<Instance> row(TableView<Instance> table, String id) {
        return table.getItems().stream().filter(i -> i.id().equals(id)).findFirst();
    }
}
