package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionError;
import dev.nube.engine.functions.InvocationResult;
import dev.nube.ui.functions.editor.CodeEditor;
import dev.nube.ui.functions.editor.Language;
import java.util.Locale;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Shows an invocation as the Lambda console's execution results do: the status (with the elapsed time while it
 * runs), the REPORT figures (duration, billed duration, memory used of the size, init duration on a cold start,
 * request id), the function's error clearly marked (type, message, stack trace), the response pretty-printed and the
 * log output. Node ids start with the given prefix, so several can live in one window. FX thread only.
 */
public final class InvocationResultView extends VBox {
    private final InvocationViewModel invocation;
    private final Label status = new Label();
    private final ProgressIndicator spinner = new ProgressIndicator();
    private final FlowPane report = new FlowPane(18, 4);
    private final VBox error = new VBox(4);
    private final CodeEditor response = new CodeEditor();
    private final TextArea log = new TextArea();
    private final VBox details;
    private final Timeline clock = new Timeline(new KeyFrame(Duration.millis(100), e -> showRunning()));

    private final String placeholder;

    /** @param placeholder what the view says before anything ran */
    public InvocationResultView(InvocationViewModel invocation, String idPrefix, String placeholder) {
        this.invocation = invocation;
        this.placeholder = placeholder;
        getStyleClass().add("invocation-result");
        setSpacing(8);
        status.setId(idPrefix + "-status");
        status.getStyleClass().add("result-status");
        status.setWrapText(true);
        spinner.setPrefSize(16, 16);
        spinner.setMaxSize(16, 16);
        HBox head = new HBox(8, spinner, status);
        head.setAlignment(Pos.CENTER_LEFT);
        report.setId(idPrefix + "-report");
        report.getStyleClass().add("result-report");
        error.setId(idPrefix + "-error");
        error.getStyleClass().add("result-error");
        response.setId(idPrefix + "-response");
        response.setLanguage(Language.JSON);
        response.setEditable(false);
        response.setPrefHeight(140);
        response.setMinHeight(0);
        log.setId(idPrefix + "-log");
        log.setEditable(false);
        log.getStyleClass().add("log-output");
        log.setPrefRowCount(7);
        log.setWrapText(true);
        log.setMinHeight(0);
        VBox.setVgrow(response, Priority.ALWAYS);
        VBox.setVgrow(log, Priority.ALWAYS);
        VBox responseBox = new VBox(4, section("Response"), response);
        VBox logBox = new VBox(4, section("Log output"), log);
        responseBox.setMinHeight(0);
        logBox.setMinHeight(0);
        SplitPane outputs = new SplitPane(responseBox, logBox);
        outputs.setDividerPositions(0.45);
        outputs.getStyleClass().add("result-outputs");
        outputs.setMinHeight(0);
        VBox.setVgrow(outputs, Priority.ALWAYS);
        details = new VBox(6, report, error, outputs);
        details.setMinHeight(0);
        VBox.setVgrow(details, Priority.ALWAYS);
        setMinHeight(0);
        getChildren().addAll(head, details);
        clock.setCycleCount(Animation.INDEFINITE);

        invocation.runningProperty().addListener((obs, old, running) -> update());
        invocation.resultProperty().addListener((obs, old, result) -> update());
        invocation.failureProperty().addListener((obs, old, failure) -> update());
        update();
    }

    private static Label section(String title) {
        Label label = new Label(title);
        label.getStyleClass().add("result-section");
        return label;
    }

    private void update() {
        boolean running = invocation.runningProperty().get();
        InvocationResult result = invocation.resultProperty().get();
        String failure = invocation.failureProperty().get();
        spinner.setVisible(running);
        spinner.setManaged(running);
        status.getStyleClass().removeAll("result-ok", "result-failed");
        details.setVisible(result != null && !running);
        details.setManaged(details.isVisible());
        if (running) {
            clock.play();
            showRunning();
            return;
        }
        clock.stop();
        if (!failure.isEmpty()) {
            status.setGraphic(new FontIcon(Feather.X_CIRCLE));
            status.setText(invocation.subjectProperty().get() + ": " + failure);
            status.getStyleClass().add("result-failed");
        } else if (result == null) {
            status.setGraphic(null);
            status.setText(placeholder);
        } else {
            show(result);
        }
    }

    private void showRunning() {
        double seconds = (System.nanoTime() - invocation.startedAtNanosProperty().get()) / 1e9;
        status.setGraphic(null);
        status.setText(String.format(Locale.ROOT, "Running %s... %.1f s", invocation.subjectProperty().get(),
                seconds));
    }

    private void show(InvocationResult result) {
        FunctionError failed = result.error();
        status.setGraphic(new FontIcon(failed == null ? Feather.CHECK_CIRCLE : Feather.ALERT_OCTAGON));
        status.setText((failed == null ? "Succeeded: " + invocation.subjectProperty().get()
                : "Failed (" + failed.kind() + " error): " + failed.type() + " in "
                + invocation.subjectProperty().get()) + "  \u00B7  request " + result.requestId());
        status.getStyleClass().add(failed == null ? "result-ok" : "result-failed");

        report.getChildren().setAll(
                figure("Duration", String.format(Locale.ROOT, "%.2f ms", result.durationMs())),
                figure("Billed duration", result.billedDurationMs() + " ms"),
                figure("Memory used", result.maxMemoryUsedMb() + " of " + result.memorySizeMb() + " MB"),
                figure("Init duration", result.coldStart() ? String.format(Locale.ROOT, "%.2f ms (cold start)",
                        result.initDurationMs()) : "none (warm start)"),
                figure("Version", result.executedVersion() == null ? "" : result.executedVersion()));

        error.getChildren().clear();
        error.setVisible(failed != null);
        error.setManaged(failed != null);
        if (failed != null) {
            Label type = new Label(failed.type(), new FontIcon(Feather.ALERT_OCTAGON));
            type.getStyleClass().add("result-error-type");
            Label message = new Label(failed.message());
            message.getStyleClass().add("result-error-message");
            message.setWrapText(true);
            error.getChildren().addAll(type, message);
            if (!failed.stackTrace().isEmpty()) {
                TextArea trace = new TextArea(String.join("\n", failed.stackTrace()));
                trace.setEditable(false);
                trace.getStyleClass().add("log-output");
                trace.setPrefRowCount(Math.min(8, failed.stackTrace().size() + 1));
                error.getChildren().add(trace);
            }
        }
        response.load(JsonText.pretty(result.payload()));
        log.setText(result.logTail());
        log.positionCaret(log.getLength());
    }

    private static Node figure(String name, String value) {
        Label label = new Label(name);
        label.getStyleClass().add("text-muted");
        Label text = new Label(value);
        text.getStyleClass().add("result-figure");
        return new VBox(1, label, text);
    }
}
