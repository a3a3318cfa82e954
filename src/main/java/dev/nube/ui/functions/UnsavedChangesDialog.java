package dev.nube.ui.functions;

import dev.nube.ui.common.Dialogs;
import java.util.List;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.stage.Window;

/**
 * Asks what to do with edits not saved yet before they would be dropped: save them, discard them, or stay.
 * Cancel (stay) is the default, so Enter never drops work. Modal: call from the FX thread in answer to a user action.
 */
public final class UnsavedChangesDialog {
    /** The person's answer. */
    public enum Choice { SAVE, DISCARD, CANCEL }

    private UnsavedChangesDialog() {
    }

    /**
     * @param action what is about to happen, e.g. "Close lambda_function.py"
     * @param unsaved what holds unsaved edits, e.g. ["lambda_function.py", "the configuration"]
     */
    public static Choice ask(Window owner, String action, List<String> unsaved) {
        ButtonType save = new ButtonType("Save", ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Discard", ButtonBar.ButtonData.NO);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.WARNING, "", save, discard, cancel);
        alert.initOwner(owner);
        Dialogs.style(alert);
        alert.setTitle("Unsaved changes");
        alert.setHeaderText(action + ": save your changes first?");
        Label body = new Label("Not saved yet: " + String.join(", ", unsaved) + ". Discard drops these edits.");
        body.setId("unsaved-details");
        body.setWrapText(true);
        body.setMaxWidth(460);
        alert.getDialogPane().setContent(body);
        alert.getDialogPane().getStyleClass().add("unsaved-dialog");
        ((Button) alert.getDialogPane().lookupButton(save)).setDefaultButton(false);
        ((Button) alert.getDialogPane().lookupButton(cancel)).setDefaultButton(true);
        alert.getDialogPane().lookupButton(discard).getStyleClass().add("danger");
        ButtonType answer = alert.showAndWait().orElse(cancel);
        return answer == save ? Choice.SAVE : answer == discard ? Choice.DISCARD : Choice.CANCEL;
    }
}
