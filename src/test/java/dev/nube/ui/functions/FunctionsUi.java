package dev.nube.ui.functions;

import static dev.nube.ui.ConsoleFixture.waitUntil;

import dev.nube.engine.functions.FunctionSummary;
import dev.nube.ui.ConsoleFixture;
import dev.nube.ui.functions.editor.CodeEditor;
import java.util.Optional;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import org.fxmisc.richtext.CodeArea;
import org.testfx.api.FxRobot;

/**
 * Steps the functions UI tests share, done as a person would: open the page, open a function, pick a tab, answer
 * the unsaved-changes dialog, and read what is on screen (looked up among visible nodes only, since several tabs
 * hold views of the same kind).
 */
final class FunctionsUi {
    static final String REGION = "local-1";

    private FunctionsUi() {
    }

    @SuppressWarnings("unchecked")
    static TableView<FunctionSummary> openFunctionsPage(FxRobot robot) {
        robot.clickOn("Functions");
        waitUntil("the functions table", () -> robot.lookup("#functions-table").tryQuery().isPresent());
        return robot.lookup("#functions-table").queryAs(TableView.class);
    }

    /** Opens a function listed on the page (double click on its row). */
    static void openFunction(FxRobot robot, String name) {
        TableView<FunctionSummary> table = robot.lookup("#functions-table").queryAs(TableView.class);
        waitUntil(name + " is listed", () -> table.getItems().stream().anyMatch(s -> s.configuration().name()
                .equals(name)));
        robot.doubleClickOn(name);
        waitUntil("the page of " + name, () -> visible(robot, "#function-title", Label.class)
                .map(l -> l.getText().equals(name)).orElse(false));
    }

    /** Clicks the header of one of the function page's tabs ("code-tab", "test-tab", ...). */
    static void tab(FxRobot robot, String id) {
        robot.clickOn(robot.lookup(".tab").queryAll().stream().filter(n -> id.equals(n.getId())).findFirst()
                .orElseThrow(() -> new AssertionError("no tab header " + id)));
        waitUntil("tab " + id + " shows", () -> robot.lookup("#function-tabs").queryAs(TabPane.class)
                .getSelectionModel().getSelectedItem().getId().equals(id));
    }

    /** The visible node matching {@code query}, if any. */
    static <T extends Node> Optional<T> visible(FxRobot robot, String query, Class<T> type) {
        return robot.lookup(query).queryAllAs(type).stream().filter(FunctionsUi::shown).findFirst();
    }

    static <T extends Node> T visibleOrFail(FxRobot robot, String query, Class<T> type) {
        return visible(robot, query, type).orElseThrow(() -> new AssertionError("nothing visible matches " + query));
    }

    static boolean shown(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return node.getScene() != null;
    }

    /** Clicks the visible labeled node (button, cell, label) that reads {@code text}. */
    static void clickText(FxRobot robot, String text) {
        Node node = robot.lookup((Node n) -> n instanceof Labeled l && text.equals(l.getText()) && shown(n))
                .tryQuery().orElseThrow(() -> new AssertionError("nothing visible reads " + text));
        robot.clickOn(node);
    }

    static String text(FxRobot robot, String query) {
        return visible(robot, query, Label.class).map(Label::getText).orElse("");
    }

    /** The code area of the visible editor with this id. */
    static CodeArea area(FxRobot robot, String editorId) {
        CodeEditor editor = visibleOrFail(robot, "#" + editorId, CodeEditor.class);
        return (CodeArea) editor.lookup(".code-editor-area");
    }

    /** Clicks a button of the unsaved-changes dialog: Save, Discard or Cancel. */
    static void answerUnsaved(FxRobot robot, String answer) {
        waitUntil("the unsaved-changes dialog", () -> robot.lookup(".unsaved-dialog").tryQuery().isPresent());
        Button button = robot.lookup(".unsaved-dialog .button").queryAllAs(Button.class).stream()
                .filter(b -> answer.equals(b.getText())).findFirst().orElseThrow();
        robot.clickOn(button);
        waitUntil("the dialog closed", () -> robot.lookup(".unsaved-dialog").tryQuery().isEmpty());
    }

    /** Waits up to 90 s (a cold start on a busy machine) for an invocation's status to read its outcome. */
    /** Deploy from the Code tab, with {@code description} for the version it publishes. */
    static void deploy(FxRobot robot, String description) {
        robot.clickOn("#code-deploy");
        robot.clickOn("#deploy-description").write(description);
        robot.clickOn("OK");
    }

    static String awaitResult(FxRobot robot, String statusId) {
        ConsoleFixture.waitUntil("a result in #" + statusId, 90, () -> {
            String status = text(robot, "#" + statusId);
            return status.startsWith("Succeeded") || status.startsWith("Failed") || status.contains("Not sent");
        });
        return text(robot, "#" + statusId);
    }
}
