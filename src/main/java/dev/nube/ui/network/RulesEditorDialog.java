package dev.nube.ui.network;

import dev.nube.engine.compute.network.SecurityGroup.Direction;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.event.ActionEvent;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Edits the inbound or outbound rules of a group as the EC2 console does: a row per rule with a type preset, ports,
 * peer and description, each checked as it is typed; Save is enabled only when every row is valid, and the engine
 * applies the whole list at once or nothing.
 */
final class RulesEditorDialog extends Dialog<SecurityGroup> {
    private final SecurityGroupsViewModel model;
    private final Direction direction;
    private final ObservableList<RuleDraft> drafts = FXCollections.observableArrayList(
            draft -> new javafx.beans.Observable[] {draft.problemProperty()});
    private final GridPane grid = new GridPane();
    private final Label message = new Label();
    private SecurityGroup saved;

    RulesEditorDialog(SecurityGroupsViewModel model, SecurityGroup group, Direction direction, Window owner) {
        this.model = model;
        this.direction = direction;
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Edit " + direction.label().toLowerCase() + " rules");
        setHeaderText("Edit " + direction.label().toLowerCase() + " rules of " + group.name() + " (" + group.id()
                + ")");
        for (SecurityGroupRule rule : group.rules(direction)) {
            drafts.add(RuleDraft.of(rule, model::groupIdOf));
        }
        drafts.addListener((ListChangeListener<RuleDraft>) change -> {
            // Rows are rebuilt when rules are added or removed, not when one changes (that would steal the focus).
            boolean structural = false;
            while (change.next()) {
                structural |= change.wasAdded() || change.wasRemoved();
            }
            if (structural) {
                layoutRows();
            }
        });

        grid.setId("rules-grid");
        grid.setHgap(8);
        grid.setVgap(4);
        for (double width : new double[] {150, 70, 110, 250, 230, 36}) {
            javafx.scene.layout.ColumnConstraints column = new javafx.scene.layout.ColumnConstraints(width);
            column.setMinWidth(width);
            grid.getColumnConstraints().add(column);
        }
        grid.getColumnConstraints().get(4).setHgrow(javafx.scene.layout.Priority.ALWAYS);
        layoutRows();

        Button add = new Button("Add rule", new FontIcon(Feather.PLUS));
        add.setId("add-rule");
        add.setOnAction(e -> {
            RuleDraft draft = new RuleDraft(model::groupIdOf);
            if (direction == Direction.OUTBOUND) {
                draft.presetProperty().set(RulePreset.ALL_TRAFFIC);
            }
            drafts.add(draft);
        });
        message.setId("rules-message");
        message.getStyleClass().add("error-text");
        message.setWrapText(true);
        Label hint = new Label((direction == Direction.INBOUND
                ? "Inbound rules say which traffic may reach instances in this group: from a CIDR block, on their"
                + " public address (TCP and UDP ports; at most " + 64 + " ports per rule are published there), or from"
                + " a group's members on the private network (any protocol)."
                : "Outbound rules say where instances in this group may send traffic: to other instances on the"
                + " private network and out to this machine's networks. With none, an instance reaches nothing"
                + " but its own network's DNS.")
                + " Changes apply at once to the running instances that use the group, open connections included;"
                + " replies to allowed traffic always pass.");
        hint.setWrapText(true);
        hint.getStyleClass().add("text-muted");
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(260);
        VBox body = new VBox(10, hint, scroll, add, message);
        getDialogPane().setContent(body);
        getDialogPane().setPrefWidth(960);

        ButtonType saveType = new ButtonType("Save rules", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(saveType, ButtonType.CANCEL);
        Button save = (Button) getDialogPane().lookupButton(saveType);
        save.setId("save-rules");
        BooleanBinding invalid = Bindings.createBooleanBinding(
                () -> drafts.stream().anyMatch(d -> d.rule() == null), drafts);
        save.disableProperty().bind(invalid);
        save.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            List<SecurityGroupRule> rules = new ArrayList<>();
            drafts.forEach(d -> rules.add(d.rule()));
            message.setText("Saving...");
            model.setRules(group, direction, rules, updated -> {
                saved = updated;
                setResult(updated);
                close();
            }, failure -> message.setText(Errors.message(failure)));
        });
        setResultConverter(button -> saved);
    }

    private void layoutRows() {
        grid.getChildren().clear();
        String[] headings = {"Type", "Protocol", "Port range", direction.peerLabel(), "Description", ""};
        for (int c = 0; c < headings.length; c++) {
            Label heading = new Label(headings[c]);
            heading.getStyleClass().add("text-bold");
            grid.add(heading, c, 0);
        }
        if (drafts.isEmpty()) {
            Label none = new Label("No " + direction.label().toLowerCase() + " rules.");
            none.getStyleClass().add("text-muted");
            grid.add(none, 0, 1, headings.length, 1);
        }
        int row = 1;
        for (int i = 0; i < drafts.size(); i++) {
            RuleDraft draft = drafts.get(i);
            ComboBox<RulePreset> type = new ComboBox<>(FXCollections.observableArrayList(RulePreset.values()));
            type.setId("rule-type-" + i);
            type.setMaxWidth(Double.MAX_VALUE);
            type.valueProperty().bindBidirectional(draft.presetProperty());
            Label protocol = new Label();
            protocol.textProperty().bind(Bindings.createStringBinding(
                    () -> draft.presetProperty().get().protocol().label(), draft.presetProperty()));
            TextField ports = new TextField();
            ports.setId("rule-ports-" + i);

            ports.textProperty().bindBidirectional(draft.portsProperty());
            ports.disableProperty().bind(Bindings.createBooleanBinding(
                    () -> !draft.presetProperty().get().editablePorts(), draft.presetProperty()));
            ComboBox<String> peer = new ComboBox<>(peerSuggestions());
            peer.setId("rule-peer-" + i);
            peer.setEditable(true);
            peer.setMaxWidth(Double.MAX_VALUE);
            peer.getEditor().textProperty().bindBidirectional(draft.peerProperty());
            peer.valueProperty().addListener((obs, old, value) -> {
                if (value != null) {
                    draft.peerProperty().set(value.replaceFirst(" .*", ""));
                }
            });
            TextField description = new TextField();
            description.setId("rule-description-" + i);
            description.textProperty().bindBidirectional(draft.descriptionProperty());
            Button remove = new Button(null, new FontIcon(Feather.X));
            remove.setId("rule-remove-" + i);
            remove.getStyleClass().addAll("button-icon", "flat");
            remove.setTooltip(new Tooltip("Delete this rule"));
            remove.setOnAction(e -> drafts.remove(draft));
            grid.addRow(row++, type, protocol, ports, peer, description, remove);
            Label problem = new Label();
            problem.setId("rule-problem-" + i);
            problem.getStyleClass().add("error-text");
            problem.textProperty().bind(Bindings.concat("Rule ", i + 1, ": ").concat(draft.problemProperty()));
            problem.visibleProperty().bind(draft.problemProperty().isNotEmpty());
            problem.managedProperty().bind(problem.visibleProperty());
            problem.setWrapText(true);
            grid.add(problem, 0, row++, headings.length, 1);
            GridPane.setValignment(protocol, javafx.geometry.VPos.CENTER);
            protocol.setAlignment(Pos.CENTER_LEFT);
        }
    }

    /** Common peers and the region's groups, as the EC2 console suggests them. */
    private ObservableList<String> peerSuggestions() {
        ObservableList<String> items = FXCollections.observableArrayList("0.0.0.0/0 (anywhere IPv4)",
                "::/0 (anywhere IPv6)", "127.0.0.1/32 (this machine)");
        model.list().items().forEach(g -> items.add(g.id() + " (" + g.name() + ")"));
        return items;
    }
}
