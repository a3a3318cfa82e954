package dev.nube.bench;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;

import dev.nube.NubeApp;
import dev.nube.engine.Engine;
import dev.nube.engine.functions.ConfigurationChange;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionService;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.FxTaskExecutor;
import dev.nube.ui.common.UiEvents;
import dev.nube.ui.shell.Page;
import dev.nube.ui.shell.ShellView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.skin.VirtualFlow;
import javafx.stage.Stage;

/**
 * A big table: the Functions page over a real engine holding N functions (10,000 by default), beside a bare
 * {@code TableView} of N rows with as many plain text columns, in the same JVM and window. For each it times, on the
 * FX thread, the work one step costs before the frame can be drawn (the step, then CSS and layout): scrolling by a
 * page, and typing into the filter. For the Functions page alone it also times the first load and an engine change
 * until the table shows it, with the longest the FX thread was busy meanwhile (a probe posted every 2 ms measures how
 * late it runs). Then bursts of engine events ({@link EventBursts}): invocations of four functions on the Functions
 * page, and state changes of twenty instances on the Instances page holding N instances, each as the FX thread's CPU
 * time per event beside the bare table's row replaced with {@code set(i, x)}. Headless (Monocle, software
 * rendering): drawing the frame itself is left out, and costs the same for both.
 */
final class TablesBenchmark implements Bench.Suite {
    private static final String REGION = "local-1";
    private static final int COLUMNS = 8;
    private static final int INVOCATIONS_EACH = 100;
    private static final int STATE_INSTANCES = 20;
    private static final int STATE_CHANGES = 25;
    private static final String[] TYPED = {"f", "fn", "fn-", "fn-0", "fn-04", "fn-042", "fn-0421", "fn-042", "fn-04",
        "fn-0", "fn-", "fn", "f", ""};

    @Override
    public String description() {
        return "the Functions table with 10,000 functions (scroll, filter, load, reload), bursts of invocations and of"
                + " instance state changes at 10,000 rows, vs a bare TableView";
    }

