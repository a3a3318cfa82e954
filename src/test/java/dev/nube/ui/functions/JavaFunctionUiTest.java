package dev.nube.ui.functions;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.area;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nube.engine.functions.BuildProblem;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.TestRuntimes;
import dev.nube.ui.ConsoleUiTest;
import dev.nube.ui.functions.editor.CodeEditor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.fxmisc.richtext.CodeArea;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * A Java function made from its blueprint and deployed from the console: a compile error fails Deploy, is listed
 * below the editor and marked at its line in example/Hello.java; once fixed, Deploy compiles the sources into
 * classes.jar and publishes.
 */
@Tag("ui")
@Tag("sandbox")
class JavaFunctionUiTest extends ConsoleUiTest {
    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @Test
    void aCompileErrorIsMarkedAtItsLineAndAFixedBuildIsPublishedAndRuns(FxRobot robot) {
        assumeTrue(TestRuntimes.JAVA != null, "no JDK 17 under /usr/lib/jvm");
        console.engine().functions().create(REGION, CreateFunctionRequest.of("java-ui", TestRuntimes.JAVA));
        String source = new String(console.engine().functionCode().readFile(REGION, "java-ui", null,
                "example/Hello.java"), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(source.lines().toList());
        int line = lines.indexOf("        return event;") + 1;
        assertTrue(line > 5, "the return is down the file: " + line);
        lines.set(line - 1, "        return greeting;");
        console.engine().functionCode().writeFile(REGION, "java-ui", "example/Hello.java",
                (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        // Listed before example/Hello.java: the page opens the handler's class's source all the same.
        console.engine().functionCode().writeFile(REGION, "java-ui", "README.md", "# notes\n".getBytes(
                StandardCharsets.UTF_8));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "java-ui");
        CodeArea code = area(robot, "editor-example_Hello_java");
        waitUntil("Hello.java is open", () -> code.getText().contains("greeting;"));
        CodeEditor editor = robot.lookup("#editor-example_Hello_java").queryAs(CodeEditor.class);

        FunctionsUi.deploy(robot, "broken");

        waitUntil("the build failed", 120, () -> text(robot, "#code-deploy-result").startsWith("Not deployed: javac"
                + " found an error: example/Hello.java:" + line + ":16: cannot find symbol"));
        @SuppressWarnings("unchecked")
        ListView<BuildProblem> problems = robot.lookup("#code-build-problems").queryAs(ListView.class);
        assertTrue(problems.isVisible());
        assertEquals(1, problems.getItems().size());
        assertEquals(new BuildProblem("example/Hello.java", line, 16, problems.getItems().get(0).message()),
                problems.getItems().get(0));
        waitUntil("the line is marked", () -> editor.lineMarked(line));

        robot.interact(() -> code.replaceText(line - 1, 0, line - 1, code.getParagraphLength(line - 1),
                "        return event;"));
        FunctionsUi.deploy(robot, "fixed");

        waitUntil("deployed", 120, () -> text(robot, "#code-deploy-result").startsWith("Published")
                || text(robot, "#code-deploy-result").startsWith("Not") && !text(robot, "#code-deploy-result")
                        .contains("greeting"));
        assertEquals("Published version 1.", text(robot, "#code-deploy-result"));
        assertTrue(problems.getItems().isEmpty());
        waitUntil("the mark is gone", () -> !editor.lineMarked(line) && editor.lineMarks().isEmpty());
        assertTrue(console.engine().functionCode().files(REGION, "java-ui", null).stream().anyMatch(e -> e.path()
                .equals("classes.jar")), "classes.jar was built into the code");
        // The Code tab's Test runs the compiled handler in the Java runtime.
        robot.clickOn("#code-test");
        String status = FunctionsUi.awaitResult(robot, "code-result-status");
        assertTrue(status.startsWith("Succeeded"), status);
    }
}
