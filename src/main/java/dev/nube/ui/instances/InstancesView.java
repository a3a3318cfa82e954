package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceRequest;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import javafx.beans.binding.Bindings;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Orientation;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.StackPane;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The instances page: a live table (state as a badge), text and state filters, actions on the selected instances,
 * Connect, and the details of the selected instance below. {@code onLaunch} opens the launch wizard. FX thread only.
 */
public final class InstancesView extends StackPane {
    static final DateTimeFormatter LAUNCHED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final InstancesViewModel model;
    private final InstanceTerminals terminals;
    private final TableView<Instance> table = new TableView<>();
    private final Label notice = new Label();

    public InstancesView(InstancesViewModel model, Runnable onLaunch) {
        this.model = model;
        this.terminals = new InstanceTerminals(model);
        table.setId("instances-table");
        table.setItems(model.list().filtered());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setPlaceholder(new Label("No instances match. Launch one with \"Launch instances\"."));
        table.getColumns().add(Tables.column("Name", 70, InstancesViewModel::nameOf));
        table.getColumns().add(Tables.keepWhole(Tables.column("Instance ID", 175, Instance::id),
                "i-00000000000000000"));
        table.getColumns().add(stateColumn());
        table.getColumns().add(Tables.column("Instance type", 125, Instance::instanceType));
        table.getColumns().add(Tables.column("Private IPv4", 115, i -> i.privateIp() == null ? "-" : i.privateIp()));
        table.getColumns().add(Tables.column("Public IPv4", 115, i -> i.publicIp() == null ? "-" : i.publicIp()));
        table.getColumns().add(Tables.column("Key pair", 95, i -> i.keyName() == null ? "-" : i.keyName()));
        table.getColumns().add(Tables.keepWhole(Tables.column("Launch time", 165, i -> LAUNCHED.format(
                i.launchTime())), "0000-00-00 00:00:00"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Tables.SelectionById<Instance> selection = Tables.keepSelectionById(table, Instance::id);
        table.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && selected().size() == 1) {
                connect(selected().get(0));
            }
        });

        Button launch = new Button("Launch instances", new FontIcon(Feather.PLUS));
        launch.setId("launch-instances");
        launch.getStyleClass().add("accent");
        launch.setOnAction(e -> onLaunch.run());
        Button connect = new Button("Connect", new FontIcon(Feather.TERMINAL));
        connect.setId("connect-instance");
        connect.disableProperty().bind(Bindings.createBooleanBinding(() -> selected().size() != 1
                || selected().get(0).state() != InstanceState.RUNNING, table.getSelectionModel().getSelectedItems()));
        connect.setOnAction(e -> connect(selected().get(0)));
        MenuButton state = new MenuButton("Instance state");
        state.setId("instance-state-menu");
        state.disableProperty().bind(Bindings.isEmpty(table.getSelectionModel().getSelectedItems()));
        for (InstanceRequest action : InstanceRequest.values()) {
            MenuItem item = new MenuItem(action.label());
            item.setId("action-" + action.name().toLowerCase());
            item.setUserData(action);
            item.setOnAction(e -> run(action));
            state.getItems().add(item);
        }
        // Only what fits at least one selected instance is offered (the engine checks again).
        state.setOnShowing(e -> state.getItems().forEach(item -> {
            if (item.getUserData() instanceof InstanceRequest action) {
                item.setDisable(selected().stream().noneMatch(i -> i.state().allows(action)));
            }
        }));
        MenuItem serial = new MenuItem("Serial console");
        serial.setId("action-serial");
        serial.setOnAction(e -> selected().forEach(terminals::serialConsole));
        state.getItems().addAll(new javafx.scene.control.SeparatorMenuItem(), serial);
        MenuButton actions = new MenuButton("Actions");
        actions.setId("instance-actions");
        actions.disableProperty().bind(Bindings.isEmpty(table.getSelectionModel().getSelectedItems()));
        MenuItem changeType = new MenuItem("Change instance type...");
        changeType.setId("action-change-type");
        MenuItem createImage = new MenuItem("Create image...");
        createImage.setId("action-create-image");
        // Only a stopped instance's type changes; an image is made of a running or stopped one (the engine refuses
        // otherwise, and says why).
        actions.setOnShowing(e -> {
            changeType.setDisable(selected().size() != 1 || selected().get(0).state() != InstanceState.STOPPED);
            createImage.setDisable(selected().size() != 1 || !InstancesViewModel.imageable(selected().get(0)));
        });
        changeType.setOnAction(e -> changeType(selected().get(0)));
        createImage.setOnAction(e -> createImage(selected().get(0)));
        actions.getItems().addAll(changeType, createImage);
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        ComboBox<InstanceState> stateFilter = new ComboBox<>(FXCollections.observableArrayList(
                (InstanceState) null));
        stateFilter.getItems().addAll(InstanceState.values());
        stateFilter.setId("state-filter");
        stateFilter.setPromptText("All states");
        stateFilter.setCellFactory(list -> new StateCell());
        stateFilter.setButtonCell(new StateCell());
        stateFilter.valueProperty().bindBidirectional(model.stateFilterProperty());

