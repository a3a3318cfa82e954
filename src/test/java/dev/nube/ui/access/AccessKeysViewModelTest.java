package dev.nube.ui.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.api.AccessKey;
import dev.nube.engine.api.AccessKeyService;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.UiEvents;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Access keys page's model over a real engine, its work run on the calling thread. */
class AccessKeysViewModelTest {
    @TempDir
    Path dir;
    private Engine engine;
    private final StringProperty region = new SimpleStringProperty("local-1");
    private AccessKeysViewModel model;
    private final List<String> failures = new ArrayList<>();

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
        model = new AccessKeysViewModel(engine.accessKeys(), engine.api(), new ConsoleContext(new SameThreadTasks(),
                new UiEvents(engine.events(), Runnable::run), region, null));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private AccessKeyService.Created create(String description) {
        AtomicReference<AccessKeyService.Created> created = new AtomicReference<>();
        model.create(description, created::set, f -> failures.add(Errors.message(f)));
        assertNotNull(created.get(), () -> "not created: " + failures);
        return created.get();
    }

    @Test
    void aNewKeyIsListedAndItsSetupLinesNameItTheRegionAndTheEndpoint() {
        AccessKeyService.Created created = create("laptop");
        assertEquals(List.of(created.key()), model.items());
        assertEquals(List.of(created.key().id()), engine.accessKeys().list().stream().map(AccessKey::id).toList());

        assertEquals("[nube]\naws_access_key_id = " + created.key().id() + "\naws_secret_access_key = "
                + created.secretAccessKey() + "\n", AccessKeysViewModel.credentialsLines(created));
        region.set("local-2");
        assertEquals("[profile nube]\nregion = local-2\n", model.configLines(), "the region the console shows");
        assertEquals("aws --profile nube --endpoint-url http://127.0.0.1:" + ApiEndpoint.DEFAULT_PORT
                + " ec2 describe-instances", model.exampleCommand(), "not served yet: the saved port's URL");
    }

    @Test
    void theCsvFileIsIamsAndReadableByItsOwnerOnly() throws IOException {
        AccessKeyService.Created created = create("");
        Path file = dir.resolve("keys.csv");
        Files.writeString(file, "an older file, readable by all");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        boolean[] saved = new boolean[1];
        model.saveCsv(created, file, () -> saved[0] = true, f -> failures.add(Errors.message(f)));
        assertTrue(saved[0], () -> "not saved: " + failures);
        assertEquals("Access key ID,Secret access key\n" + created.key().id() + "," + created.secretAccessKey() + "\n",
                Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void anActiveKeyIsDeletedOnlyOnceDeactivated() {
        AccessKey key = create("ci").key();
        assertTrue(model.deleteProblem(key).orElseThrow().contains("Deactivate"));
        model.delete(key, () -> failures.add("deleted while active"), f -> failures.add(Errors.message(f)));
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).startsWith("Deactivate the access key " + key.id() + " first."), failures::toString);
        assertEquals(1, engine.accessKeys().list().size(), "the engine keeps the key");

        model.setActive(key, false, f -> failures.add(Errors.message(f)));
        AccessKey inactive = model.items().get(0);
        assertFalse(inactive.active(), "the row follows");
        assertFalse(engine.accessKeys().list().get(0).active());
        assertTrue(model.deleteProblem(inactive).isEmpty());
        boolean[] deleted = new boolean[1];
        model.delete(inactive, () -> deleted[0] = true, f -> failures.add(Errors.message(f)));
        assertTrue(deleted[0], failures::toString);
        assertTrue(model.items().isEmpty());
        assertTrue(engine.accessKeys().list().isEmpty());
    }

    @Test
    void applyServesOnTheNewPortAndTheStatusFollows() throws IOException {
        assertFalse(model.statusProperty().get().serving());
        int port = freePort();
        List<ApiEndpoint.Status> applied = new ArrayList<>();
        model.applySettings(" " + port + " ", false, applied::add, f -> failures.add(Errors.message(f)));
        assertEquals(List.of(), failures);
        assertTrue(applied.get(0).serving(), "a stopped API is started with the new settings");
        assertEquals("http://127.0.0.1:" + port, model.statusProperty().get().url(), "heard from the engine");
        assertEquals(new ApiEndpoint.Settings(port, false), model.settingsProperty().get());
        assertEquals(new ApiEndpoint.Settings(port, false), engine.api().settings(), "saved");
        assertTrue(model.exampleCommand().contains("--endpoint-url http://127.0.0.1:" + port + " "));

        engine.api().stop();
        assertFalse(model.statusProperty().get().serving(), "a change made elsewhere is heard too");
        assertNull(model.statusProperty().get().problem());
    }

    @Test
    void aPortThatIsNotANumberOrOutOfRangeIsRefusedAndNothingChanges() {
        model.applySettings("45x", true, s -> failures.add("applied"), f -> failures.add(Errors.message(f)));
        model.applySettings("70000", true, s -> failures.add("applied"), f -> failures.add(Errors.message(f)));
        assertEquals(List.of("The port must be a whole number, such as 4590.",
                "The port must be between 1 and 65535."), failures);
        assertEquals(ApiEndpoint.Settings.defaults(), model.settingsProperty().get());
        assertEquals(ApiEndpoint.Settings.defaults(), engine.api().settings());
    }

    @Test
    void aPortInUseIsShownAsTheProblem() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<ApiEndpoint.Status> applied = new ArrayList<>();
            model.applySettings(Integer.toString(taken.getLocalPort()), false, applied::add,
                    f -> failures.add(Errors.message(f)));
            assertFalse(applied.get(0).serving());
            assertTrue(model.statusProperty().get().problem().contains("Port " + taken.getLocalPort()
                    + " is in use"), () -> model.statusProperty().get().problem());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
