package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.network.InstanceNetwork;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The selected instance's details, as tabs: Details, Networking, Security, Storage, Console output (refreshable) and
 * Metadata.
 * Shows a hint when nothing is selected. FX thread only.
 */
final class InstanceDetailsView extends VBox {
    private final InstanceDetailsViewModel model;
    private final Label title = new Label("Select an instance to see its details.");
    private final TabPane tabs = new TabPane();
    private final GridPane details = grid();
    private final VBox security = new VBox(8);
    private final VBox networking = new VBox(8);
    private final InstanceStorageView storage;
    private final TextArea console = new TextArea();
    private final Label consoleStatus = new Label();
    private final TextArea metadata = new TextArea();

    InstanceDetailsView(InstanceDetailsViewModel model) {
        this.model = model;
        this.storage = new InstanceStorageView(model.storage());
        storage.setPadding(new Insets(8));
        getStyleClass().add("details-pane");
        setSpacing(8);
        title.setId("instance-details-title");
        title.getStyleClass().add("title-4");
        console.setId("console-output");
        console.setEditable(false);
        console.getStyleClass().add("monospace");
        metadata.setId("instance-metadata");
        metadata.setEditable(false);
        metadata.getStyleClass().add("monospace");
        Button refresh = new Button("Refresh", new FontIcon(Feather.REFRESH_CW));
        refresh.setId("refresh-console-output");
        refresh.setOnAction(e -> model.refreshConsole());
        consoleStatus.textProperty().bind(model.consoleStatusProperty());
        metadata.textProperty().bind(model.metadataProperty());
        model.consoleOutputProperty().addListener((obs, old, text) -> {
            console.setText(text);
            console.positionCaret(console.getLength());
        });
        model.groups().addListener((javafx.collections.ListChangeListener<SecurityGroup>) change -> showGroups());
        model.groupsStatusProperty().addListener((obs, old, status) -> showGroups());
        model.instanceProperty().addListener((obs, old, instance) -> render(instance));
        model.networkProperty().addListener((obs, old, network) -> showNetwork());
        model.networkStatusProperty().addListener((obs, old, status) -> showNetwork());
        VBox consoleBox = new VBox(6, new HBox(8, refresh, consoleStatus), console);
        VBox.setVgrow(console, Priority.ALWAYS);
        tabs.getTabs().addAll(tab("Details", scroll(details)), tab("Networking", scroll(networking)),
                tab("Security", scroll(security)),
                tab("Storage", storage), tab("Console output", consoleBox), tab("Metadata", metadata));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) ->
                model.setConsoleShown(tab != null && tab.getText().equals("Console output")));
        tabs.setDisable(true);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        getChildren().addAll(title, tabs);
    }

    private static Tab tab(String name, Node content) {
        Tab tab = new Tab(name, content);
        tab.setId("instance-tab-" + name.toLowerCase().replace(' ', '-'));
        return tab;
    }

    private static ScrollPane scroll(Node content) {
        ScrollPane pane = new ScrollPane(content);
        pane.setFitToWidth(true);
        pane.setPadding(new Insets(8));
        return pane;
    }

    private static GridPane grid() {
        GridPane grid = new GridPane();
        grid.setHgap(16);
        grid.setVgap(6);
        return grid;
    }

    /** Shows {@code instance} (null: nothing selected). */
    void show(Instance instance) {
        model.show(instance);
    }

    private void render(Instance instance) {
        tabs.setDisable(instance == null);
        if (instance == null) {
            title.setText("Select an instance to see its details.");
            return;
        }
        String name = InstancesViewModel.nameOf(instance);
        title.setText(instance.id() + (name.isEmpty() ? "" : " (" + name + ")"));
        fill(details, new String[][] {
            {"Instance ID", instance.id()},
            {"Name", name.isEmpty() ? "-" : name},
            {"Instance state", instance.state().awsName()},
            {"State reason", instance.stateReason() == null || instance.stateReason().isEmpty() ? "-"
                    : instance.stateReason()},
            {"Instance type", instance.instanceType() + " (" + instance.vcpus() + " vCPU, " + instance.memoryMiB()
                    + " MiB)"},
            {"AMI ID", instance.imageId()},
            {"Key pair", instance.keyName() == null ? "none" : instance.keyName()},
            {"Private IPv4 address", instance.privateIp() == null ? "-" : instance.privateIp()},
            {"Public IPv4 address", instance.publicIp() == null ? "-" : instance.publicIp()},
            {"Launch time", InstancesView.LAUNCHED.format(instance.launchTime())},
            {"User data", instance.hasUserData() ? "yes" : "none"},
            {"Metadata tokens", "required".equals(instance.httpTokens()) ? "required (IMDSv2 only)"
                    : "optional (IMDSv1 and IMDSv2)"},
            {"QEMU process", instance.pid() > 0 ? Long.toString(instance.pid()) : "-"},
            {"Problems", instance.problems().isEmpty() ? "none" : String.join("\n", instance.problems())},
        });
    }

    private void showGroups() {
        security.getChildren().clear();
        if (!model.groupsStatusProperty().get().isEmpty()) {
            security.getChildren().add(new Label(model.groupsStatusProperty().get()));
            return;
        }
        Button change = new Button("Change security groups...", new FontIcon(Feather.SHIELD));
        change.setId("change-security-groups");
        Instance shown = model.instanceProperty().get();
        change.setDisable(shown == null || shown.state() == InstanceState.TERMINATED
                || shown.state() == InstanceState.SHUTTING_DOWN);
        change.setOnAction(e -> chooseGroups());
        security.getChildren().add(change);
        Label note = new Label("Rules apply at once to running instances: inbound rules from CIDR blocks open ports on"
                + " the public address (see Networking), rules naming a group admit its members on the private"
                + " network, and outbound rules decide what leaves. Replies to allowed traffic always pass.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        security.getChildren().add(note);
        for (SecurityGroup group : model.groups()) {
            Label heading = new Label(group.name() + " (" + group.id() + ")");
            heading.getStyleClass().add("text-bold");
            security.getChildren().add(heading);
            if (group.inbound().isEmpty()) {
                security.getChildren().add(new Label("No inbound rules."));
            }
            for (SecurityGroupRule rule : group.inbound()) {
                security.getChildren().add(new Label("Inbound " + rule.protocol().label() + " " + rule.portRange()
                        + " from " + rule.peer() + (rule.description().isEmpty() ? "" : "  (" + rule.description()
                        + ")")));
            }
        }
    }

    /** Lets the person pick the instance's groups (one to five) among the region's. */
    private void chooseGroups() {
        Set<String> current = new HashSet<>(model.groups().stream().map(SecurityGroup::id).toList());
        model.allGroups(all -> {
            Dialog<List<String>> dialog = new Dialog<>();
            dialog.initOwner(Nodes.windowOf(this));
            dialog.setTitle("Change security groups");
            dialog.setHeaderText("The groups of " + model.instanceProperty().get().id() + " (one to five). A running"
                    + " instance's traffic follows the new groups at once.");
            VBox boxes = new VBox(6);
            List<CheckBox> checks = new ArrayList<>();
            for (SecurityGroup group : all) {
                CheckBox check = new CheckBox(group.name() + " (" + group.id() + ")");
                check.setUserData(group.id());
                check.setSelected(current.contains(group.id()));
                checks.add(check);
                boxes.getChildren().add(check);
            }
            dialog.getDialogPane().setContent(new ScrollPane(boxes));
            dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
            dialog.setResultConverter(button -> button != ButtonType.OK ? null : checks.stream()
                    .filter(CheckBox::isSelected).map(c -> (String) c.getUserData()).toList());
            Dialogs.style(dialog);
            dialog.showAndWait().ifPresent(ids -> model.setSecurityGroups(ids, () -> { }, failure ->
                    Dialogs.error(Nodes.windowOf(this), "Could not change the security groups", failure)));
        }, failure -> Dialogs.error(Nodes.windowOf(this), "Could not list the security groups", failure));
    }

    private void showNetwork() {
        networking.getChildren().clear();
        InstanceNetwork network = model.networkProperty().get();
        if (network == null) {
            Label status = new Label(model.networkStatusProperty().get());
            status.setWrapText(true);
            networking.getChildren().add(status);
            return;
        }
        GridPane addresses = grid();
        fill(addresses, new String[][] {
            {"Private IPv4 address", network.privateIp()},
            {"Private DNS name", network.privateDnsName()},
            {"Public IPv4 address", network.publicIp() == null ? "-" : network.publicIp()
                    + (network.elasticIpAllocationId() == null ? " (from the pool; returned when it stops)"
                    : " (Elastic IP " + network.elasticIpAllocationId() + ")")},
        });
        networking.getChildren().add(addresses);
        Label heading = new Label("Reachable from this machine");
        heading.getStyleClass().add("text-bold");
        networking.getChildren().add(heading);
        if (network.endpoints().isEmpty()) {
            networking.getChildren().add(new Label("No port: no inbound rule of its groups allows a CIDR block."));
        }
        for (InstanceNetwork.Endpoint e : network.endpoints()) {
            Label line = new Label(e.describe() + "   from " + String.join(", ", e.sources()) + "   (" + e.admittedBy()
                    + ")" + (e.problem() == null ? "" : "   NOT LISTENING: " + e.problem()));
            line.setWrapText(true);
            line.getStyleClass().add(e.problem() == null ? "monospace" : "danger");
            networking.getChildren().add(line);
        }
        for (String problem : network.problems()) {
            Label line = new Label(problem);
            line.setWrapText(true);
            line.getStyleClass().add("warning");
            networking.getChildren().add(line);
        }
    }

    private static void fill(GridPane grid, String[][] rows) {
        grid.getChildren().clear();
        for (int i = 0; i < rows.length; i++) {
            Label key = new Label(rows[i][0]);
            key.getStyleClass().add("text-muted");
            Label value = new Label(rows[i][1]);
            value.setWrapText(true);
            grid.addRow(i, key, value);
        }
    }
}
