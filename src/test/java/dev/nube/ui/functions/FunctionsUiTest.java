package dev.nube.ui.functions;

import dev.nube.ui.ConsoleUiTest;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.area;
import static dev.nube.ui.functions.FunctionsUi.awaitResult;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static dev.nube.ui.functions.FunctionsUi.text;
import static dev.nube.ui.functions.FunctionsUi.visibleOrFail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CodeEntry;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.TestEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.FlowPane;
import javafx.stage.Stage;
import org.fxmisc.richtext.CodeArea;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/**
 * The functions console over a real engine with real sandboxes: create from a blueprint, edit, save, test with a
 * saved event and read the outcome on screen; environment variables; deploy and invoke a version.
 */
@Tag("ui")
@Tag("sandbox")
class FunctionsUiTest extends ConsoleUiTest {
    private static final String GREETER = "import json\n\ndef lambda_handler(event, context):\n"
            + "print(\"greeting \" + event[\"name\"])\nreturn {\"greeting\": \"Hello, \" + event[\"name\"]}\n";
    private static final String GREETER_INDENTED = "import json\n\ndef lambda_handler(event, context):\n"
            + "    print(\"greeting \" + event[\"name\"])\n    return {\"greeting\": \"Hello, \" + event[\"name\"]}\n";

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @Test
    void createsFromABlueprintEditsSavesAndRunsASavedTestEvent(FxRobot robot) {
        FunctionsUi.openFunctionsPage(robot);
        robot.clickOn("#create-function");
        Button create = robot.lookup("#function-create").queryButton();
        assertTrue(create.isDisabled(), "no name, no function");
        robot.clickOn("#function-name").write("bad name");
        waitUntil("the name is refused as typed", () -> robot.lookup("#function-create-message").queryAs(Label.class)
                .getText().contains("only letters"));
        assertTrue(create.isDisabled());
        robot.push(KeyCode.CONTROL, KeyCode.A).write("greeter");
        waitUntil("the blueprints of Python are offered", () -> robot.lookup("HTTP API (API Gateway proxy)")
                .tryQuery().isPresent());
        FunctionsUi.clickText(robot, "Hello world");
        waitUntil("the name is accepted", () -> !create.isDisabled());
        robot.clickOn("#function-create");
        waitUntil("the new function's page opens", () -> text(robot, "#function-title").equals("greeter"));

        CodeArea code = area(robot, "editor-lambda_function_py");
        waitUntil("the handler's file is open", () -> code.getText().contains("def lambda_handler"));
        int def = code.getText().indexOf("def ");
        assertTrue(code.getStyleAtPosition(def + 1).contains("keyword"), "Python is highlighted");

        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.A).write(GREETER);
        waitUntil("typed, with the indentation kept", () -> code.getText().equals(GREETER_INDENTED));
        Tab fileTab = robot.lookup("#code-editors").queryAs(TabPane.class).getTabs().get(0);
        waitUntil("the file is marked unsaved", () -> fileTab.getText().equals("lambda_function.py \u25CF"));
        robot.push(KeyCode.CONTROL, KeyCode.S);
        waitUntil("Ctrl+S saved it", () -> fileTab.getText().equals("lambda_function.py"));
        assertEquals(GREETER_INDENTED, new String(console.engine().functionCode().readFile(REGION, "greeter", null,
                "lambda_function.py"), StandardCharsets.UTF_8));

        tab(robot, "test-tab");
        robot.clickOn("#test-event-name").push(KeyCode.CONTROL, KeyCode.A).write("alice");
        robot.clickOn(area(robot, "test-event-json")).push(KeyCode.CONTROL, KeyCode.A).write("{\"name\": \"Alice\"}");
        robot.clickOn("#test-save");
        waitUntil("the event is saved", () -> console.engine().functions().testEvents(REGION, "greeter")
                .contains(new TestEvent("alice", "{\"name\": \"Alice\"}")));
        robot.clickOn("#new-test-event").clickOn("S3 put"); // another event in the editor...
        waitUntil("the template is shown", () -> area(robot, "test-event-json").getText().contains("Records"));
        FunctionsUi.clickText(robot, "alice"); // ...then the saved one again
        waitUntil("the saved event is back", () -> area(robot, "test-event-json").getText()
                .equals("{\"name\": \"Alice\"}"));

