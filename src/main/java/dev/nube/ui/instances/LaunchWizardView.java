package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.keys.KeyPair;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.ui.keys.CreateKeyPairDialog;
import dev.nube.ui.keys.KeyPairsViewModel;
import dev.nube.ui.network.SecurityGroupsViewModel;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * "Launch an instance" on one page, as in the EC2 console: the sections on the left, a summary with Launch on the
 * right. Launch stays disabled while something is missing, and the summary says what. FX thread only.
 */
public final class LaunchWizardView extends BorderPane {
    private final LaunchWizardViewModel model;
    private final KeyPairsViewModel keys;

    public LaunchWizardView(LaunchWizardViewModel model, KeyPairsViewModel keys, SecurityGroupsViewModel groups,
                            Consumer<List<Instance>> onLaunched, Runnable onCancel) {
        this.model = model;
        this.keys = keys;
        getStyleClass().add("launch-wizard");
        Label heading = new Label("Launch an instance");
        heading.getStyleClass().add("title-2");
        VBox sections = new VBox(12, heading, nameSection(), imageSection(), typeSection(), keySection(),
                networkSection(groups), storageSection(), advancedSection());
        sections.setPadding(new Insets(4, 16, 16, 4));
        ScrollPane scroll = new ScrollPane(sections);
        scroll.setFitToWidth(true);
        setCenter(scroll);
        setRight(summary(onLaunched, onCancel));
    }

    private static TitledPane section(String title, Node... content) {
        VBox box = new VBox(8, content);
        TitledPane pane = new TitledPane(title, box);
        pane.setCollapsible(false);
        return pane;
    }

    private static Label hint(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.getStyleClass().add("text-muted");
        return label;
    }

    private Node nameSection() {
        TextField name = new TextField();
        name.setId("launch-name");
        name.setPromptText("e.g. My web server");
        name.textProperty().bindBidirectional(model.name);
        return section("Name and tags", name);
    }

    private Node imageSection() {
        ComboBox<LaunchWizardViewModel.ImageChoice> images = new ComboBox<>(model.imageChoices());
        images.setId("launch-image");
        images.setMaxWidth(Double.MAX_VALUE);
        images.valueProperty().bindBidirectional(model.image);
        Label details = hint("");
        details.textProperty().bind(Bindings.createStringBinding(() -> {
            var choice = model.image.get();
            if (choice == null) {
                return "";
            }
            return choice.details();
        }, model.image));
        return section("Application and OS image", images, details);
    }

    private Node typeSection() {
        ComboBox<InstanceType> types = new ComboBox<>(model.types());
        types.setId("launch-type");
        types.valueProperty().bindBidirectional(model.type);
        types.setCellFactory(list -> new TypeCell());
        types.setButtonCell(new TypeCell());
        return section("Instance type", types, hint("Types larger than this machine are listed but cannot run."));
    }

    private final class TypeCell extends ListCell<InstanceType> {
        @Override
        protected void updateItem(InstanceType type, boolean empty) {
            super.updateItem(type, empty);
            if (empty || type == null) {
                setText(null);
                setDisable(false);
                return;
            }
            String why = model.whyNotFits(type);
            setText(type.name() + "  " + type.describe() + (why == null ? "" : "  (too large for this machine)"));
            setDisable(why != null);
        }
    }

    private Node keySection() {
        ComboBox<KeyPair> choice = new ComboBox<>(keys.list().items());
        choice.setId("launch-key-pair");
        choice.setPromptText("Select a key pair");
        choice.setCellFactory(list -> named(KeyPair::name));
        choice.setButtonCell(named(KeyPair::name));
        choice.valueProperty().bindBidirectional(model.keyPair);
        choice.disableProperty().bind(model.withoutKeyPair);
        Button create = new Button("Create new key pair", new FontIcon(Feather.PLUS));
        create.setId("launch-create-key");
        create.setOnAction(e -> new CreateKeyPairDialog(keys, getScene().getWindow()).showAndWait()
                .ifPresent(created -> keys.list().items().stream().filter(k -> k.id().equals(created.id()))
                        .findFirst().ifPresentOrElse(model.keyPair::set, () -> model.keyPair.set(created))));
        CheckBox without = new CheckBox("Proceed without a key pair (not recommended)");
        without.setId("launch-without-key");
        without.selectedProperty().bindBidirectional(model.withoutKeyPair);
        Label warning = new Label("Without a key pair you cannot log in with SSH (Connect will not work); only the"
                + " serial console will.");
        warning.setWrapText(true);
        warning.getStyleClass().add("warning-text");
        warning.visibleProperty().bind(model.withoutKeyPair);
        warning.managedProperty().bind(warning.visibleProperty());
        return section("Key pair (login)", new HBox(8, choice, create), without, warning);
    }

