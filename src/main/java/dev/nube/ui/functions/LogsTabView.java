package dev.nube.ui.functions;

import dev.nube.engine.functions.LogEvent;
import dev.nube.engine.functions.LogStream;
import dev.nube.ui.common.Tables;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.animation.PauseTransition;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Logs tab: the log streams (one per execution environment, the most recent first, or all of them), the events
 * newest first with the START, END and REPORT lines marked, a search (as typed, after a short pause) and Follow,
 * which adds new lines at the top as the function writes them. FX thread only.
 */
final class LogsTabView extends BorderPane {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final LogStream ALL = new LogStream("All streams", null, null, 0);

    LogsTabView(LogsViewModel model) {
        getStyleClass().add("logs-tab");
        ObservableList<LogStream> choices = FXCollections.observableArrayList(ALL);
        ListView<LogStream> streams = new ListView<>(choices);
        model.streams().addListener((ListChangeListener<LogStream>) c -> {
            choices.setAll(ALL);
            choices.addAll(model.streams());
            LogStream chosen = model.streamProperty().get();
            streams.getSelectionModel().select(chosen == null ? ALL : chosen);
        });
        streams.setId("logs-streams");
        streams.setCellFactory(list -> new StreamCell());
        streams.getSelectionModel().select(ALL);
        streams.getSelectionModel().selectedItemProperty().addListener((obs, old, stream) -> {
            if (stream != null) {
                model.streamProperty().set(stream == ALL ? null : stream);
            }
        });
        model.streamProperty().addListener((obs, old, stream) -> {
            LogStream shown = stream == null ? ALL : stream;
            if (streams.getSelectionModel().getSelectedItem() != shown) {
                streams.getSelectionModel().select(shown);
            }
        });
        Label streamsTitle = new Label("Log streams");
        streamsTitle.getStyleClass().add("text-bold");
        VBox left = new VBox(8, streamsTitle, streams);
        VBox.setVgrow(streams, Priority.ALWAYS);
        left.setPrefWidth(300);
        left.getStyleClass().add("logs-streams-pane");

        TextField search = new TextField();
        search.setId("logs-search");
        search.setPromptText("Search the log (e.g. ERROR, a request id)");
        search.setPrefColumnCount(26);
        search.textProperty().bindBidirectional(model.searchProperty());
        PauseTransition typing = new PauseTransition(Duration.millis(300));
        typing.setOnFinished(e -> model.reloadEvents());
        search.textProperty().addListener((obs, old, text) -> typing.playFromStart());
        ToggleButton follow = new ToggleButton("Follow", new FontIcon(Feather.RADIO));
        follow.setId("logs-follow");
        follow.selectedProperty().bindBidirectional(model.followProperty());
        Button refresh = new Button("Refresh", new FontIcon(Feather.REFRESH_CW));
        refresh.setId("logs-refresh");
        refresh.setOnAction(e -> model.refresh());
        Label count = new Label();
        count.setId("logs-count");
        count.getStyleClass().add("text-muted");
        count.textProperty().bind(Bindings.createStringBinding(() -> (model.events().size() >= LogsViewModel.LIMIT
                ? "the last " : "") + model.events().size() + " events, newest first", model.events()));
        follow.setMinWidth(Region.USE_PREF_SIZE);
        refresh.setMinWidth(Region.USE_PREF_SIZE);
        count.setMinWidth(Region.USE_PREF_SIZE);
        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8, search, follow, refresh, spacer, failure, count);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("logs-toolbar");

        TableView<LogEvent> events = new TableView<>(model.events());
        events.setId("logs-events");
        events.setPlaceholder(new Label("No log events. Invoke the function, or change the search."));
        events.getColumns().add(Tables.column("Time", 215, e -> TIME.format(e.timestamp())));
        events.getColumns().add(Tables.column("Message", 700, e -> e.message().replace("\t", "   ")));
        events.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        events.getStyleClass().add("log-table");
        events.setRowFactory(t -> new EventRow());

        TextArea detail = new TextArea();
        detail.setId("logs-detail");
        detail.setEditable(false);
        detail.setWrapText(true);
        detail.setPrefRowCount(3);
        detail.getStyleClass().add("log-detail");
        detail.setPromptText("Select a line to read it whole.");
        events.getSelectionModel().selectedItemProperty().addListener((obs, old, event) -> detail.setText(
                event == null ? "" : TIME.format(event.timestamp()) + "  " + event.stream() + "\n" + event.message()));
        BorderPane right = new BorderPane(events);
        right.setTop(bar);
        right.setBottom(detail);
        BorderPane.setMargin(detail, new javafx.geometry.Insets(6, 0, 0, 0));
        setLeft(left);
        setCenter(right);
    }

    private static final class StreamCell extends ListCell<LogStream> {
        @Override
        protected void updateItem(LogStream stream, boolean empty) {
            super.updateItem(stream, empty);
            if (empty || stream == null) {
                setText(null);
            } else if (stream == ALL) {
                setText("All streams");
            } else {
                setText(stream.name() + "\nlast event " + TIME.format(stream.lastEventAt()));
            }
        }
    }

    /** Marks the lines Lambda writes (START, END, REPORT) apart from the function's own. */
    private static final class EventRow extends TableRow<LogEvent> {
        @Override
        protected void updateItem(LogEvent event, boolean empty) {
            super.updateItem(event, empty);
            getStyleClass().removeAll("log-platform", "log-report");
            if (!empty && event != null) {
                String message = event.message();
                if (message.startsWith("REPORT ")) {
                    getStyleClass().add("log-report");
                } else if (message.startsWith("START ") || message.startsWith("END ")) {
                    getStyleClass().add("log-platform");
                }
            }
        }
    }
}
