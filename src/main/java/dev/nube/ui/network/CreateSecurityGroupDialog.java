package dev.nube.ui.network;

import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** Creates a security group (name and description); rules are edited afterwards. */
final class CreateSecurityGroupDialog extends Dialog<SecurityGroup> {
    private SecurityGroup created;

    CreateSecurityGroupDialog(SecurityGroupsViewModel model, Window owner) {
        initOwner(owner);
        Dialogs.style(this);
        setTitle("Create security group");
        setHeaderText("A new group has no inbound rule and allows all outbound traffic, until you edit its rules.");
        ButtonType createType = new ButtonType("Create security group", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(createType, ButtonType.CANCEL);
        TextField name = new TextField();
        name.setId("group-name");
        name.setPromptText("e.g. web-servers");
        TextField description = new TextField();
        description.setId("group-description");
        description.setPromptText("e.g. Allows HTTP and HTTPS");
        Label message = new Label();
        message.setId("group-message");
        message.getStyleClass().add("error-text");
        message.setWrapText(true);
        VBox body = new VBox(8, new Label("Name"), name, new Label("Description"), description, message);
        body.setPrefWidth(480);
        getDialogPane().setContent(body);
        Button create = (Button) getDialogPane().lookupButton(createType);
        create.setId("create-group-confirm");
        create.disableProperty().bind(name.textProperty().isEmpty());
        create.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            model.create(name.getText(), description.getText(), group -> {
                created = group;
                setResult(group);
                close();
            }, failure -> message.setText(Errors.message(failure)));
        });
        setResultConverter(button -> created);
        javafx.application.Platform.runLater(name::requestFocus);
    }
}