    @Override
    public void run(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("nube-bench-tables");
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("prism.text", "t2k");
        FxTaskExecutor tasks = new FxTaskExecutor();
        EventBursts.FxClock clock = new EventBursts.FxClock();
        try (Engine engine = Engine.open(dir.resolve("home"))) {
            FunctionService functions = engine.functions();
            long created = System.nanoTime();
            for (int i = 0; i < rows; i++) {
                functions.create(REGION, CreateFunctionRequest.of(String.format(Locale.ROOT, "fn-%05d", i),
                        PYTHON));
            }
            double createMs = (System.nanoTime() - created) / 1e6;
            double[] listings = new double[3];
            for (int i = 0; i < listings.length; i++) {
                long t0 = System.nanoTime();
                functions.list(REGION);
                listings[i] = (System.nanoTime() - t0) / 1e6;
            }
            double listingMs = new Stats(listings).median();
            System.out.printf("%d functions created in %.0f s (%.1f ms each); the engine lists them in %.0f ms%n",
                    rows, createMs / 1000, createMs / rows, listingMs);

            CompletableFuture<Void> started = new CompletableFuture<>();
            Platform.startup(() -> started.complete(null));
            started.get(30, TimeUnit.SECONDS);
            Stage stage = fx(() -> {
                Stage s = new Stage();
                ShellView console = NubeApp.console(engine, clock.timing(tasks), new UiEvents(engine.events(),
                        clock::event), new ConsoleSettingsStore(engine.consoleSettings()));
                Scene scene = new Scene(console, 1280, 800);
                clock.scene(scene);
                NubeApp.style(scene, console.model());
                s.setScene(scene);
                s.show();
                return s;
            });

            Stall load = Stall.start();
            long loadStart = System.nanoTime();
            fx(() -> {
                ((ShellView) stage.getScene().getRoot()).model().navigate(Page.FUNCTIONS);
                return null;
            });
            waitFor("the functions table to fill", () -> table(stage) != null && table(stage).getItems().size() == rows);
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            double loadStall = load.stop();

            TableView<?> nube = fx(() -> table(stage));
            Stats nubeScroll = scroll(nube, rows);
            TextField filter = fx(() -> (TextField) stage.getScene().lookup(".filter-field"));
            Stats nubeFilter = typing(nube, filter::setText);

            Stall reload = Stall.start();
            long reloadStart = System.nanoTime();
            functions.updateConfiguration(REGION, "fn-00000", ConfigurationChange.none().description("changed"));
            waitFor("the changed description in the table", () -> table(stage).getItems().stream().anyMatch(
                    s -> s.configuration().description().equals("changed")));
            double reloadMs = (System.nanoTime() - reloadStart) / 1e6;
            double reloadStall = reload.stop();

            EventBursts.Burst invocations = EventBursts.invocations(engine, REGION, clock, table(stage),
                    List.of("fn-00001", "fn-00002", "fn-00003", "fn-00004"), INVOCATIONS_EACH);

            Path regionRoot = engine.regions().get(REGION).root();
            EventBursts.writeInstances(regionRoot, rows);
            fx(() -> {
                ((ShellView) stage.getScene().getRoot()).model().navigate(Page.INSTANCES);
                return null;
            });
            waitFor("the instances table to fill", () -> instancesTable(stage) != null
                    && instancesTable(stage).getItems().size() == rows);
            EventBursts.Burst states = EventBursts.stateChanges(engine, REGION, regionRoot, clock,
                    fx(() -> instancesTable(stage)), STATE_INSTANCES, STATE_CHANGES);

            TableView<String[]> bare = fx(() -> {
                TableView<String[]> t = bareTable(rows);
                stage.getScene().setRoot(t);
                return t;
            });
            FilteredList<String[]> bareRows = (FilteredList<String[]>) bare.getItems();
            Stats bareScroll = scroll(bare, rows);
            Stats bareFilter = typing(bare, text -> bareRows.setPredicate(row -> text.isEmpty()
                    || row[0].contains(text)));
            @SuppressWarnings("unchecked")
            ObservableList<String[]> bareSource = (ObservableList<String[]>) bareRows.getSource();
            EventBursts.Burst bareUpdates = EventBursts.bareRowUpdates(clock, bareSource,
                    STATE_INSTANCES * STATE_CHANGES, STATE_INSTANCES);

            print("scroll a page", nubeScroll, bareScroll);
            print("type into the filter", nubeFilter, bareFilter);
            System.out.printf("Functions page: first load %.0f ms (FX thread busy at most %.0f ms at a time), a change"
                    + " shown %.0f ms after it was made (FX thread busy at most %.0f ms)%n", loadMs, loadStall,
                    reloadMs, reloadStall);
            double bareMean = bareUpdates.perEvent();
            printBurst("invocations on the Functions page", invocations, bareMean);
            printBurst("instance state changes on the Instances page", states, bareMean);
            printBurst("bare table, a row replaced with set(i, x)", bareUpdates, bareMean);
            System.out.printf("tables: rows=%d scroll_p50_ms=%.2f scroll_p99_ms=%.2f bare_scroll_p99_ms=%.2f"
                    + " scroll_ratio=%.1f filter_p50_ms=%.1f filter_max_ms=%.1f bare_filter_max_ms=%.1f"
                    + " filter_ratio=%.1f load_ms=%.0f load_stall_ms=%.0f reload_ms=%.0f reload_stall_ms=%.0f"
                    + " listing_ms=%.0f invoke_events=%d invoke_task_callbacks=%d invoke_event_fx_ms=%.3f"
                    + " state_events=%d state_task_callbacks=%d state_event_fx_ms=%.3f bare_row_update_ms=%.3f"
                    + " invoke_event_ratio=%.1f state_event_ratio=%.1f%n", rows, nubeScroll.median(),
                    nubeScroll.percentile(99), bareScroll.percentile(99),
                    nubeScroll.percentile(99) / bareScroll.percentile(99), nubeFilter.median(),
                    nubeFilter.percentile(100), bareFilter.percentile(100),
                    nubeFilter.percentile(100) / bareFilter.percentile(100), loadMs, loadStall, reloadMs, reloadStall,
                    listingMs, invocations.published(), invocations.callbacks(), invocations.perEvent(),
                    states.published(), states.callbacks(), states.perEvent(), bareMean,
                    invocations.perEvent() / bareMean, states.perEvent() / bareMean);
            fx(() -> {
                stage.close();
                return null;
            });
        } finally {
            tasks.shutdown();
            Platform.exit();
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void printBurst(String what, EventBursts.Burst burst, double bareMean) {
        System.out.printf("%s: %d events; FX-thread CPU time: %d event runs and %d task callbacks %.0f ms, %d pulses'"
                + " CSS and layout %.0f ms; %.3f ms per event, %.1f times the bare row update%n", what,
                burst.published(), burst.eventRuns(), burst.callbacks(), burst.workMs(), burst.pulses(),
                burst.layoutMs(), burst.perEvent(), burst.perEvent() / bareMean);
    }

    private static void print(String what, Stats nube, Stats bare) {
        System.out.printf("%s: Functions page p50 %.2f ms, p99 %.2f ms, max %.2f ms; bare table p50 %.2f ms,"
                + " p99 %.2f ms, max %.2f ms%n", what, nube.median(), nube.percentile(99), nube.percentile(100),
                bare.median(), bare.percentile(99), bare.percentile(100));
    }

    @SuppressWarnings("unchecked")
    private static TableView<dev.nube.engine.compute.instances.Instance> instancesTable(Stage stage) {
        return (TableView<dev.nube.engine.compute.instances.Instance>) stage.getScene().lookup("#instances-table");
    }

    @SuppressWarnings("unchecked")
    private static TableView<dev.nube.engine.functions.FunctionSummary> table(Stage stage) {
        return (TableView<dev.nube.engine.functions.FunctionSummary>) stage.getScene().lookup("#functions-table");
    }

    private static TableView<String[]> bareTable(int rows) {
        List<String[]> data = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            String[] row = new String[COLUMNS];
            row[0] = String.format(Locale.ROOT, "fn-%05d", i);
            for (int c = 1; c < COLUMNS; c++) {
                row[c] = "value " + c;
            }
            data.add(row);
        }
        TableView<String[]> table = new TableView<>(new FilteredList<>(FXCollections.observableArrayList(data)));
        for (int c = 0; c < COLUMNS; c++) {
            int index = c;
            TableColumn<String[], String> column = new TableColumn<>("Column " + c);
            column.setPrefWidth(140);
            column.setCellValueFactory(cell -> new SimpleStringProperty(cell.getValue()[index]));
            table.getColumns().add(column);
        }
        return table;
    }

    /** Scrolls from the top by one page per step through the whole table and back, timing each step. */
    private static Stats scroll(TableView<?> table, int rows) throws Exception {
        List<Double> steps = new ArrayList<>();
        for (int direction : new int[] {1, -1}) {
            boolean more = true;
            while (more) {
                double[] step = fx(() -> {
                    VirtualFlow<?> flow = (VirtualFlow<?>) table.lookup(".virtual-flow");
                    long t0 = System.nanoTime();
                    flow.scrollPixels(direction * flow.getHeight());
                    settle(table);
                    double ms = (System.nanoTime() - t0) / 1e6;
                    double position = flow.getPosition();
                    return new double[] {ms, direction > 0 ? (position >= 1 ? 0 : 1) : (position <= 0 ? 0 : 1)};
                });
                steps.add(step[0]);
                more = step[1] == 1 && steps.size() < rows;
            }
        }
        return new Stats(steps.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Types a name into the filter a character at a time and deletes it again, timing each keystroke. */
    private static Stats typing(TableView<?> table, java.util.function.Consumer<String> type) throws Exception {
        double[] steps = new double[TYPED.length * 3];
        for (int i = 0; i < steps.length; i++) {
            String text = TYPED[i % TYPED.length];
            steps[i] = fx(() -> {
                long t0 = System.nanoTime();
                type.accept(text);
                settle(table);
                return (System.nanoTime() - t0) / 1e6;
            });
        }
        return new Stats(steps);
    }

    /** Lays the scene out as the next pulse would before drawing it. */
    private static void settle(TableView<?> table) {
        Parent root = table.getScene().getRoot();
        root.applyCss();
        root.layout();
    }

    static <T> T fx(Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(120, TimeUnit.SECONDS);
    }

    static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!fx(condition::getAsBoolean)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Measures the longest the FX thread was busy: a probe posted every 2 ms records how late it ran. */
    private static final class Stall {
        private final AtomicLong worst = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread;

        private Stall() {
            thread = new Thread(() -> {
                while (running) {
                    long posted = System.nanoTime();
                    CompletableFuture<Void> ran = new CompletableFuture<>();
                    Platform.runLater(() -> {
                        worst.accumulateAndGet(System.nanoTime() - posted, Math::max);
                        ran.complete(null);
                    });
                    ran.join();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "stall-probe");
            thread.setDaemon(true);
            thread.start();
        }

        static Stall start() {
            return new Stall();
        }

        /** Stops probing; the longest delay seen, in ms. */
        double stop() throws InterruptedException {
            running = false;
            thread.join();
            return worst.get() / 1e6;
        }
    }
}
