package dev.nube.ui.functions;

import dev.nube.engine.functions.MetricPoint;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.RowConstraints;
import javafx.util.Duration;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The Monitor tab: charts of invocations, duration (p50 and max), errors and throttles over the chosen range, with
 * the totals above them. Live while showing: redrawn when an invocation ends and every 30 seconds (so the time axis
 * moves on). FX thread only.
 */
final class MonitorTabView extends BorderPane {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("EEE HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final MonitorViewModel model;
    private final Label summary = new Label();
    private final List<Chart> charts;

    /** A chart and how each of its series reads a point. */
    private record Chart(LineChart<Number, Number> chart, NumberAxis time, NumberAxis y,
                         List<ToDoubleFunction<MetricPoint>> values, boolean counts) {
    }

    MonitorTabView(MonitorViewModel model) {
        this.model = model;
        getStyleClass().add("monitor-tab");
        ComboBox<MonitorViewModel.Range> range = new ComboBox<>();
        range.setId("monitor-range");
        range.getItems().setAll(MonitorViewModel.ranges());
        range.valueProperty().bindBidirectional(model.rangeProperty());
        Button refresh = new Button(null, new FontIcon(Feather.REFRESH_CW));
        refresh.getStyleClass().add("button-icon");
        refresh.setOnAction(e -> model.refresh());
        summary.setId("monitor-summary");
        summary.getStyleClass().add("monitor-summary");
        Label live = new Label("Live: updates as invocations finish", new FontIcon(Feather.ACTIVITY));
        live.getStyleClass().add("text-muted");
        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(model.failureProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(10, new Label("Range"), range, refresh, summary, spacer, failure, live);
        top.setAlignment(Pos.CENTER_LEFT);
        top.getStyleClass().add("monitor-toolbar");

        charts = List.of(
                chart("monitor-invocations", "Invocations", "count", List.of("Invocations"),
                        List.of(p -> p.invocations())),
                chart("monitor-duration", "Duration", "ms", List.of("p50", "Max"),
                        List.of(MetricPoint::durationP50Ms, MetricPoint::durationMaxMs)),
                chart("monitor-errors", "Errors", "count", List.of("Errors"), List.of(p -> p.errors())),
                chart("monitor-throttles", "Throttles", "count", List.of("Throttles"), List.of(p -> p.throttles())));
        GridPane grid = new GridPane();
        grid.getStyleClass().add("monitor-grid");
        for (int i = 0; i < charts.size(); i++) {
            grid.add(charts.get(i).chart(), i % 2, i / 2);
        }
        for (int i = 0; i < 2; i++) {
            ColumnConstraints column = new ColumnConstraints();
            column.setPercentWidth(50);
            grid.getColumnConstraints().add(column);
            RowConstraints row = new RowConstraints();
            row.setPercentHeight(50);
            grid.getRowConstraints().add(row);
        }
        setTop(top);
        setCenter(grid);

        model.points().addListener((ListChangeListener<MetricPoint>) change -> redraw());
        Timeline clock = new Timeline(new KeyFrame(Duration.seconds(30), e -> model.refresh()));
        clock.setCycleCount(Animation.INDEFINITE);
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene == null) {
                clock.stop();
            } else {
                clock.play();
            }
        });
        redraw();
    }

    private Chart chart(String id, String title, String unit, List<String> names,
                        List<ToDoubleFunction<MetricPoint>> values) {
        NumberAxis time = new NumberAxis();
        time.setAutoRanging(false);
        time.setMinorTickVisible(false);
        NumberAxis y = new NumberAxis();
        y.setLabel(unit);
        y.setForceZeroInRange(true);
        LineChart<Number, Number> chart = new LineChart<>(time, y);
        chart.setId(id);
        chart.setTitle(title);
        chart.setAnimated(false);
        chart.setCreateSymbols(false);
        chart.setLegendVisible(names.size() > 1);
        chart.getStyleClass().add("monitor-chart");
        for (String name : names) {
            XYChart.Series<Number, Number> series = new XYChart.Series<>();
            series.setName(name);
            chart.getData().add(series);
        }
        boolean counts = unit.equals("count");
        if (counts) { // whole numbers only: half an invocation means nothing
            y.setTickLabelFormatter(new StringConverter<>() {
                @Override
                public String toString(Number value) {
                    double v = value.doubleValue();
                    return v == Math.rint(v) ? Long.toString((long) v) : "";
                }

                @Override
                public Number fromString(String text) {
                    return 0;
                }
            });
        }
        return new Chart(chart, time, y, values, counts);
    }

    private void redraw() {
        List<MetricPoint> points = model.points();
        long[] totals = model.totals();
        summary.setText(String.format(Locale.ROOT, "Invocations %d  \u00B7  Errors %d (%s)  \u00B7  Throttles %d  \u00B7"
                + "  Max duration %.1f ms", totals[0], totals[1], totals[0] == 0 ? "0%"
                : String.format(Locale.ROOT, "%.1f%%", 100.0 * totals[1] / totals[0]), totals[2],
                model.maxDuration()));
        if (points.isEmpty()) {
            return;
        }
        long from = points.get(0).start().getEpochSecond();
        long to = points.get(points.size() - 1).start().getEpochSecond() + model.rangeProperty().get().period()
                .toSeconds();
        boolean days = to - from > 86_400;
        for (Chart chart : charts) {
            chart.time().setLowerBound(from);
            chart.time().setUpperBound(to);
            chart.time().setTickUnit(Math.max(60, (to - from) / 6.0));
            chart.time().setTickLabelFormatter(new StringConverter<>() {
                @Override
                public String toString(Number seconds) {
                    Instant at = Instant.ofEpochSecond(seconds.longValue());
                    return days ? DAY_CLOCK.format(at) : CLOCK.format(at);
                }

                @Override
                public Number fromString(String text) {
                    return 0;
                }
            });
            double max = 0;
            for (int s = 0; s < chart.values().size(); s++) {
                ToDoubleFunction<MetricPoint> value = chart.values().get(s);
                max = Math.max(max, points.stream().mapToDouble(value).max().orElse(0));
                chart.chart().getData().get(s).getData().setAll(points.stream().map(p -> new XYChart.Data<Number,
                        Number>(p.start().getEpochSecond(), value.applyAsDouble(p))).toList());
            }
            // An axis over nothing but zeros collapses; show 0 to 1 (or 0 to 1 ms) instead.
            chart.y().setAutoRanging(max > 0);
            if (max == 0) {
                chart.y().setLowerBound(0);
                chart.y().setUpperBound(1);
                chart.y().setTickUnit(chart.counts() ? 1 : 0.25);
            }
        }
    }
}
