package dev.nube.ui.functions;

import dev.nube.ui.ConsoleUiTest;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.answerUnsaved;
import static dev.nube.ui.functions.FunctionsUi.area;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.ui.shell.Page;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.fxmisc.richtext.CodeArea;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The Code tab as an editor (nothing is invoked): find and replace, undo and redo, indentation, new files, and
 * unsaved edits that are never dropped without asking: closing a file, switching function, going back to the
 * list, leaving the page and quitting the console.
 */
@Tag("ui")
class FunctionEditorUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    private String onDisk(String function, String path) {
        return new String(console.engine().functionCode().readFile(REGION, function, null, path),
                StandardCharsets.UTF_8);
    }

    private CodeArea openEditor(FxRobot robot, String function, String editorId) {
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, function);
        CodeArea code = area(robot, editorId);
        waitUntil("the code is open", () -> !code.getText().isEmpty());
        return code;
    }

    private Tab fileTab(FxRobot robot) {
        return robot.lookup("#code-editors").queryAs(TabPane.class).getTabs().get(0);
    }

    @Test
    void unsavedEditsPromptBeforeBeingDropped(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("first", PYTHON));
        console.engine().functions().create(REGION, CreateFunctionRequest.of("second", NODE));
        String saved = onDisk("first", "lambda_function.py");
        CodeArea code = openEditor(robot, "first", "editor-lambda_function_py");
        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.END).write("# edited\n");
        waitUntil("the file is marked unsaved", () -> fileTab(robot).getText().endsWith("\u25CF"));
        waitUntil("so is the Code tab", () -> robot.lookup("Code \u25CF").tryQuery().isPresent());

        // Closing the file's tab asks; Cancel keeps it open with the edit.
        robot.clickOn(fileTab(robot).getGraphic() == null ? robot.lookup("#code-editors .tab-close-button").query()
                : fileTab(robot).getGraphic());
        answerUnsaved(robot, "Cancel");
        assertEquals(1, robot.lookup("#code-editors").queryAs(TabPane.class).getTabs().size());
        assertTrue(code.getText().endsWith("# edited\n"));

        // Switching function asks; Cancel stays.
        @SuppressWarnings("unchecked")
        ComboBox<String> switcher = robot.lookup("#function-switcher").queryAs(ComboBox.class);
        robot.clickOn(switcher);
        FunctionsUi.clickText(robot, "second");
        answerUnsaved(robot, "Cancel");
        assertEquals("first", text(robot, "#function-title"));

        // Leaving the page asks; Cancel stays on the function with the edit.
        robot.clickOn("Key pairs");
        answerUnsaved(robot, "Cancel");
        waitUntil("still on Functions", () -> console.shell().pageProperty().get() == Page.FUNCTIONS);
        assertEquals("first", text(robot, "#function-title"));

        // Quitting asks; Cancel keeps the console open.
        AtomicBoolean closed = new AtomicBoolean();
        Platform.runLater(() -> console.view().requestClose(() -> closed.set(true)));
        answerUnsaved(robot, "Cancel");
        assertFalse(closed.get(), "the console stays open");
        assertEquals(saved, onDisk("first", "lambda_function.py"), "nothing was saved or lost so far");

        // Quitting again, with Save: the edit reaches the disk, then the console closes.
        Platform.runLater(() -> console.view().requestClose(() -> closed.set(true)));
        answerUnsaved(robot, "Save");
        waitUntil("saved, then closed", closed::get);
        assertEquals(saved + "# edited\n", onDisk("first", "lambda_function.py"));
        assertFalse(fileTab(robot).getText().endsWith("\u25CF"));

        // Switching with Discard drops the edit: the other function opens, the file on disk is as saved.
        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.END).write("# dropped\n");
        robot.clickOn(switcher);
        FunctionsUi.clickText(robot, "second");
        answerUnsaved(robot, "Discard");
        waitUntil("the second function shows", () -> text(robot, "#function-title").equals("second"));
        assertEquals(saved + "# edited\n", onDisk("first", "lambda_function.py"));

        // Going back to the list with edits asks too; Discard goes back.
        CodeArea node = area(robot, "editor-index_mjs");
        waitUntil("node's code is open", () -> node.getText().contains("handler"));
        robot.clickOn(node).push(KeyCode.CONTROL, KeyCode.END).write("// x\n");
        robot.clickOn("#back-to-functions");
        answerUnsaved(robot, "Discard");
        waitUntil("the list shows", () -> robot.lookup("#functions-table").tryQuery().map(FunctionsUi::shown)
                .orElse(false));
    }

    @Test
    void findsReplacesUndoesAndIndents(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("editing", NODE));
        CodeArea code = openEditor(robot, "editing", "editor-index_mjs");
        String original = code.getText();
        assertTrue(original.contains("event"));
        long events = original.split("event", -1).length - 1;

        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.H);
        waitUntil("the find bar opens", () -> FunctionsUi.visible(robot, ".find-field", javafx.scene.Node.class)
                .isPresent());
        robot.write("event");
        waitUntil("the matches are counted", () -> text(robot, ".find-count").equals("1 of " + events));
        robot.clickOn(FunctionsUi.visibleOrFail(robot, ".replace-field", javafx.scene.Node.class)).write("input");
        robot.clickOn(FunctionsUi.visibleOrFail(robot, ".replace-all", javafx.scene.Node.class));
        waitUntil("every occurrence is replaced", () -> !code.getText().contains("event")
                && code.getText().split("input", -1).length - 1 == events);
        waitUntil("nothing left to find", () -> text(robot, ".find-count").equals("No results"));
        robot.clickOn(code).push(KeyCode.ESCAPE);
        waitUntil("Esc closes the find bar", () -> FunctionsUi.visible(robot, ".find-field", javafx.scene.Node.class)
                .isEmpty());

        robot.push(KeyCode.CONTROL, KeyCode.Z);
        waitUntil("one undo takes back the whole replace", () -> code.getText().equals(original));
        robot.push(KeyCode.CONTROL, KeyCode.Y);
        waitUntil("redo puts it back", () -> !code.getText().contains("event"));
        robot.clickOn("#code-undo");
        waitUntil("the toolbar's undo too", () -> code.getText().equals(original));

        // Auto-indent: a new block opens one level deeper (two spaces in JavaScript); the closer steps back.
        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.END).write("\nif (x) {\nfoo();\n}");
        waitUntil("indented as JavaScript is", () -> code.getText().endsWith("\nif (x) {\n  foo();\n}"));
        robot.push(KeyCode.CONTROL, KeyCode.S);
        waitUntil("saved", () -> onDisk("editing", "index.mjs").endsWith("  foo();\n}"));

        // A new file from the tree opens empty, in its language.
        robot.clickOn("#code-new-file");
        robot.clickOn("#file-path-input").push(KeyCode.CONTROL, KeyCode.A).write("lib/util.json");
        robot.push(KeyCode.ENTER);
        waitUntil("the new file is open", () -> FunctionsUi.visible(robot, "#editor-lib_util_json",
                javafx.scene.Node.class).isPresent());
        CodeArea json = area(robot, "editor-lib_util_json");
        robot.clickOn(json).write("{\n\"a\": 1\n}");
        waitUntil("JSON is indented and highlighted", () -> json.getText().equals("{\n  \"a\": 1\n}")
                && json.getStyleAtPosition(json.getText().indexOf("\"a\"") + 1).contains("json-key"));
        assertEquals("Ln 3, Col 2  \u00B7  JSON", text(robot, "#code-caret"));
        robot.push(KeyCode.CONTROL, KeyCode.S);
        waitUntil("the new file is saved in its folder", () -> onDisk("editing", "lib/util.json")
                .equals("{\n  \"a\": 1\n}"));
    }
}
