package dev.nube.ui.access;

import dev.nube.engine.api.AccessKey;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.Tables;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Separator;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Access keys page: the keys of the AWS API as IAM's "Access keys" section shows them (create, deactivate,
 * activate, delete once inactive), and under them the API endpoint: where it is served, or why not, live, and its
 * port and reach, applied at once. FX thread only.
 */
public final class AccessKeysView extends VBox {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());

    private final AccessKeysViewModel model;
    private final TableView<AccessKey> table = new TableView<>();
    private final Label endpointStatus = new Label();
    private final TextField port = new TextField();
    private final CheckBox allowOthers = new CheckBox("Allow other machines to connect (listens on all addresses)");
    private final Label applyMessage = new Label();
    private boolean shown;

    public AccessKeysView(AccessKeysViewModel model) {
        this.model = model;
        getStyleClass().add("resource-page");
        setSpacing(10);
        VBox.setVgrow(table, Priority.ALWAYS);
        table.setMinHeight(140);
        getChildren().addAll(keysHeader(), intro(), failureLine(), table, new Separator(), endpoint());
        buildTable();
        // Pages are kept once built: coming back to this one reads when each key was last used (the model read
        // everything when it was made, just before the first showing).
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null && old == null && shown) {
                model.reload();
                model.readEndpoint();
            }
            shown |= scene != null;
        });
    }

    private Node keysHeader() {
        Label heading = new Label();
        heading.getStyleClass().add("title-2");
        heading.textProperty().bind(Bindings.createStringBinding(() -> "Access keys (" + model.items().size() + ")",
                model.items()));
        var selected = table.getSelectionModel().selectedItemProperty();

        Button create = new Button("Create access key", new FontIcon(Feather.PLUS));
        create.setId("create-access-key");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> new CreateAccessKeyDialog(model, window()).showAndWait()
                .ifPresent(key -> table.getSelectionModel().select(key)));
        Button deactivate = new Button("Deactivate", new FontIcon(Feather.PAUSE_CIRCLE));
        deactivate.setId("deactivate-access-key");
        deactivate.disableProperty().bind(Bindings.createBooleanBinding(() -> selected.get() == null
                || !selected.get().active(), selected));
        deactivate.setOnAction(e -> setActive(selected.get(), false));
        Button activate = new Button("Activate", new FontIcon(Feather.PLAY_CIRCLE));
        activate.setId("activate-access-key");
        activate.disableProperty().bind(Bindings.createBooleanBinding(() -> selected.get() == null
                || selected.get().active(), selected));
        activate.setOnAction(e -> setActive(selected.get(), true));
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("delete-access-key");
        delete.disableProperty().bind(selected.isNull());
        delete.setOnAction(e -> delete(selected.get()));
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setTooltip(new Tooltip("Read the keys again (when each was last used)"));
        refresh.setOnAction(e -> {
            model.reload();
            model.readEndpoint();
        });

        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(8, heading, spacer, refresh, delete, activate, deactivate, create);
        top.setAlignment(Pos.CENTER_LEFT);
        return top;
    }

    private static Node intro() {
        Label intro = new Label("Access keys sign the requests the aws CLI and the SDKs send to the AWS API Nube"
                + " serves, as an IAM user's keys do on AWS. A key's secret is shown once, when the key is made.");
        intro.setWrapText(true);
        intro.setMinHeight(Region.USE_PREF_SIZE); // the table gives way, not the text
        intro.getStyleClass().add("text-muted");
        return intro;
    }

    private Node failureLine() {
        Label failure = new Label();
        failure.setId("access-keys-failure");
        failure.setWrapText(true);
        failure.setMinHeight(Region.USE_PREF_SIZE);
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());
        failure.visibleProperty().bind(model.failureProperty().isNotEmpty());
        failure.managedProperty().bind(failure.visibleProperty());
        return failure;
    }

    private void buildTable() {
        table.setId("access-keys-table");
        table.setItems(model.items());
        table.getSelectionModel().setSelectionMode(SelectionMode.SINGLE);
        table.setPlaceholder(new Label("No access keys. Create one to use the aws CLI or an SDK with Nube."));
        table.getColumns().add(Tables.keepWhole(Tables.column("Access key ID", 200, AccessKey::id),
                "AKIAWWWWWWWWWWWWWWWW"));
        table.getColumns().add(Tables.column("Description", 220, k -> k.description().isEmpty() ? "-"
                : k.description()));
        table.getColumns().add(Tables.column("Status", 90, k -> k.active() ? "Active" : "Inactive"));
        table.getColumns().add(Tables.column("Created", 140, k -> WHEN.format(k.createdAt())));
        TableColumn<AccessKey, String> lastUsed = Tables.column("Last used", 200, k -> lastUsed(k.lastUsedAt()));
        Label lastUsedTitle = new Label("Last used");
        lastUsedTitle.setTooltip(new Tooltip("When a request signed with the key was last accepted since Nube"
                + " started: Nube does not keep it across restarts."));
        lastUsed.setText(null);
        lastUsed.setGraphic(lastUsedTitle);
        table.getColumns().add(lastUsed);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.keepSelectionById(table, AccessKey::id);
    }

    static String lastUsed(Instant when) {
        return when == null ? "Not since Nube started" : WHEN.format(when);
    }

    private Node endpoint() {
        Label heading = new Label("API endpoint");
        heading.getStyleClass().add("title-4");

        endpointStatus.setId("api-endpoint-status");
        endpointStatus.setWrapText(true);
        endpointStatus.setMinHeight(Region.USE_PREF_SIZE);
        model.statusProperty().addListener((obs, old, status) -> showStatus());
        model.settingsProperty().addListener((obs, old, saved) -> {
            port.setText(Integer.toString(saved.port()));
            allowOthers.setSelected(saved.allowOtherMachines());
            showStatus();
        });

        port.setId("api-port");
        port.setPrefColumnCount(6);
        port.setText(Integer.toString(model.settingsProperty().get().port()));
        Label portLabel = new Label("Port");
        portLabel.setLabelFor(port);
        Button apply = new Button("Apply");
        apply.setId("apply-api-settings");
        // Nothing to apply while the API is served with what the fields say.
        apply.disableProperty().bind(Bindings.createBooleanBinding(() -> model.statusProperty().get().serving()
                && port.getText().strip().equals(Integer.toString(model.settingsProperty().get().port()))
                && allowOthers.isSelected() == model.settingsProperty().get().allowOtherMachines(),
                model.statusProperty(), model.settingsProperty(), port.textProperty(), allowOthers.selectedProperty()));
        apply.setOnAction(e -> apply());
        port.setOnAction(e -> apply.fire()); // Enter applies, as the button would
        HBox portRow = new HBox(10, portLabel, port, apply);
        portRow.setAlignment(Pos.CENTER_LEFT);

        allowOthers.setId("api-allow-other-machines");
        Label warning = new Label("Anyone who can reach this machine on that port and holds an active key can use"
                + " the API, over unencrypted HTTP.", new FontIcon(Feather.ALERT_TRIANGLE));
        warning.setId("api-allow-warning");
        warning.setWrapText(true);
        warning.setMinHeight(Region.USE_PREF_SIZE);
        warning.getStyleClass().add("warning-text");
        warning.visibleProperty().bind(allowOthers.selectedProperty());
        warning.managedProperty().bind(warning.visibleProperty());

        applyMessage.setId("api-apply-message");
        applyMessage.setWrapText(true);
        applyMessage.setMinHeight(Region.USE_PREF_SIZE);
        applyMessage.getStyleClass().add("error-text");
        applyMessage.visibleProperty().bind(applyMessage.textProperty().isNotEmpty());
        applyMessage.managedProperty().bind(applyMessage.visibleProperty());

        showStatus();
        VBox section = new VBox(8, heading, endpointStatus, portRow, allowOthers, warning, applyMessage);
        section.setId("api-endpoint");
        return section;
    }

    private void showStatus() {
        ApiEndpoint.Status status = model.statusProperty().get();
        endpointStatus.getStyleClass().removeAll("error-text", "text-muted");
        if (status.serving()) {
            ApiEndpoint.Settings saved = model.settingsProperty().get();
            endpointStatus.setText("Served at " + status.url() + (saved.allowOtherMachines()
                    ? ", and on this machine's other addresses at the same port" : ", to this machine only") + ".");
            endpointStatus.setGraphic(new FontIcon(Feather.CHECK_CIRCLE));
        } else if (status.problem() != null) {
            endpointStatus.setText("Not served: " + status.problem());
            endpointStatus.setGraphic(new FontIcon(Feather.ALERT_CIRCLE));
            endpointStatus.getStyleClass().add("error-text");
        } else {
            endpointStatus.setText("Not served. Apply serves it with the settings below.");
            endpointStatus.setGraphic(new FontIcon(Feather.CIRCLE));
            endpointStatus.getStyleClass().add("text-muted");
        }
    }

    private void apply() {
        applyMessage.setText("");
        model.applySettings(port.getText(), allowOthers.isSelected(), after -> { },
                failure -> applyMessage.setText(Errors.message(failure)));
    }

    private void setActive(AccessKey key, boolean active) {
        model.setActive(key, active, failure -> {
            Dialogs.error(window(), active ? "Could not activate the key" : "Could not deactivate the key", failure);
            model.reload();
        });
    }

    private void delete(AccessKey key) {
        Optional<String> problem = model.deleteProblem(key);
        if (problem.isPresent()) {
            Dialogs.error(window(), "Deactivate the key first", problem.get());
            return;
        }
        if (Dialogs.confirm(window(), "Delete access key", "Delete access key " + key.id() + "?",
                "Requests signed with it are refused from now on, and it cannot be activated again. Programs that"
                + " still use it need a new key.", "Delete")) {
            model.delete(key, () -> { }, failure -> {
                Dialogs.error(window(), "Could not delete the key", failure);
                model.reload();
            });
        }
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