    private Node networkSection(SecurityGroupsViewModel groups) {
        ToggleGroup mode = new ToggleGroup();
        RadioButton existing = new RadioButton("Select existing security group");
        existing.setToggleGroup(mode);
        existing.setSelected(!model.newGroup.get());
        RadioButton create = new RadioButton("Create security group allowing SSH (port 22) from anywhere");
        create.setId("launch-new-group");
        create.setToggleGroup(mode);
        create.selectedProperty().bindBidirectional(model.newGroup);
        ComboBox<SecurityGroup> choice = new ComboBox<>(groups.list().items());
        choice.setId("launch-security-group");
        choice.setCellFactory(list -> named(g -> g.name() + " (" + g.id() + ")"));
        choice.setButtonCell(named(g -> g.name() + " (" + g.id() + ")"));
        choice.valueProperty().bindBidirectional(model.existingGroup);
        choice.disableProperty().bind(model.newGroup);
        // The region's default group (SSH from anywhere) is the default choice.
        Runnable pickDefault = () -> {
            if (model.existingGroup.get() == null) {
                groups.list().items().stream().filter(SecurityGroup::isDefault).findFirst()
                        .ifPresent(model.existingGroup::set);
            }
        };
        groups.list().items().addListener((javafx.collections.ListChangeListener<SecurityGroup>) c -> pickDefault.run());
        pickDefault.run();
        return section("Network settings", existing, choice, create,
                hint("The instance's public address is on this machine's loopback (127.100.x.x): its groups'"
                        + " inbound rules decide which of its ports listen there and for whom, and which instances"
                        + " reach it; outbound rules decide where it may connect."));
    }

    private Node storageSection() {
        Spinner<Integer> size = new Spinner<>(1, RunRequest.MAX_ROOT_VOLUME_GIB, 1);
        size.setId("launch-volume");
        size.setEditable(true);
        size.getValueFactory().valueProperty().addListener((obs, old, value) -> {
            if (value != null) {
                model.rootVolumeGiB.set(value);
            }
        });
        model.rootVolumeGiB.addListener((obs, old, value) -> size.getValueFactory().setValue(value.intValue()));
        return section("Configure storage", new HBox(8, new Label("Root volume"), size, new Label("GiB")),
                hint("The root volume is a copy-on-write overlay on the image: launching takes no time whatever its"
                        + " size, and the guest grows its file system to fill it."));
    }

    private Node advancedSection() {
        Spinner<Integer> count = new Spinner<>(1, RunRequest.MAX_COUNT, 1);
        count.setId("launch-count");
        count.setEditable(true);
        count.getValueFactory().valueProperty().addListener((obs, old, value) -> {
            if (value != null) {
                model.count.set(value);
            }
        });
        TextArea userData = new TextArea();
        userData.setId("launch-user-data");
        userData.setPromptText("e.g. #!/bin/sh, and on the next line: echo hello > /root/hello.txt");
        userData.setPrefRowCount(5);
        userData.getStyleClass().add("monospace");
        userData.textProperty().bindBidirectional(model.userData);
        Label bytes = hint("");
        bytes.textProperty().bind(Bindings.createStringBinding(() -> model.userDataBytes() + " of "
                + RunRequest.MAX_USER_DATA_BYTES + " bytes. A shell script here runs once, at first boot.",
                model.userData));
        javafx.scene.control.CheckBox tokens = new javafx.scene.control.CheckBox(
                "Metadata version: IMDSv2 only (a session token is required)");
        tokens.setId("launch-imds-v2");
        tokens.selectedProperty().bindBidirectional(model.tokensRequired);
        Label tokensHint = hint("");
        tokensHint.textProperty().bind(Bindings.createStringBinding(() -> model.tokensRequired.get()
                ? "Only requests with a session token (PUT /latest/api/token first) are answered at"
                        + " 169.254.169.254, as EC2 does by default for new instances; Nube's image asks for one."
                : "Plain requests to 169.254.169.254 are answered too (IMDSv1): an image made before tokens needs this.",
                model.tokensRequired));
        return section("Advanced details", new HBox(8, new Label("Number of instances"), count),
                new Label("User data"), userData, bytes, tokens, tokensHint);
    }

