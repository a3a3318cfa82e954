package dev.nube.ui.dashboard;

import dev.nube.engine.compute.instances.ComputeSummary;
import dev.nube.engine.compute.instances.HostUsage;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.ui.instances.StateBadge;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import javafx.util.StringConverter;

/**
 * The dashboard: cards for instances by state, images, key pairs and security groups, and one for this machine
 * (accelerator, CPU and memory in use and given to instances). Refreshes every 5 s while it is shown.
 */
public final class DashboardView extends ScrollPane {
    private final DashboardViewModel model;
    private final GridPane states = new GridPane();
    private final Label images = count("dashboard-images");
    private final Label keyPairs = count("dashboard-key-pairs");
    private final Label groups = count("dashboard-security-groups");
    private final Label accelerator = new Label();
    private final Label cpu = new Label();
    private final ProgressBar cpuBar = new ProgressBar(0);
    private final Label memory = new Label();
    private final ProgressBar memoryBar = new ProgressBar(0);

    public DashboardView(DashboardViewModel model) {
        this.model = model;
        setFitToWidth(true);
        getStyleClass().add("dashboard");
        Label heading = new Label("Dashboard");
        heading.getStyleClass().add("title-2");
        states.setHgap(12);
        states.setVgap(6);
        accelerator.setId("dashboard-accelerator");
        accelerator.setWrapText(true);
        accelerator.textProperty().bind(model.acceleratorProperty());
        ComboBox<AcceleratorMode> mode = new ComboBox<>(FXCollections.observableArrayList(AcceleratorMode.values()));
        mode.setId("dashboard-accelerator-mode");
        mode.setConverter(new StringConverter<>() {
            @Override
            public String toString(AcceleratorMode value) {
                return value == null ? "" : value.label();
            }

            @Override
            public AcceleratorMode fromString(String text) {
                return null;
            }
        });
        mode.setTooltip(new Tooltip("Automatic: KVM where it really runs the guest kernel, else TCG; a guest that"
                + " fails under KVM starts again under TCG.\nKVM: always KVM; a failure shows on the instance.\nTCG:"
                + " always software emulation (slower, works everywhere).\nApplies to instances started from now on."));
        // The model holds the saved choice: shown here, and a pick here asks the model to save it.
        mode.setValue(model.acceleratorModeProperty().get());
        model.acceleratorModeProperty().addListener((obs, old, value) -> mode.setValue(value));
        mode.valueProperty().addListener((obs, old, value) -> model.chooseAccelerator(value));
        javafx.scene.control.CheckBox restore = new javafx.scene.control.CheckBox("Launch from a booted template");
        restore.setId("dashboard-restore-launches");
        restore.setTooltip(new Tooltip("On: an instance of Nube Linux (tiny) launches by restoring a guest booted once"
                + " for its image and instance type, and then becomes the instance (its own identity, keys, addresses"
                + " and host key).\nThe first launch of each image and type boots, and the template is built in the"
                + " background. A restore that fails boots instead, and the instance's log says so.\nOff: every"
                + " launch boots."));
        restore.setSelected(model.restoreLaunchesProperty().get());
        model.restoreLaunchesProperty().addListener((obs, old, value) -> restore.setSelected(value));
        restore.selectedProperty().addListener((obs, old, value) -> model.chooseRestoreLaunches(value));
        cpu.setId("dashboard-cpu");
        memory.setId("dashboard-memory");
        memory.setWrapText(true);
        cpu.setWrapText(true);
        cpuBar.setPrefWidth(280);
        memoryBar.setPrefWidth(280);
        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());

        FlowPane cards = new FlowPane(16, 16, card("Instances", states), card("Images", images),
                card("Key pairs", keyPairs), card("Security groups", groups),
                card("This machine", new VBox(8, new Label("Accelerator"), mode, accelerator, restore, cpu, cpuBar,
                        memory, memoryBar)));
        VBox content = new VBox(14, heading, failure, cards);
        content.setPadding(new Insets(0, 8, 8, 0));
        setContent(content);

        model.summaryProperty().addListener((obs, old, summary) -> show(summary));
        model.usageProperty().addListener((obs, old, usage) -> show(usage));
        show(model.summaryProperty().get());
        show(model.usageProperty().get());
        Timeline timer = new Timeline();
        timer.getKeyFrames().add(new KeyFrame(Duration.seconds(5), e -> {
            if (getScene() == null || getScene().getWindow() == null || !getScene().getWindow().isShowing()) {
                timer.stop(); // no longer on screen
            } else {
                model.refresh();
            }
        }));
        timer.setCycleCount(Timeline.INDEFINITE);
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene == null) {
                timer.stop();
            } else {
                timer.play();
                model.refresh();
            }
        });
    }

    private static Label count(String id) {
        Label label = new Label("-");
        label.setId(id);
        label.getStyleClass().add("dashboard-count");
        return label;
    }

    private static Node card(String title, Node body) {
        Label heading = new Label(title);
        heading.getStyleClass().add("title-4");
        VBox card = new VBox(10, heading, body);
        card.getStyleClass().add("dashboard-card");
        card.setPrefWidth(title.equals("This machine") ? 360 : 220);
        return card;
    }

    private void show(ComputeSummary summary) {
        if (summary == null) {
            return;
        }
        states.getChildren().clear();
        int row = 0;
        for (InstanceState state : InstanceState.values()) {
            Label number = new Label(Integer.toString(summary.instancesByState().getOrDefault(state, 0)));
            number.setId("dashboard-state-" + state.awsName());
            number.getStyleClass().add("text-bold");
            states.addRow(row++, new StateBadge(state), number);
        }
        images.setText(Integer.toString(summary.images()));
        keyPairs.setText(Integer.toString(summary.keyPairs()));
        groups.setText(Integer.toString(summary.securityGroups()));
    }

    private void show(HostUsage usage) {
        if (usage == null) {
            return;
        }
        cpu.setText(usage.hostCpus() + " CPUs" + (usage.hostCpuLoad() < 0 ? "" : ", "
                + Math.round(usage.hostCpuLoad() * 100) + "% busy") + "; instances have " + usage.instanceVcpus()
                + " vCPU" + (usage.instanceVcpus() == 1 ? "" : "s"));
        cpuBar.setProgress(usage.hostCpuLoad() < 0 ? 0 : usage.hostCpuLoad());
        memory.setText(String.format("Memory: %.1f of %.1f GiB in use; instances have %.1f GiB",
                usage.hostMemoryUsedMiB() / 1024.0, usage.hostMemoryMiB() / 1024.0,
                usage.instanceMemoryMiB() / 1024.0));
        memoryBar.setProgress(usage.hostMemoryMiB() <= 0 ? 0
                : (double) usage.hostMemoryUsedMiB() / usage.hostMemoryMiB());
    }
}
