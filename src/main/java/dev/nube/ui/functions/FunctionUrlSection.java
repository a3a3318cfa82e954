package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionUrlConfig.AuthType;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Function URL section of the Configuration tab: the URL with a copy button (or a line saying there is none), who
 * may call it, its CORS settings, and Create, Save and Delete. FX thread only.
 */
final class FunctionUrlSection extends VBox {
    FunctionUrlSection(FunctionUrlViewModel model) {
        super(10);
        getStyleClass().add("function-url-section");

        Label address = new Label();
        address.setId("url-address");
        address.textProperty().bind(Bindings.createStringBinding(() -> model.urlProperty().get() == null
                ? "This function has no URL. Create one to call it over HTTP (curl, a browser) on this machine."
                : model.address(), model.urlProperty()));
        address.setWrapText(true);
        Button copy = new Button(null, new FontIcon(Feather.COPY));
        copy.setId("url-copy");
        copy.setTooltip(new javafx.scene.control.Tooltip("Copy the URL"));
        copy.visibleProperty().bind(model.existsProperty());
        copy.managedProperty().bind(copy.visibleProperty());
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(model.address());
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox addressRow = new HBox(8, address, copy);
        addressRow.setAlignment(Pos.CENTER_LEFT);

        ToggleGroup auth = new ToggleGroup();
        RadioButton none = new RadioButton("NONE: anything on this machine may call it");
        none.setId("url-auth-none");
        none.setUserData(AuthType.NONE);
        none.setToggleGroup(auth);
        RadioButton iam = new RadioButton("AWS_IAM: only requests signed with one of Nube's access keys"
                + " (e.g. curl --aws-sigv4 \"aws:amz:REGION:lambda\" --user KEY:SECRET)");
        iam.setId("url-auth-iam");
        iam.setMnemonicParsing(false); // the underscore of AWS_IAM is text, not a keyboard shortcut
        iam.setUserData(AuthType.AWS_IAM);
        iam.setToggleGroup(auth);
        iam.setWrapText(true);
        model.authTypeProperty().addListener((obs, old, type) -> auth.selectToggle(type == AuthType.AWS_IAM ? iam
                : none));
        auth.selectToggle(model.authTypeProperty().get() == AuthType.AWS_IAM ? iam : none);
        auth.selectedToggleProperty().addListener((obs, old, toggle) -> {
            if (toggle != null) {
                model.authTypeProperty().set((AuthType) toggle.getUserData());
            }
        });

        CheckBox cors = new CheckBox("Configure cross-origin resource sharing (CORS)");
        cors.setId("url-cors");
        cors.selectedProperty().bindBidirectional(model.corsProperty());
        GridPane corsGrid = new GridPane();
        corsGrid.getStyleClass().add("form-grid");
        corsGrid.addRow(0, new Label("Allow origins"), field("url-allow-origins", model.allowOriginsProperty(),
                "https://example.com, or *"));
        corsGrid.addRow(1, new Label("Allow methods"), field("url-allow-methods", model.allowMethodsProperty(),
                "GET, POST, or *"));
        corsGrid.addRow(2, new Label("Allow headers"), field("url-allow-headers", model.allowHeadersProperty(),
                "content-type, x-custom"));
        corsGrid.addRow(3, new Label("Expose headers"), field("url-expose-headers", model.exposeHeadersProperty(),
                "x-request-id"));
        TextField maxAge = field("url-max-age", model.maxAgeProperty(), "seconds, 0 to 86400");
        maxAge.setTextFormatter(new TextFormatter<String>(c -> c.getControlNewText().matches("\\d{0,5}") ? c : null));
        maxAge.textProperty().bindBidirectional(model.maxAgeProperty());
        corsGrid.addRow(4, new Label("Max age"), maxAge);
        CheckBox credentials = new CheckBox("Allow credentials");
        credentials.setId("url-allow-credentials");
        credentials.selectedProperty().bindBidirectional(model.allowCredentialsProperty());
        corsGrid.add(credentials, 1, 5);
        corsGrid.visibleProperty().bind(model.corsProperty());
        corsGrid.managedProperty().bind(corsGrid.visibleProperty());

        Button create = new Button("Create function URL", new FontIcon(Feather.LINK));
        create.setId("url-create");
        create.getStyleClass().add("accent");
        create.visibleProperty().bind(model.existsProperty().not());
        create.managedProperty().bind(create.visibleProperty());
        create.disableProperty().bind(model.busyProperty());
        create.setOnAction(e -> model.create());
        Button save = new Button("Save URL settings", new FontIcon(Feather.SAVE));
        save.setId("url-save");
        save.visibleProperty().bind(model.existsProperty());
        save.managedProperty().bind(save.visibleProperty());
        save.disableProperty().bind(model.busyProperty());
        save.setOnAction(e -> model.save());
        Button delete = new Button("Delete URL", new FontIcon(Feather.TRASH_2));
        delete.setId("url-delete");
        delete.getStyleClass().add("danger");
        delete.visibleProperty().bind(model.existsProperty());
        delete.managedProperty().bind(delete.visibleProperty());
        delete.disableProperty().bind(model.busyProperty());
        delete.setOnAction(e -> model.delete());
        Label status = new Label();
        status.setId("url-status");
        status.getStyleClass().add("text-muted");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());
        HBox actions = new HBox(8, create, save, delete, status);
        actions.setAlignment(Pos.CENTER_LEFT);

        Label note = new Label("The URL invokes $LATEST with the HTTP API event (payload format 2.0) and answers"
                + " what the function returns. It listens on 127.0.0.1 only; *.localhost names reach it from curl and"
                + " browsers.");
        note.getStyleClass().add("text-muted");
        note.setWrapText(true);
        getChildren().addAll(addressRow, new Label("Auth type"), none, iam, cors, corsGrid, note, actions);
        model.reload();
    }

    private static TextField field(String id, javafx.beans.property.StringProperty text, String prompt) {
        TextField field = new TextField();
        field.setId(id);
        field.setPromptText(prompt);
        field.setPrefColumnCount(30);
        field.textProperty().bindBidirectional(text);
        GridPane.setHgrow(field, Priority.ALWAYS);
        return field;
    }
}