    private Node summary(Consumer<List<Instance>> onLaunched, Runnable onCancel) {
        Label title = new Label("Summary");
        title.getStyleClass().add("title-4");
        Label text = new Label();
        text.setId("launch-summary");
        text.setWrapText(true);
        text.textProperty().bind(Bindings.createStringBinding(this::summaryText, model.name, model.image,
                model.type, model.keyPair, model.withoutKeyPair, model.newGroup, model.existingGroup,
                model.rootVolumeGiB, model.count));
        Label problems = new Label();
        problems.setId("launch-problems");
        problems.setWrapText(true);
        problems.getStyleClass().add("error-text");
        problems.textProperty().bind(Bindings.createStringBinding(() -> String.join("\n", model.problems().get()),
                model.problems()));
        ProgressBar progress = new ProgressBar();
        progress.setMaxWidth(Double.MAX_VALUE);
        progress.progressProperty().bind(model.progressProperty());
        progress.visibleProperty().bind(model.launchingProperty());
        progress.managedProperty().bind(progress.visibleProperty());
        Label status = new Label();
        status.setId("launch-status");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());

        Button launch = new Button("Launch instance", new FontIcon(Feather.PLAY));
        launch.setId("launch-confirm");
        launch.getStyleClass().add("accent");
        launch.setMaxWidth(Double.MAX_VALUE);
        launch.disableProperty().bind(Bindings.createBooleanBinding(() -> !model.problems().get().isEmpty()
                || model.launchingProperty().get(), model.problems(), model.launchingProperty()));
        launch.setOnAction(e -> model.launch(onLaunched, failure -> { }));
        Button cancel = new Button("Cancel");
        cancel.setId("launch-cancel");
        cancel.setMaxWidth(Double.MAX_VALUE);
        cancel.setOnAction(e -> {
            if (model.launchingProperty().get()) {
                model.cancel();
            } else {
                onCancel.run();
            }
        });
        VBox box = new VBox(10, title, text, problems, launch, cancel, progress, status);
        box.setPadding(new Insets(12));
        box.setPrefWidth(320);
        box.getStyleClass().add("launch-summary");
        return box;
    }

    private String summaryText() {
        String image = model.image.get() == null ? "-" : model.image.get().label();
        String type = model.type.get() == null ? "-" : model.type.get().name() + " (" + model.type.get().describe()
                + ")";
        String key = model.withoutKeyPair.get() ? "none" : model.keyPair.get() == null ? "-" : model.keyPair.get()
                .name();
        String group = model.newGroup.get() ? "new group allowing SSH" : model.existingGroup.get() == null ? "-"
                : model.existingGroup.get().name();
        return "Region: " + model.region() + "\nNumber of instances: " + model.count.get() + "\nImage: " + image + "\nInstance type: " + type
                + "\nKey pair: " + key + "\nSecurity group: " + group + "\nStorage: " + model.rootVolumeGiB.get()
                + " GiB" + (model.name.get().isBlank() ? "" : "\nName: " + model.name.get().strip());
    }

    private static <T> ListCell<T> named(Function<T, String> text) {
        return new ListCell<>() {
            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : text.apply(item));
            }
        };
    }
}
