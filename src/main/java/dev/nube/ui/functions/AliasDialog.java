package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionAlias;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.Errors;
import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/**
 * Creates an alias, or edits one (its name then stays): the version it points to, a description, and optionally an
 * additional version with the percentage of invocations it takes. What is wrong shows as it is typed and Save waits
 * until nothing is; the dialog stays open until the engine answers, and shows its refusal. Returns the alias saved,
 * or nothing if cancelled. FX thread only.
 */
final class AliasDialog extends Dialog<FunctionAlias> {
    private static final String NONE = "None";
    private final AliasesViewModel model;
    private final FunctionAlias editing;
    private final TextField name = new TextField();
    private final ComboBox<String> version = new ComboBox<>();
    private final TextField description = new TextField();
    private final ComboBox<String> additional = new ComboBox<>();
    private final TextField weight = new TextField();
    private final Label problem = Dialogs.problemLabel("alias-problem");
    private final ButtonType saveType;
    private FunctionAlias saved;

    /** @param editing the alias to edit, or null to create one */
    AliasDialog(AliasesViewModel model, FunctionAlias editing, Window owner) {
        this.model = model;
        this.editing = editing;
        initOwner(owner);
        Dialogs.style(this);
        setTitle(editing == null ? "Create alias" : "Edit alias " + editing.name());
        setHeaderText(editing == null ? "An alias is a name that points to a version: callers invoke the alias, and"
                + " you move it from version to version." : "Point " + editing.name() + " to another version, or"
                + " send a share of its invocations to a second one.");
        saveType = new ButtonType(editing == null ? "Create alias" : "Save", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(saveType, ButtonType.CANCEL);

        name.setId("alias-name");
        name.setPromptText("e.g. live");
        version.setId("alias-version");
        version.getItems().setAll(model.versionChoices());
        version.setMaxWidth(Double.MAX_VALUE);
        description.setId("alias-description");
        additional.setId("alias-additional-version");
        additional.getItems().add(NONE);
        additional.getItems().addAll(model.additionalChoices());
        weight.setId("alias-weight");
        weight.setPrefColumnCount(5);
        weight.setPromptText("e.g. 10");
        AliasForm form = editing == null ? new AliasForm("", "", "", "", "") : AliasesViewModel.formOf(editing);
        name.setText(form.name());
        name.setDisable(editing != null);
        version.setValue(form.version().isEmpty() ? version.getItems().get(version.getItems().size() > 1 ? 1 : 0)
                : form.version());
        description.setText(form.description());
        additional.setValue(form.weighted() ? form.additionalVersion() : NONE);
        weight.setText(form.weightPercent());

        GridPane grid = Dialogs.form();
        grid.addRow(0, new Label("Name"), name);
        grid.addRow(1, new Label("Version"), version);
        grid.addRow(2, new Label("Description"), description);
        grid.addRow(3, new Label("Additional version"), additional);
        grid.addRow(4, new Label("Its share (%)"), new HBox(6, weight, new Label("of the invocations")));
        Label hint = new Label("Names hold letters, digits, hyphens and underscores (at most 128), not only digits."
                + " A share goes to a second published version, chosen anew for each invocation; $LATEST cannot"
                + " take part in a split.");
        hint.setWrapText(true);
        hint.getStyleClass().add("text-muted");
        VBox body = new VBox(10, grid, hint, problem);
        body.setPrefWidth(560);
        getDialogPane().setContent(body);

        Button save = (Button) getDialogPane().lookupButton(saveType);
        save.setId("alias-save");
        name.textProperty().addListener((obs, old, text) -> validate(save));
        version.valueProperty().addListener((obs, old, value) -> validate(save));
        description.textProperty().addListener((obs, old, text) -> validate(save));
        additional.valueProperty().addListener((obs, old, value) -> validate(save));
        weight.textProperty().addListener((obs, old, text) -> validate(save));
        validate(save);
        save.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume(); // open until the engine answers
            save.setDisable(true);
            problem.setText("Saving...");
            java.util.function.Consumer<FunctionAlias> done = alias -> {
                saved = alias;
                close();
            };
            java.util.function.Consumer<Throwable> refused = failure -> {
                problem.setText(Errors.message(failure));
                save.setDisable(false);
            };
            if (editing == null) {
                model.create(form(), done, refused);
            } else {
                model.update(editing, form(), done, refused);
            }
        });
        setResultConverter(button -> saved);
        javafx.application.Platform.runLater(editing == null ? name::requestFocus : version::requestFocus);
    }

    private AliasForm form() {
        String other = additional.getValue() == null || additional.getValue().equals(NONE) ? ""
                : additional.getValue();
        return new AliasForm(name.getText(), version.getValue(), description.getText(), other, weight.getText());
    }

    private void validate(Button save) {
        boolean weighted = !NONE.equals(additional.getValue()) && additional.getValue() != null;
        weight.setDisable(!weighted);
        String found = model.problem(form(), editing == null).orElse("");
        // a name not typed yet is not an error to shout about: Create simply waits for it
        problem.setText(editing == null && name.getText().isEmpty() ? "" : found);
        save.setDisable(!found.isEmpty());
    }
}