        robot.clickOn("#test-invoke");
        String status = awaitResult(robot, "test-result-status");
        assertTrue(status.startsWith("Succeeded: Test event alice on $LATEST"), status);
        assertTrue(area(robot, "test-result-response").getText().contains("\"greeting\": \"Hello, Alice\""),
                area(robot, "test-result-response").getText());
        String log = visibleOrFail(robot, "#test-result-log", TextArea.class).getText();
        assertTrue(log.contains("greeting Alice"), log);
        assertTrue(log.contains("START RequestId: ") && log.contains("END RequestId: ")
                && log.contains("REPORT RequestId: "), log);
        List<String> report = visibleOrFail(robot, "#test-result-report", FlowPane.class).lookupAll(".label")
                .stream().map(n -> ((Label) n).getText()).toList();
        assertTrue(report.containsAll(List.of("Duration", "Billed duration", "Memory used", "Init duration")),
                report.toString());
        assertTrue(report.stream().anyMatch(t -> t.matches("\\d+ of 128 MB")), report.toString());
        assertTrue(report.stream().anyMatch(t -> t.endsWith("ms (cold start)")), "a first call is a cold start");

        tab(robot, "code-tab"); // the Code tab shows the same outcome, and its Test button runs the event again
        assertTrue(text(robot, "#code-result-status").startsWith("Succeeded"));
        robot.clickOn("#code-test");
        awaitResult(robot, "code-result-status");
        waitUntil("a second call is warm", () -> visibleOrFail(robot, "#code-result-report", FlowPane.class)
                .lookupAll(".label").stream().anyMatch(n -> ((Label) n).getText().equals("none (warm start)")));
    }

    @Test
    void aNewEnvironmentVariableReachesTheHandler(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("env-reader", PYTHON));
        console.engine().functionCode().writeFile(REGION, "env-reader", "lambda_function.py", ("import os\n\n"
                + "def lambda_handler(event, context):\n    return {\"greeting\": os.environ.get(\"GREETING\","
                + " \"unset\")}\n").getBytes(StandardCharsets.UTF_8));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "env-reader");
        tab(robot, "configuration-tab");
        Button save = robot.lookup("#config-save").queryButton();
        robot.clickOn("#config-env-add");
        robot.clickOn("#config-env-key-0").write("AWS_REGION");
        waitUntil("a reserved name is refused", () -> text(robot, "#config-env-problem-0")
                .equals("AWS_REGION is reserved: Lambda sets it itself."));
        assertTrue(save.isDisabled(), "nothing invalid is saved");
        robot.push(KeyCode.CONTROL, KeyCode.A).write("GREETING");
        robot.clickOn("#config-env-value-0").write("hola");
        waitUntil("the variable is fine", () -> text(robot, "#config-env-problem-0").isEmpty() && !save.isDisabled());
        assertEquals("12 of 4096 bytes (4 KB) used", text(robot, "#config-env-bytes"));
        robot.clickOn(save);
        waitUntil("saved in the engine", () -> console.engine().functions().get(REGION, "env-reader").environment()
                .equals(Map.of("GREETING", "hola")));
        assertTrue(text(robot, "#config-status").contains("next invocation"));

        tab(robot, "test-tab");
        robot.clickOn("#test-invoke");
        assertTrue(awaitResult(robot, "test-result-status").startsWith("Succeeded"));
        assertTrue(area(robot, "test-result-response").getText().contains("\"greeting\": \"hola\""));
    }

    @Test
    void deployInstallsPackageJsonsDependenciesWithNpmsOutputShownThenTestRequiresThem(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("with-deps", NODE));
        console.engine().functionCode().saveFiles(REGION, "with-deps", Map.of("index.mjs", ("import isNumber from"
                + " 'is-number';\nexport const handler = async () => ({ five: isNumber(5) });\n").getBytes(
                StandardCharsets.UTF_8), "package.json", "{\"dependencies\": {\"is-number\": \"7.0.0\"}}\n"
                .getBytes(StandardCharsets.UTF_8)));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "with-deps");
        CodeArea code = area(robot, "editor-index_mjs");
        waitUntil("the code is open", () -> code.getText().contains("isNumber"));

        FunctionsUi.deploy(robot, "with is-number");

        waitUntil("published", 120, () -> text(robot, "#code-deploy-result").equals("Published version 1."));
        @SuppressWarnings("unchecked")
        ListView<String> output = robot.lookup("#code-deploy-output").queryAs(ListView.class);
        assertTrue(output.isVisible(), "Deploy shows its output");
        assertTrue(output.getItems().stream().anyMatch(l -> l.startsWith("$ /usr/bin/npm install --omit=dev")),
                String.join("\n", output.getItems()));
        assertTrue(output.getItems().stream().anyMatch(l -> l.startsWith("added 1 package")),
                String.join("\n", output.getItems()));
        @SuppressWarnings("unchecked")
        TreeView<CodeEntry> files = robot.lookup("#code-files").queryAs(TreeView.class);
        waitUntil("node_modules is in the tree", () -> files.getRoot().getChildren().stream().anyMatch(item ->
                item.getValue().path().equals("node_modules")));
        assertFalse(files.getRoot().getChildren().stream().filter(item -> item.getValue().path().equals(
                "node_modules")).findFirst().orElseThrow().isExpanded(), "shown collapsed");

        robot.clickOn("#code-test");
        assertTrue(awaitResult(robot, "code-result-status").startsWith("Succeeded"));
        waitUntil("the response shows", () -> area(robot, "code-result-response").getText().contains("\"five\": true"));
    }

    @Test
    void deploysAVersionShowsItsCodeReadOnlyAndInvokesIt(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("versioned", PYTHON));
        console.engine().functions().saveTestEvent(REGION, "versioned", new TestEvent("one", "{\"n\": 1}"));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "versioned");
        CodeArea code = area(robot, "editor-lambda_function_py");
        waitUntil("the code is open", () -> code.getText().contains("return event"));
        robot.clickOn(code).push(KeyCode.CONTROL, KeyCode.A).write("def lambda_handler(event, context):\n"
                + "return {\"version\": context.function_version, \"n\": event[\"n\"]}");
        FunctionsUi.deploy(robot, "first release");
        waitUntil("saved and published", () -> console.engine().functions().versions(REGION, "versioned").size() == 1);
        assertTrue(text(robot, "#code-status").contains("version 1"), text(robot, "#code-status"));
        assertFalse(robot.lookup("#code-editors").queryAs(TabPane.class).getTabs().get(0).getText().contains("\u25CF"),
                "deploy saved the file");

        tab(robot, "versions-tab");
        waitUntil("version 1 is listed", () -> robot.lookup("first release").tryQuery().isPresent());
        FunctionsUi.clickText(robot, "first release");
        robot.clickOn("#versions-view-code");
        waitUntil("the version's code shows", () -> robot.lookup("#editor-lambda_function_py").queryAll().size() == 2);
        CodeArea frozen = robot.lookup("#editor-lambda_function_py").queryAll().stream()
                .filter(n -> n.getScene() != robot.lookup("#function-tabs").query().getScene())
                .map(n -> (CodeArea) n.lookup(".code-editor-area")).findFirst().orElseThrow();
        waitUntil("it reads the published code", () -> frozen.getText().contains("function_version"));
        assertFalse(frozen.isEditable(), "a version is read-only");
        robot.clickOn("Close");

        robot.clickOn("#versions-invoke");
        String status = awaitResult(robot, "versions-result-status");
        assertTrue(status.startsWith("Succeeded: Version 1"), status);
        assertTrue(area(robot, "versions-result-response").getText().contains("\"version\": \"1\""));
    }

    @Test
    void aFunctionErrorIsClearlyMarkedAndALongInvocationShowsElapsedTime(FxRobot robot) {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("slow", PYTHON).withTimeout(30));
        console.engine().functionCode().writeFile(REGION, "slow", "lambda_function.py", ("import time\n\n"
                + "def lambda_handler(event, context):\n    time.sleep(event.get(\"sleep\", 0))\n"
                + "    if event.get(\"fail\"):\n        raise KeyError(\"no such order\")\n    return \"done\"\n")
                .getBytes(StandardCharsets.UTF_8));
        console.engine().functions().saveTestEvent(REGION, "slow", new TestEvent("fails", "{\"fail\": true}"));
        console.engine().functions().saveTestEvent(REGION, "slow", new TestEvent("sleeps", "{\"sleep\": 4}"));
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "slow");
        tab(robot, "test-tab");
        waitUntil("the first saved event is shown", () -> visibleOrFail(robot, "#test-event-name",
                javafx.scene.control.TextField.class).getText().equals("fails"));

        robot.clickOn("#test-invoke");
        String status = awaitResult(robot, "test-result-status");
        assertTrue(status.startsWith("Failed (Unhandled error): KeyError in Test event fails"), status);
        assertTrue(visibleOrFail(robot, "#test-result-status", Label.class).getStyleClass().contains("result-failed"));
        assertEquals("KeyError", text(robot, ".result-error-type"));
        assertEquals("'no such order'", text(robot, ".result-error-message"));
        assertTrue(robot.lookup((javafx.scene.Node n) -> n instanceof TextArea t && FunctionsUi.shown(n)
                && t.getText().contains("lambda_handler")).tryQuery().isPresent(), "the stack trace is shown");

        FunctionsUi.clickText(robot, "sleeps");
        robot.clickOn("#test-invoke");
        waitUntil("it says it runs", () -> text(robot, "#test-result-status").startsWith(
                "Running Test event sleeps on $LATEST... "));
        String early = text(robot, "#test-result-status");
        tab(robot, "configuration-tab"); // the console stays usable meanwhile
        robot.clickOn("#config-description").write("still responsive");
        tab(robot, "test-tab");
        waitUntil("the elapsed time moves on", () -> !text(robot, "#test-result-status").equals(early)
                && text(robot, "#test-result-status").startsWith("Running"));
        assertTrue(awaitResult(robot, "test-result-status").startsWith("Succeeded: Test event sleeps"));
    }
}
