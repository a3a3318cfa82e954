package dev.nube.ui.functions;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.area;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.BuildProblem;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.ui.ConsoleUiTest;
import dev.nube.ui.functions.editor.CodeEditor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.fxmisc.richtext.CodeArea;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * A Go function deployed from the console: a compile error fails Deploy, is listed below the editor and marked at its
 * line in main.go (the line tinted, its number marked with the message as its tooltip, the caret on it); once fixed,
 * Deploy builds and publishes and the marks are gone. Builds for real with /usr/bin/go (the cache in NUBE_CACHE).
 */
@Tag("ui")
@Tag("sandbox")
class GoFunctionUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @Test
    void aBuildErrorIsMarkedAtItsLineAndAFixedBuildIsPublished(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("go-ui", "provided.al2023")
                .withBlueprint("go-hello"));
        String source = new String(console.engine().functionCode().readFile(REGION, "go-ui", null, "main.go"),
                StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(source.lines().toList());
        int line = lines.indexOf("\t\t\"message\": \"Hello from Go!\",") + 1;
        assertTrue(line > 10, "the greeting is down the file: " + line);
        lines.set(line - 1, "\t\t\"message\": greeting,");
        console.engine().functionCode().writeFile(REGION, "go-ui", "main.go", (String.join("\n", lines) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "go-ui");
        CodeArea code = area(robot, "editor-main_go");
        waitUntil("main.go is open", () -> code.getText().contains("greeting,"));
        CodeEditor editor = robot.lookup("#editor-main_go").queryAs(CodeEditor.class);
        assertFalse(editor.lineMarked(line));

        FunctionsUi.deploy(robot, "broken");

        waitUntil("the build failed", 120, () -> text(robot, "#code-deploy-result").startsWith("Not deployed: go build"
                + " found an error: main.go:" + line + ":14: undefined: greeting."));
        @SuppressWarnings("unchecked")
        ListView<BuildProblem> problems = robot.lookup("#code-build-problems").queryAs(ListView.class);
        assertTrue(problems.isVisible());
        assertEquals(List.of(new BuildProblem("main.go", line, 14, "undefined: greeting")), problems.getItems());
        waitUntil("the line is marked", () -> editor.lineMarked(line));
        assertEquals(List.of(new CodeEditor.LineMark(line, 14, "undefined: greeting")), editor.lineMarks());
        assertFalse(editor.lineMarked(line - 1));
        waitUntil("the caret is on it", () -> editor.caretLineProperty().get() == line
                && editor.caretColumnProperty().get() == 14);
        waitUntil("the line is tinted", () -> robot.lookup(".paragraph-text.problem-line").tryQuery().isPresent());
        assertEquals(1, robot.lookup(".paragraph-text.problem-line").queryAll().size());
        waitUntil("its number is marked", () -> robot.lookup(".problem-lineno").tryQuery().isPresent());
        Label number = robot.lookup(".problem-lineno").queryAs(Label.class);
        assertEquals(Integer.toString(line), number.getText().strip());
        Object tip = number.getProperties().get("javafx.scene.control.Tooltip");
        assertTrue(tip instanceof javafx.scene.control.Tooltip t && t.getText().equals(line
                + ":14: undefined: greeting"), String.valueOf(tip));
        assertTrue(console.engine().functionCode().files(REGION, "go-ui", null).stream().noneMatch(e -> e.path()
                .equals("bootstrap")), "nothing was built");

        // Fixed in the editor (the caret is on the line): Deploy saves, builds and publishes; the marks go.
        robot.interact(() -> code.replaceText(line - 1, 0, line - 1, code.getParagraphLength(line - 1),
                "\t\t\"message\": \"Hi\","));
        FunctionsUi.deploy(robot, "fixed");

        waitUntil("deployed", 120, () -> text(robot, "#code-deploy-result").startsWith("Published")
                || text(robot, "#code-deploy-result").startsWith("Not") && !text(robot, "#code-deploy-result")
                        .contains("undefined: greeting"));
        assertEquals("Published version 1.", text(robot, "#code-deploy-result"));
        assertTrue(problems.getItems().isEmpty());
        assertFalse(problems.isVisible());
        waitUntil("the mark is gone", () -> !editor.lineMarked(line) && editor.lineMarks().isEmpty());
        assertTrue(console.engine().functionCode().files(REGION, "go-ui", null).stream().anyMatch(e -> e.path()
                .equals("bootstrap")), "bootstrap was built into the code");
    }
}
