package dev.nube.ui.instances;

import dev.nube.engine.compute.Instance;
import dev.nube.engine.compute.SecurityGroup;
import dev.nube.engine.compute.SecurityGroupRule;
import dev.nube.ui.common.Errors;
import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
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
 * The selected instance's details, as tabs: Details, Security, Storage, Console output (refreshable) and Metadata.
 * Shows a hint when nothing is selected. FX thread only.
 */
final class InstanceDetailsView extends VBox {
    private final InstancesViewModel model;
    private final Label title = new Label("Select an instance to see its details.");
    private final TabPane tabs = new TabPane();
    private final GridPane details = grid();
    private final VBox security = new VBox(8);
    private final GridPane storage = grid();
    private final TextArea console = new TextArea();
    private final Label consoleStatus = new Label();
    private final TextArea metadata = new TextArea();
    private Instance shown;

    InstanceDetailsView(InstancesViewModel model) {
        this.model = model;
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
        refresh.setOnAction(e -> loadConsole());
        VBox consoleBox = new VBox(6, new HBox(8, refresh, consoleStatus), console);
        VBox.setVgrow(console, Priority.ALWAYS);
        tabs.getTabs().addAll(tab("Details", scroll(details)), tab("Security", scroll(security)),
                tab("Storage", scroll(storage)), tab("Console output", consoleBox), tab("Metadata", metadata));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) -> {
            if (tab != null && tab.getText().equals("Console output")) {
                loadConsole();
            }
        });
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

    void show(Instance instance) {
        Instance before = shown;
        shown = instance;
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
            {"SSH", InstancesView.address(instance)},
            {"Launch time", InstancesView.LAUNCHED.format(instance.launchTime())},
            {"User data", instance.hasUserData() ? "yes" : "none"},
            {"QEMU process", instance.pid() > 0 ? Long.toString(instance.pid()) : "-"},
            {"Problems", instance.problems().isEmpty() ? "none" : String.join("\n", instance.problems())},
        });
        fill(storage, new String[][] {
            {"Root device", "/dev/vda"},
            {"Root volume", instance.rootVolumeGiB() + " GiB (a copy-on-write overlay on " + instance.imageId()
                    + ")"},
            {"Delete on termination", "yes"},
        });
        // A new state of the same instance (a reload) refreshes the grids; what is read from the engine is read
        // again only for another instance, or for other groups.
        boolean same = before != null && before.id().equals(instance.id());
        if (!same || !before.securityGroupIds().equals(instance.securityGroupIds())) {
            security.getChildren().setAll(new Label("Loading security groups..."));
            model.securityGroups(instance, groups -> {
                if (isShown(instance)) {
                    showGroups(groups);
                }
            }, failure -> security.getChildren().setAll(new Label(Errors.message(failure))));
        }
        if (same) {
            return;
        }
        metadata.setText("Loading...");
        model.metadata(instance, documents -> {
            if (isShown(instance)) {
                metadata.setText(metadataText(documents));
            }
        }, failure -> metadata.setText(Errors.message(failure)));
        if (tabs.getSelectionModel().getSelectedItem().getText().equals("Console output")) {
            loadConsole();
        }
    }

    private boolean isShown(Instance instance) {
        return shown != null && shown.id().equals(instance.id());
    }

    private void showGroups(List<SecurityGroup> groups) {
        security.getChildren().clear();
        Label note = new Label("Security group rules are kept and checked; Nube does not filter traffic by them yet.");
        note.getStyleClass().add("text-muted");
        security.getChildren().add(note);
        for (SecurityGroup group : groups) {
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

    private void loadConsole() {
        Instance instance = shown;
        if (instance == null) {
            return;
        }
        consoleStatus.setText("Loading...");
        model.consoleOutput(instance, text -> {
            if (shown != null && shown.id().equals(instance.id())) {
                console.setText(text.isEmpty() ? "(no console output yet)" : text);
                console.positionCaret(console.getLength());
                consoleStatus.setText("Last 64 KiB of the serial console, read " + java.time.LocalTime.now()
                        .withNano(0));
            }
        }, failure -> consoleStatus.setText(Errors.message(failure)));
    }

    /** The documents the guest reads at 169.254.169.254, listings left out: path, then its content indented. */
    private static String metadataText(java.util.SortedMap<String, String> documents) {
        StringBuilder text = new StringBuilder("What the instance reads from http://169.254.169.254:\n\n");
        documents.forEach((path, body) -> {
            if (!path.endsWith("/")) {
                text.append(path).append('\n');
                body.strip().lines().forEach(line -> text.append("    ").append(line).append('\n'));
            }
        });
        return text.toString();
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
