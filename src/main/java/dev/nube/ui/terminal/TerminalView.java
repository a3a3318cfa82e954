package dev.nube.ui.terminal;

import com.techsenger.jeditermfx.ui.JediTermFxWidget;
import com.techsenger.jeditermfx.ui.settings.DefaultSettingsProvider;
import dev.nube.engine.compute.terminal.TerminalChannel;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.TaskExecutor;
import java.util.concurrent.Callable;
import javafx.application.Platform;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * An interactive terminal on an instance (SSH shell or serial console): the terminal widget (scrollback, copy and
 * paste, resize following the window), a bar saying whether it is connected, and when the connection ends a message
 * saying why with Reconnect. Opening a channel runs on the task executor; FX thread only otherwise.
 */
public final class TerminalView extends BorderPane {
    private final String title;
    private final Callable<TerminalChannel> opener;
    private final TaskExecutor tasks;
    private final Label status = new Label();
    private final StackPane body = new StackPane();
    private final Button reconnect = new Button("Reconnect", new FontIcon(Feather.REFRESH_CW));
    private JediTermFxWidget widget;
    private TerminalChannel channel;
    private boolean closed;

    /**
     * @param copyCommand the equivalent command for any terminal ("Copy SSH command"), or null to offer none
     */
    public TerminalView(String title, Callable<TerminalChannel> opener, TaskExecutor tasks, String copyCommand) {
        this.title = title;
        this.opener = opener;
        this.tasks = tasks;
        getStyleClass().add("terminal-view");
        status.setId("terminal-status");
        reconnect.setId("terminal-reconnect");
        reconnect.setOnAction(e -> connect());
        reconnect.setMinWidth(Button.USE_PREF_SIZE);
        status.setMinWidth(0);
        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, status, spacer, reconnect);
        if (copyCommand != null) {
            Button copy = new Button("Copy SSH command", new FontIcon(Feather.COPY));
            copy.setId("copy-ssh-command");
            copy.setMinWidth(Button.USE_PREF_SIZE);
            copy.setOnAction(e -> {
                ClipboardContent content = new ClipboardContent();
                content.putString(copyCommand);
                Clipboard.getSystemClipboard().setContent(content);
                status.setText("Copied: " + copyCommand);
            });
            bar.getChildren().add(copy);
        }
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("terminal-bar");
        setTop(bar);
        body.getStyleClass().add("terminal-body");
        setCenter(body);
        // The keyboard goes to the terminal whenever its tab comes to the front (the tab's content region is made
        // visible then), not only when it is clicked.
        parentProperty().addListener((obs, old, parent) -> {
            if (parent != null) {
                parent.visibleProperty().addListener((o, was, visible) -> {
                    if (visible) {
                        Platform.runLater(this::focusInput);
                    }
                });
            }
        });
        connect();
    }

    /** Gives the keyboard to the terminal (or to Reconnect when it is not connected). */
    public void focusInput() {
        if (closed || getScene() == null) {
            return;
        }
        if (widget != null && body.getChildren().contains(widget.getPane())) {
            // The terminal's key handlers sit on its canvas; the widget's "preferred focusable node" is the pane
            // around it, which takes the focus but never sees a key.
            widget.getTerminalPanel().getCanvas().requestFocus();
        } else {
            reconnect.requestFocus();
        }
    }

    /** Opens a new connection (after a drop, or the first time). */
    public void connect() {
        if (closed) {
            return;
        }
        disconnectQuietly();
        reconnect.setDisable(true);
        status.setText("Connecting to " + title + "...");
        body.getChildren().setAll(message("Connecting to " + title + "..."));
        tasks.submit(opener, this::attach, failure -> ended("Could not connect: " + Errors.message(failure)));
    }

    private void attach(TerminalChannel opened) {
        if (closed) {
            opened.close();
            return;
        }
        channel = opened;
        widget = new JediTermFxWidget(100, 30, new DefaultSettingsProvider());
        widget.createTerminalSession(new ChannelTtyConnector(opened, title));
        widget.addListener(w -> Platform.runLater(() -> {
            if (channel == opened && !closed) {
                String reason = opened.endReason();
                ended("Disconnected: " + (reason.isEmpty() ? "the connection was closed" : reason) + ".");
            }
        }));
        body.getChildren().setAll(widget.getPane());
        widget.start();
        status.setText("Connected to " + title);
        Platform.runLater(this::focusInput);
    }

    /** Ends the session with a reason the person can read, e.g. because the instance stopped. */
    public void ended(String reason) {
        disconnectQuietly();
        status.setText(reason);
        reconnect.setDisable(false);
        Label text = message(reason);
        text.setId("terminal-ended");
        Button again = new Button("Reconnect", new FontIcon(Feather.REFRESH_CW));
        again.setOnAction(e -> connect());
        VBox box = new VBox(12, text, again);
        box.setAlignment(Pos.CENTER);
        body.getChildren().setAll(box);
    }

    private static Label message(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.setMaxWidth(560);
        label.getStyleClass().add("terminal-message");
        return label;
    }

    private void disconnectQuietly() {
        JediTermFxWidget oldWidget = widget;
        TerminalChannel oldChannel = channel;
        widget = null;
        channel = null;
        if (oldWidget != null) {
            oldWidget.close();
        }
        if (oldChannel != null) {
            tasks.submit(() -> {
                oldChannel.close();
                return null;
            }, ignored -> { }, failure -> { });
        }
    }

    /** The lines on the terminal's screen now (what a person sees), for tests and diagnostics. */
    public String screenText() {
        return widget == null ? "" : widget.getTerminalTextBuffer().getScreenLines();
    }

    public boolean isConnected() {
        return channel != null && channel.isOpen();
    }

    /** Types text into the terminal as if from the keyboard. */
    public void type(String text) {
        TerminalChannel current = channel;
        if (current != null) {
            tasks.submit(() -> {
                current.output().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                current.output().flush();
                return null;
            }, ignored -> { }, failure -> ended("Disconnected: " + Errors.message(failure)));
        }
    }

    /** Closes the terminal for good (its tab closed). */
    public void close() {
        closed = true;
        disconnectQuietly();
    }
}
