package dev.nube.ui.functions;

import dev.nube.ui.ConsoleUiTest;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static dev.nube.ui.ConsoleFixture.waitUntil;
import static dev.nube.ui.functions.FunctionsUi.REGION;
import static dev.nube.ui.functions.FunctionsUi.tab;
import static dev.nube.ui.functions.FunctionsUi.text;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.engine.functions.LogEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javafx.scene.chart.LineChart;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.Start;

/** The Monitor and Logs tabs follow invocations live, with real sandboxed runs. */
@Tag("ui")
@Tag("sandbox")
class FunctionMonitorUiTest extends ConsoleUiTest {
    private static final String FLAKY = "def lambda_handler(event, context):\n    print(\"working on \" + event[\"who\"])\n"
            + "    if event.get(\"fail\"):\n        raise ValueError(\"asked to fail\")\n    return event[\"who\"]\n";

    @Start
    void start(Stage stage) throws Exception {
        open(stage);
    }

    @BeforeEach
    void prepare() {
        console.engine().functions().create(REGION, CreateFunctionRequest.of("watched", PYTHON));
        console.engine().functionCode().writeFile(REGION, "watched", "lambda_function.py",
                FLAKY.getBytes(StandardCharsets.UTF_8));
    }

    private void invoke(String json) {
        console.engine().functions().invoke(REGION, "watched", InvokeRequest.of(json)); // off the FX thread
    }

    private static double total(LineChart<?, ?> chart) {
        return chart.getData().get(0).getData().stream().mapToDouble(d -> ((Number) d.getYValue()).doubleValue())
                .sum();
    }

    @Test
    void monitorChartsAreLiveWhileOpen(FxRobot robot) {
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "watched");
        tab(robot, "monitor-tab");
        LineChart<?, ?> invocations = robot.lookup("#monitor-invocations").queryAs(LineChart.class);
        LineChart<?, ?> errors = robot.lookup("#monitor-errors").queryAs(LineChart.class);
        LineChart<?, ?> duration = robot.lookup("#monitor-duration").queryAs(LineChart.class);
        waitUntil("the empty hour is drawn", 30, () -> invocations.getData().get(0).getData().size() >= 60);
        assertTrue(text(robot, "#monitor-summary").startsWith("Invocations 0"));

        invoke("{\"who\": \"a\"}");
        invoke("{\"who\": \"b\"}");
        invoke("{\"who\": \"c\", \"fail\": true}");
        waitUntil("the charts follow the invocations", 60, () -> total(invocations) == 3 && total(errors) == 1);
        waitUntil("the summary too", 30, () -> text(robot, "#monitor-summary").startsWith("Invocations 3  \u00B7  Errors 1"
                + " (33.3%)  \u00B7  Throttles 0"));
        assertTrue(total(duration) > 0, "durations are drawn");
    }

    @Test
    @SuppressWarnings("unchecked")
    void logsAreNewestFirstSearchableAndFollowed(FxRobot robot) {
        invoke("{\"who\": \"first\"}");
        FunctionsUi.openFunctionsPage(robot);
        FunctionsUi.openFunction(robot, "watched");
        tab(robot, "logs-tab");
        TableView<LogEvent> events = robot.lookup("#logs-events").queryAs(TableView.class);
        waitUntil("the first call's lines", 30, () -> events.getItems().size() == 4);
        assertTrue(events.getItems().get(0).message().startsWith("REPORT RequestId: "), "newest first");
        assertTrue(events.getItems().get(3).message().startsWith("START RequestId: "));

        invoke("{\"who\": \"second\"}");
        waitUntil("Follow adds the new lines at the top", 60, () -> events.getItems().size() == 8
                && events.getItems().get(0).message().startsWith("REPORT ")
                && events.getItems().stream().anyMatch(e -> e.message().equals("working on second")));

        robot.clickOn("#logs-search").write("working on");
        waitUntil("the search keeps the matching lines", 30, () -> events.getItems().stream().map(LogEvent::message)
                .toList().equals(List.of("working on second", "working on first")));
        invoke("{\"who\": \"third\", \"fail\": true}");
        waitUntil("followed lines are searched too", 60, () -> events.getItems().size() == 3
                && events.getItems().get(0).message().equals("working on third"));

        robot.clickOn(robot.lookup("#logs-search").queryAs(TextField.class)).eraseText(10).write("ValueError");
        waitUntil("the error's lines are found", 30, () -> !events.getItems().isEmpty() && events.getItems().stream()
                .allMatch(e -> e.message().contains("ValueError")));
        robot.clickOn("#logs-follow");
        invoke("{\"who\": \"fourth\", \"fail\": true}");
        robot.clickOn("#logs-refresh");
        waitUntil("with Follow off, Refresh reads them", 60, () -> events.getItems().size() >= 2
                && events.getItems().stream().allMatch(e -> e.message().contains("ValueError")));
    }
}
