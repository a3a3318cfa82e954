package dev.nube.ui.common;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Window;

/** Confirmation and error dialogs in one style. Modal: call them from the FX thread in answer to a user action. */
public final class Dialogs {
    private static final double DIALOG_WIDTH = 520;

    private Dialogs() {
    }

    /** Gives a dialog Nube's stylesheet: dialogs are scenes of their own and do not inherit the window's. */
    public static void style(javafx.scene.control.Dialog<?> dialog) {
        dialog.getDialogPane().getStylesheets().add(Dialogs.class.getResource("/dev/nube/ui/nube.css")
                .toExternalForm());
    }

    /** A dialog's form: names in the first column, never cut short by a long text beside them; fields grow. */
    public static GridPane form() {
        GridPane form = new GridPane();
        form.getStyleClass().add("form-grid");
        ColumnConstraints names = new ColumnConstraints();
        names.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        form.getColumnConstraints().addAll(names, fields);
        return form;
    }

    /** Where a dialog that stays open shows what is wrong with the answer, or the engine's refusal. */
    public static Label problemLabel(String id) {
        Label problem = new Label();
        problem.setId(id);
        problem.setWrapText(true);
        problem.getStyleClass().add("error-text");
        return problem;
    }

    /**
     * Asks before something that cannot be undone. {@code details} says exactly what will be lost;
     * {@code action} labels the confirming button (e.g. "Delete"). Cancel is the default button.
     */
    public static boolean confirm(Window owner, String title, String question, String details, String action) {
        ButtonType confirm = new ButtonType(action, ButtonBar.ButtonData.OK_DONE);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, "", confirm, cancel);
        alert.initOwner(owner);
        style(alert);
        alert.setTitle(title);
        alert.setHeaderText(question);
        Label body = new Label(details);
        body.setWrapText(true);
        body.setMaxWidth(460);
        alert.getDialogPane().setContent(body);
        alert.getDialogPane().setPrefWidth(DIALOG_WIDTH); // else a long line widens the dialog past the screen
        alert.getDialogPane().lookupButton(confirm).getStyleClass().add("danger");
        ((javafx.scene.control.Button) alert.getDialogPane().lookupButton(confirm)).setDefaultButton(false);
        ((javafx.scene.control.Button) alert.getDialogPane().lookupButton(cancel)).setDefaultButton(true);
        return alert.showAndWait().filter(confirm::equals).isPresent();
    }

    public static void error(Window owner, String title, Throwable failure) {
        error(owner, title, Errors.message(failure));
    }

    public static void error(Window owner, String title, String message) {
        Alert alert = new Alert(Alert.AlertType.ERROR);
        alert.initOwner(owner);
        style(alert);
        alert.setTitle(title);
        alert.setHeaderText(title);
        Label body = new Label(message);
        body.setWrapText(true);
        body.setMaxWidth(460);
        alert.getDialogPane().setContent(body);
        alert.getDialogPane().setPrefWidth(DIALOG_WIDTH);
        alert.show();
    }
}
