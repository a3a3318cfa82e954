package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionEvents;
import dev.nube.engine.functions.LogEvent;
import dev.nube.engine.functions.LogQuery;
import dev.nube.engine.functions.LogStream;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Logs tab: the function's log streams (the most recent first), the events of one stream or of all, newest
 * first, filtered by a search text, and live follow (new lines appear at the top as the engine writes them).
 * Engine calls run on the task executor. FX thread only.
 */
final class LogsViewModel {
    /** How many events the tab holds; older ones are left to the search. */
    static final int LIMIT = 2000;

    private final FunctionScope scope;
    private final ObservableList<LogStream> streams = FXCollections.observableArrayList();
    private final ObjectProperty<LogStream> stream = new SimpleObjectProperty<>();
    private final StringProperty search = new SimpleStringProperty("");
    private final BooleanProperty follow = new SimpleBooleanProperty(true);
    private final ObservableList<LogEvent> events = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private long generation;

    LogsViewModel(FunctionScope scope) {
        this.scope = scope;
        // A stream's record changes with every new event (its size and last time): read again only for another one.
        stream.addListener((obs, old, value) -> {
            if (!java.util.Objects.equals(old == null ? null : old.name(), value == null ? null : value.name())) {
                reloadEvents();
            }
        });
        scope.on(FunctionEvents.LogAppended.class, appended -> {
            if (scope.is(appended.region(), appended.functionName())) {
                appended(appended.events());
            }
        });
    }

    /** Re-reads the streams and the events. */
    void refresh() {
        refreshStreams();
        reloadEvents();
    }

    /** Re-reads the events matching the stream and search; answers to older requests are dropped. */
    void reloadEvents() {
        long mine = ++generation;
        LogQuery query = LogQuery.last(LIMIT).inStream(stream.get() == null ? null : stream.get().name())
                .containing(search.get().isBlank() ? null : search.get().strip());
        scope.tasks().submit(() -> scope.monitor().logEvents(scope.region(), scope.name(), query), found -> {
            if (mine == generation) {
                List<LogEvent> newestFirst = new ArrayList<>(found);
                Collections.reverse(newestFirst);
                events.setAll(newestFirst);
                failure.set("");
            }
        }, this::fail);
    }

    private void appended(List<LogEvent> lines) {
        if (!follow.get()) {
            return;
        }
        String needle = search.get().strip().toLowerCase(Locale.ROOT);
        List<LogEvent> shown = new ArrayList<>();
        for (LogEvent line : lines) {
            boolean inStream = stream.get() == null || stream.get().name().equals(line.stream());
            if (inStream && (needle.isEmpty() || line.message().toLowerCase(Locale.ROOT).contains(needle))) {
                shown.add(0, line);
            }
        }
        events.addAll(0, shown);
        if (events.size() > LIMIT) {
            events.remove(LIMIT, events.size());
        }
        if (lines.stream().anyMatch(l -> streams.stream().noneMatch(s -> s.name().equals(l.stream())))) {
            refreshStreams();
        }
    }

    /** Re-reads the streams, keeping the chosen one chosen. */
    private void refreshStreams() {
        scope.tasks().submit(() -> scope.monitor().logStreams(scope.region(), scope.name()), found -> {
            LogStream chosen = stream.get();
            streams.setAll(found);
            if (chosen != null) {
                stream.set(found.stream().filter(s -> s.name().equals(chosen.name())).findFirst().orElse(null));
            }
        }, this::fail);
    }

    private void fail(Throwable error) {
        failure.set(Errors.message(error));
    }

    ObservableList<LogStream> streams() {
        return streams;
    }

    /** The stream shown, or null for all of them. */
    ObjectProperty<LogStream> streamProperty() {
        return stream;
    }

    StringProperty searchProperty() {
        return search;
    }

    BooleanProperty followProperty() {
        return follow;
    }

    /** Newest first. */
    ObservableList<LogEvent> events() {
        return events;
    }

    ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
