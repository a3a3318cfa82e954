package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionEvents;
import dev.nube.engine.functions.MetricPoint;
import dev.nube.ui.common.Errors;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Monitor tab: the function's metrics over a chosen range (invocations, errors, throttles, duration p50 and
 * max), refreshed when an invocation of the function ends and on a clock while the tab is showing ("live while
 * open"). A refresh asked for while one runs makes one more afterwards, never a pile. FX thread only.
 */
final class MonitorViewModel {
    /** The ranges offered, each with the period one point covers. */
    enum Range {
        HOUR("1 hour", Duration.ofHours(1), Duration.ofMinutes(1)),
        THREE_HOURS("3 hours", Duration.ofHours(3), Duration.ofMinutes(5)),
        TWELVE_HOURS("12 hours", Duration.ofHours(12), Duration.ofMinutes(15)),
        DAY("1 day", Duration.ofDays(1), Duration.ofMinutes(30)),
        WEEK("1 week", Duration.ofDays(7), Duration.ofHours(3));

        private final String title;
        private final Duration span;
        private final Duration period;

        Range(String title, Duration span, Duration period) {
            this.title = title;
            this.span = span;
            this.period = period;
        }

        Duration period() {
            return period;
        }

        @Override
        public String toString() {
            return title;
        }
    }

    private final FunctionScope scope;
    private final ObjectProperty<Range> range = new SimpleObjectProperty<>(Range.HOUR);
    private final ObservableList<MetricPoint> points = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private boolean active;
    private boolean loading;
    private boolean again;

    MonitorViewModel(FunctionScope scope) {
        this.scope = scope;
        range.addListener((obs, old, value) -> refresh());
        scope.on(FunctionEvents.InvocationFinished.class, finished -> {
            if (scope.is(finished.region(), finished.functionName())) {
                refresh();
            }
        });
    }

    /** The view says whether the tab shows; refreshes run only then, and at once when it starts showing. */
    void setActive(boolean showing) {
        active = showing;
        if (showing) {
            refresh();
        }
    }

    void refresh() {
        if (!active) {
            return;
        }
        if (loading) {
            again = true;
            return;
        }
        loading = true;
        Range wanted = range.get();
        Instant to = Instant.now();
        Instant from = to.minus(wanted.span);
        scope.tasks().submit(() -> scope.monitor().metrics(scope.region(), scope.name(), from, to, wanted.period),
                loaded -> {
                    finished();
                    if (wanted == range.get()) {
                        points.setAll(loaded);
                        failure.set("");
                    }
                }, error -> {
                    finished();
                    failure.set(Errors.message(error));
                });
    }

    private void finished() {
        loading = false;
        if (again) {
            again = false;
            refresh();
        }
    }

    ObjectProperty<Range> rangeProperty() {
        return range;
    }

    /** One point per period of the range, oldest first. */
    ObservableList<MetricPoint> points() {
        return points;
    }

    ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    /** Totals over the range: invocations, errors, throttles. */
    long[] totals() {
        long[] sum = new long[3];
        for (MetricPoint p : points) {
            sum[0] += p.invocations();
            sum[1] += p.errors();
            sum[2] += p.throttles();
        }
        return sum;
    }

    /** The longest duration over the range, in ms. */
    double maxDuration() {
        return points.stream().mapToDouble(MetricPoint::durationMaxMs).max().orElse(0);
    }

    static List<Range> ranges() {
        return List.of(Range.values());
    }
}
