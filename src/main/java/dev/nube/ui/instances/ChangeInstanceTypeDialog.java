package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.ui.common.Dialogs;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Chooses a stopped instance's new type among the instance types, each with its vCPUs and memory; a type this machine
 * cannot run is shown disabled with the reason. Returns the chosen type's name, or nothing if cancelled.
 */
final class ChangeInstanceTypeDialog extends Dialog<String> {
    /** An instance type, and why this machine cannot run it (null when it can). */
    record Choice(InstanceType type, String whyNot) {
    }

    ChangeInstanceTypeDialog(Window owner, Instance instance, List<Choice> choices) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Change instance type");
        setHeaderText("Change the type of " + instance.id() + (InstancesViewModel.nameOf(instance).isEmpty() ? ""
                : " (" + instance.name() + ")") + ", now " + instance.instanceType());
        ButtonType changeType = new ButtonType("Change type", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(changeType, ButtonType.CANCEL);

        ToggleGroup group = new ToggleGroup();
        VBox types = new VBox(6);
        types.setId("instance-type-choices");
        for (Choice choice : choices) {
            InstanceType type = choice.type();
            boolean current = type.name().equals(instance.instanceType());
            RadioButton option = new RadioButton(type.name() + "  (" + type.describe() + ")"
                    + (current ? ", its type now" : ""));
            option.setId("instance-type-" + type.name().replace('.', '-'));
            option.setToggleGroup(group);
            option.setUserData(type.name());
            option.setSelected(current);
            option.setDisable(choice.whyNot() != null);
            types.getChildren().add(option);
            if (choice.whyNot() != null) {
                Label why = new Label(choice.whyNot());
                why.getStyleClass().add("text-muted");
                why.setWrapText(true);
                why.setPadding(new javafx.geometry.Insets(0, 0, 4, 26));
                types.getChildren().add(why);
            }
        }
        ScrollPane scroll = new ScrollPane(types);
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(Math.min(320, choices.size() * 34.0));
        Label note = new Label("The instance gets the new type's vCPUs and memory at its next start; only a stopped"
                + " instance's type can be changed.");
        note.setWrapText(true);
        note.getStyleClass().add("text-muted");
        VBox body = new VBox(12, scroll, note);
        body.setPrefWidth(520);
        getDialogPane().setContent(body);

        Button change = (Button) getDialogPane().lookupButton(changeType);
        change.setId("change-instance-type-confirm");
        change.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() ->
                group.getSelectedToggle() == null
                        || group.getSelectedToggle().getUserData().equals(instance.instanceType()),
                group.selectedToggleProperty()));
        setResultConverter(button -> button == changeType && group.getSelectedToggle() != null
                ? (String) group.getSelectedToggle().getUserData() : null);
    }
}
