package dev.nube.ui.network;

import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Nodes;
import dev.nube.ui.common.ResourcePage;
import dev.nube.ui.common.Tables;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The security groups page: the groups, and below the selected group's inbound and outbound rules. */
public final class SecurityGroupsView extends StackPane {
    private final SecurityGroupsViewModel model;
    private final TableView<SecurityGroup> table = new TableView<>();
    private final Tables.SelectionById<SecurityGroup> selection;

    public SecurityGroupsView(SecurityGroupsViewModel model) {
        this.model = model;
        table.setId("security-groups-table");
        table.setItems(model.list().filtered());
        table.setPlaceholder(new Label("No security groups match."));
        table.getColumns().add(Tables.column("Name", 200, SecurityGroup::name));
        table.getColumns().add(Tables.column("Security group ID", 200, SecurityGroup::id));
        table.getColumns().add(Tables.column("Description", 300, SecurityGroup::description));
        table.getColumns().add(Tables.column("Inbound rules", 110, g -> Integer.toString(g.inbound().size())));
        table.getColumns().add(Tables.column("Outbound rules", 110, g -> Integer.toString(g.outbound().size())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        Button create = new Button("Create security group", new FontIcon(Feather.PLUS));
        create.setId("create-security-group");
        create.getStyleClass().add("accent");
        create.setOnAction(e -> new CreateSecurityGroupDialog(model, window()).showAndWait()
                .ifPresent(this::select));
        Button delete = new Button("Delete", new FontIcon(Feather.TRASH_2));
        delete.setId("delete-security-group");
        delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        delete.setOnAction(e -> delete(table.getSelectionModel().getSelectedItem()));
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.list().reload());

        ResourcePage page = new ResourcePage("Security groups", model.list(), table, refresh, delete, create);
        // Before the details: they follow the selection as the person sees it, steady across row updates.
        selection = Tables.keepSelectionById(table, SecurityGroup::id);
        SplitPane split = new SplitPane(page, details());
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        getChildren().add(split);
    }

    /** Selects a group just created or saved, now or once the reload that brings it arrives. */
    private void select(SecurityGroup group) {
        selection.select(group.id());
    }

    private Node details() {
        Label title = new Label("Select a security group to see its rules.");
        title.setId("group-details-title");
        title.getStyleClass().add("title-4");
        TabPane tabs = new TabPane(rulesTab(Direction.INBOUND), rulesTab(Direction.OUTBOUND));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        Label protects = new Label();
        protects.setId("group-protects");
        protects.setWrapText(true);
        protects.getStyleClass().add("text-muted");
        selection.selectedItemProperty().addListener((obs, old, group) -> {
            title.setText(group == null ? "Select a security group to see its rules."
                    : group.name() + " (" + group.id() + ")" + (group.isDefault() ? ", the region's default group"
                    : ""));
            protects.setText("");
            if (group != null) {
                model.usersOf(group, users -> {
                    if (group.equals(selection.selectedItemProperty().get())) {
                        protects.setText(users.isEmpty() ? "Protects no instance." : "Protects " + String.join(", ",
                                users) + ". Rule changes apply to them at once.");
                    }
                }, failure -> protects.setText(""));
            }
        });
        VBox box = new VBox(8, title, protects, tabs);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        box.getStyleClass().add("details-pane");
        return box;
    }

    private Tab rulesTab(Direction direction) {
        TableView<SecurityGroupRule> rules = new TableView<>();
        rules.setId(direction.name().toLowerCase() + "-rules-table");
        rules.getColumns().add(Tables.column("Type", 130, r -> RulePreset.of(r).toString()));
        rules.getColumns().add(Tables.column("Protocol", 90, r -> r.protocol().label()));
        rules.getColumns().add(Tables.column("Port range", 110, SecurityGroupRule::portRange));
        rules.getColumns().add(Tables.column(direction.peerLabel(), 240, r -> r.groupId() == null ? r.cidr()
                : r.groupId() + model.list().items().stream().filter(g -> g.id().equals(r.groupId()))
                .map(g -> " (" + g.name() + ")").findFirst().orElse("")));
        rules.getColumns().add(Tables.column("Description", 240, SecurityGroupRule::description));
        rules.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        rules.setPlaceholder(new Label("No " + direction.label().toLowerCase() + " rules."));
        selection.selectedItemProperty().addListener((obs, old, group) ->
                rules.getItems().setAll(group == null ? java.util.List.of() : group.rules(direction)));

        Button edit = new Button("Edit " + direction.label().toLowerCase() + " rules", new FontIcon(Feather.EDIT));
        edit.setId("edit-" + direction.name().toLowerCase() + "-rules");
        edit.setOnAction(e -> {
            SecurityGroup group = table.getSelectionModel().getSelectedItem();
            if (group != null) {
                new RulesEditorDialog(model, group, direction, window()).showAndWait().ifPresent(this::select);
            }
        });
        VBox box = new VBox(8, new HBox(8, edit), rules);
        VBox.setVgrow(rules, Priority.ALWAYS);
        Tab tab = new Tab(direction.label() + " rules", box);
        tab.setId(direction.name().toLowerCase() + "-tab");
        return tab;
    }

    private void delete(SecurityGroup group) {
        if (group.isDefault()) {
            Dialogs.error(window(), "Cannot delete the default group",
                    "Every region keeps its default security group; edit its rules instead.");
            return;
        }
        if (Dialogs.confirm(window(), "Delete security group", "Delete security group '" + group.name() + "'?",
                "Its " + group.inbound().size() + " inbound and " + group.outbound().size()
                        + " outbound rules are deleted with it. A group that an instance uses, or that another"
                        + " group's rule names, cannot be deleted.", "Delete")) {
            model.delete(group, () -> { }, failure -> Dialogs.error(window(), "Could not delete the security group",
                    failure));
        }
    }

    private Window window() {
        return Nodes.windowOf(this);
    }
}
