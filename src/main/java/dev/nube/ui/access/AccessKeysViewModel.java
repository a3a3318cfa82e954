package dev.nube.ui.access;

import dev.nube.engine.EngineException;
import dev.nube.engine.api.AccessKey;
import dev.nube.engine.api.AccessKeyService;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Access keys page: the keys that sign requests to the AWS API Nube serves (create, deactivate, activate, delete)
 * and the API's endpoint (where it is served, live, and its settings), plus what a person needs to use a new key:
 * the lines for {@code ~/.aws/credentials} and {@code ~/.aws/config}, a command to try, and IAM's .csv file. Keys
 * are global, not per region, and publish no events: the list is read when the page is shown (when each key was last
 * used changes with every request) and changed in place by the page's own commands. Engine calls and file writes
 * run on the task executor; the endpoint's status follows {@link ApiEndpoint.Changed}. FX thread only.
 */
public final class AccessKeysViewModel {
    /** The profile the setup lines name, so they do not replace the person's default profile. */
    public static final String PROFILE = "nube";

    private final AccessKeyService keys;
    private final ApiEndpoint api;
    private final ConsoleContext context;
    private final ObservableList<AccessKey> items = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<ApiEndpoint.Status> status = new ReadOnlyObjectWrapper<>(
            new ApiEndpoint.Status(false, null, null));
    private final ReadOnlyObjectWrapper<ApiEndpoint.Settings> settings = new ReadOnlyObjectWrapper<>(
            ApiEndpoint.Settings.defaults());
    /** How many status changes were heard: a status read in the background before one of them is older than it. */
    private long statusChanges;

    private record Endpoint(ApiEndpoint.Settings settings, ApiEndpoint.Status status) {
    }

    public AccessKeysViewModel(AccessKeyService keys, ApiEndpoint api, ConsoleContext context) {
        this.keys = keys;
        this.api = api;
        this.context = context;
        // Listening first, then reading: a change between the two is heard, and wins over the read (see readEndpoint).
        context.events().on(ApiEndpoint.Changed.class, changed -> {
            statusChanges++;
            status.set(changed.status());
        });
        reload();
        readEndpoint();
    }

    /** The keys, oldest first. */
    public ObservableList<AccessKey> items() {
        return items;
    }

    /** The last failure to read or change the keys; empty when the last attempt worked. */
    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ApiEndpoint.Status> statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The endpoint's saved settings. */
    public ReadOnlyObjectProperty<ApiEndpoint.Settings> settingsProperty() {
        return settings.getReadOnlyProperty();
    }

    /** Reads the keys again (when they last signed a request changes without an event). */
    public void reload() {
        context.tasks().submit(keys::list, list -> {
            items.setAll(list);
            failure.set("");
        }, f -> failure.set("The access keys cannot be read: " + Errors.message(f)));
    }

    /** Reads the endpoint's settings and status. */
    public void readEndpoint() {
        long heard = statusChanges;
        context.tasks().submit(() -> new Endpoint(api.settings(), api.status()), read -> {
            settings.set(read.settings());
            if (statusChanges == heard) {
                status.set(read.status());
            }
        }, f -> failure.set("The AWS API's settings cannot be read: " + Errors.message(f)));
    }

    public void create(String description, Consumer<AccessKeyService.Created> onCreated,
                       Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> keys.create(description), created -> {
            items.add(created.key());
            onCreated.accept(created);
        }, onFailure);
    }

    public void setActive(AccessKey key, boolean active, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> keys.setActive(key.id(), active), this::replace, onFailure);
    }

    /**
     * Why {@code key} cannot be deleted now, if it cannot: as in IAM, an active key is deactivated first, so that a
     * program still using it shows up (its requests are refused) while the key can still be brought back.
     */
    public Optional<String> deleteProblem(AccessKey key) {
        return key.active() ? Optional.of("Deactivate the access key " + key.id() + " first. As in IAM, a key is"
                + " deleted only once it is inactive: a program still using it then fails with an invalid key, and"
                + " you can activate the key again instead of making a new one.") : Optional.empty();
    }

    public void delete(AccessKey key, Runnable onDeleted, Consumer<Throwable> onFailure) {
        Optional<String> problem = deleteProblem(key);
        if (problem.isPresent()) {
            onFailure.accept(new EngineException("DeleteConflict", problem.get()));
            return;
        }
        context.tasks().submit(() -> {
            keys.delete(key.id());
            return null;
        }, ignored -> {
            items.removeIf(k -> k.id().equals(key.id()));
            onDeleted.run();
        }, onFailure);
    }

    /**
     * Saves {@code port} and {@code allowOtherMachines}; the API moves to them at once. When it is not served (its
     * port was taken, say), it is started with them, since the console serves the API while it runs.
     */
    public void applySettings(String port, boolean allowOtherMachines, Consumer<ApiEndpoint.Status> onApplied,
                              Consumer<Throwable> onFailure) {
        int number;
        try {
            number = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            onFailure.accept(EngineException.invalid("The port must be a whole number, such as "
                    + ApiEndpoint.DEFAULT_PORT + "."));
            return;
        }
        ApiEndpoint.Settings wanted = new ApiEndpoint.Settings(number, allowOtherMachines);
        context.tasks().submit(() -> {
            ApiEndpoint.Status after = api.updateSettings(wanted);
            return after.serving() ? after : api.start();
        }, after -> {
            settings.set(wanted);
            onApplied.accept(after);
        }, onFailure);
    }

    /** Where the API is (or would be) served: its URL while served, else the one its saved port gives. */
    public String url() {
        ApiEndpoint.Status now = status.get();
        return now.serving() ? now.url() : "http://127.0.0.1:" + settings.get().port();
    }

    /** The lines for {@code ~/.aws/credentials}: the key under the {@value #PROFILE} profile. */
    public static String credentialsLines(AccessKeyService.Created created) {
        return "[" + PROFILE + "]\n"
                + "aws_access_key_id = " + created.key().id() + "\n"
                + "aws_secret_access_key = " + created.secretAccessKey() + "\n";
    }

    /** The lines for {@code ~/.aws/config}: the {@value #PROFILE} profile in the region the console shows. */
    public String configLines() {
        return "[profile " + PROFILE + "]\n"
                + "region = " + context.region().get() + "\n";
    }

    /** A command that lists the instances through the API with the new profile. */
    public String exampleCommand() {
        return "aws --profile " + PROFILE + " --endpoint-url " + url() + " ec2 describe-instances";
    }

    /** The key as IAM's "Download .csv file" writes it. */
    public static String csv(AccessKeyService.Created created) {
        return "Access key ID,Secret access key\n" + created.key().id() + "," + created.secretAccessKey() + "\n";
    }

    /** Writes {@link #csv} to {@code target}, readable by its owner only (0600), replacing a file there. */
    public void saveCsv(AccessKeyService.Created created, Path target, Runnable onSaved,
                        Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> {
            writeOwnerOnly(target, csv(created));
            return null;
        }, ignored -> onSaved.run(), onFailure);
    }

    private static void writeOwnerOnly(Path target, String text) throws IOException {
        // Made 0600 before the secret is written, so it is never readable by others, even for a moment.
        Files.deleteIfExists(target);
        Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(target, text, StandardCharsets.UTF_8);
    }

    private void replace(AccessKey changed) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).id().equals(changed.id())) {
                items.set(i, changed);
                return;
            }
        }
        items.add(changed);
    }
}