        ResourcePage page = new ResourcePage("Instances", model.list(), table, refresh, stateFilter, actions, state,
                connect, launch);
        Label problem = new Label();
        problem.setId("instances-action-problem");
        problem.getStyleClass().add("error-text");
        problem.setWrapText(true);
        problem.textProperty().bind(model.actionProblemProperty());
        problem.visibleProperty().bind(model.actionProblemProperty().isNotEmpty());
        problem.managedProperty().bind(problem.visibleProperty());
        page.getChildren().add(2, problem);
        notice.setId("instances-notice");
        notice.setWrapText(true);
        notice.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, however many lines it takes
        notice.getStyleClass().add("text-muted");
        notice.visibleProperty().bind(notice.textProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        page.getChildren().add(3, notice);

        InstanceDetailsView details = new InstanceDetailsView(model.details());
        // The selection as the person sees it: new values of the selected instance, never the moment a reload or a
        // row update empties the table's selection before it is put back.
        selection.selectedItemProperty().addListener((obs, old, instance) -> details.show(instance));
        SplitPane split = new SplitPane(page, details);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.55);
        getChildren().add(split);
    }

    private List<Instance> selected() {
        return List.copyOf(table.getSelectionModel().getSelectedItems());
    }

    private void run(InstanceRequest action) {
        List<Instance> chosen = selected();
        if (action == InstanceRequest.TERMINATE) {
            String names = chosen.stream().map(i -> i.id() + (InstancesViewModel.nameOf(i).isEmpty() ? ""
                    : " (" + i.name() + ")")).collect(Collectors.joining(", "));
            if (!Dialogs.confirm(window(), "Terminate instances", "Terminate " + (chosen.size() == 1 ? "this instance"
                    : chosen.size() + " instances") + "?", "Terminating " + names + " deletes "
                    + (chosen.size() == 1 ? "its root volume" : "their root volumes")
                    + " and everything on " + (chosen.size() == 1 ? "it" : "them")
                    + ". This cannot be undone.", "Terminate")) {
                return;
            }
        }
        model.apply(action, chosen);
    }

    private void changeType(Instance instance) {
        model.instanceTypes(choices -> new ChangeInstanceTypeDialog(window(), instance, choices).showAndWait()
                .ifPresent(type -> model.setInstanceType(instance, type, changed -> { }, failure -> Dialogs.error(
                        window(), "Could not change the type of " + instance.id(), failure))),
                failure -> Dialogs.error(window(), "Could not read the instance types", failure));
    }

    private void createImage(Instance instance) {
        new CreateImageDialog(window(), instance, model::createImage).showAndWait().ifPresent(image ->
                notice.setText(image.name() + " (" + image.id() + ") is being made of " + instance.id() + ": the"
                        + " Images page lists it as pending until it is available; its progress shows in Tasks."));
    }

    private void connect(Instance instance) {
        if (instance.state() != InstanceState.RUNNING) {
            Dialogs.error(window(), "Cannot connect", instance.id() + " is " + instance.state().awsName()
                    + ": only a running instance accepts SSH logins. The serial console works while it has a"
                    + " QEMU process.");
            return;
        }
        if (terminals.showConnected(instance)) {
            return; // already open: a second session would only be hidden behind the first
        }
        model.connectInfo(instance, info -> {
            if (info.loginProblem() != null) {
                Dialogs.error(window(), "Cannot connect", info.loginProblem());
            } else {
                terminals.connect(instance, info);
            }
        }, failure -> Dialogs.error(window(), "Cannot connect", failure));
    }

    private TableColumn<Instance, InstanceState> stateColumn() {
        TableColumn<Instance, InstanceState> column = new TableColumn<>("Instance state");
        column.setPrefWidth(140);
        column.setMinWidth(135); // its title whole, as Tables.column keeps every other title
        column.setCellValueFactory(cell -> new SimpleObjectProperty<>(cell.getValue().state()));
        column.setCellFactory(c -> new TableCell<>() {
            private final StateBadge badge = new StateBadge();

            @Override
            protected void updateItem(InstanceState state, boolean empty) {
                super.updateItem(state, empty);
                if (empty || state == null) {
                    setGraphic(null);
                } else {
                    badge.setState(state);
                    setGraphic(badge);
                }
            }
        });
        return column;
    }

    private Window window() {
        return Nodes.windowOf(this);
    }

    private static final class StateCell extends ListCell<InstanceState> {
        @Override
        protected void updateItem(InstanceState state, boolean empty) {
            super.updateItem(state, empty);
            setText(empty ? null : state == null ? "All states" : state.awsName());
        }
    }
}
