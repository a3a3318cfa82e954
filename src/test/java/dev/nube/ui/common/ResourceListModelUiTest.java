package dev.nube.ui.common;

import static dev.nube.ui.ConsoleFixture.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.StoreProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.ListChangeListener;
import javafx.scene.Scene;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.control.skin.VirtualFlow;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The list of a resource page over a region held in memory, with the console's task executor and event adapter: an
 * engine event reads the one resource it names and changes its row alone; the region is listed again only when the
 * region changes or a read fails. Reads can be held back to show what happens to events that come meanwhile.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class ResourceListModelUiTest {
    private static final ResourceKind KIND = ResourceKind.KEY_PAIR;

    record Row(String id, int version) {
    }

    /** The regions' resources, as the engine would hold them; counts every listing and every read. */
    private final Map<String, Map<String, Row>> regions = new ConcurrentHashMap<>();
    private final AtomicInteger listings = new AtomicInteger();
    private final List<String> fetched = new CopyOnWriteArrayList<>();
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    /** While set, a read of one resource reads it, then waits for this before it answers. */
    private volatile CountDownLatch holdFetches;
    /** While set, a listing reads the region, then waits for this before it answers. */
    private volatile CountDownLatch holdListings;
    private final EventBus bus = new EventBus();
    private final FxTaskExecutor tasks = new FxTaskExecutor();
    private final SimpleStringProperty region = new SimpleStringProperty("r1");
    private Stage stage;
    private ResourceListModel<Row> list;
    private Tables.SelectionById<Row> selection;

    @Start
    void start(Stage stage) {
        this.stage = stage;
    }

    @AfterEach
    void stop() {
        fx(() -> list.dispose());
        tasks.shutdown();
    }

    private static String id(int n) {
        return String.format("key-%017x", n);
    }

    private void put(String inRegion, int n, int version) {
        regions.computeIfAbsent(inRegion, r -> new ConcurrentHashMap<>()).put(id(n), new Row(id(n), version));
    }

    private void publish(String inRegion, int n, Change change) {
        bus.publish(new ResourceChanged(inRegion, KIND, id(n), change));
    }

    private Listing<Row> list(String inRegion) {
        List<Row> rows = new ArrayList<>();
        List<StoreProblem> problems = new ArrayList<>();
        new TreeMap<>(regions.getOrDefault(inRegion, Map.of())).forEach((rowId, row) -> {
            if (broken.contains(rowId)) {
                problems.add(new StoreProblem(KIND, rowId, Path.of(rowId, "resource.json"), "broken"));
            } else {
                rows.add(row);
            }
        });
        listings.incrementAndGet();
        await(holdListings);
        return new Listing<>(rows, problems);
    }

    private Optional<Row> fetch(String inRegion, String rowId) {
        fetched.add(rowId);
        if (broken.contains(rowId)) {
            throw new EngineException("InvalidDocument", "Cannot read " + rowId);
        }
        Optional<Row> row = Optional.ofNullable(regions.getOrDefault(inRegion, Map.of()).get(rowId));
        await(holdFetches);
        return row;
    }

    private static void await(CountDownLatch hold) {
        try {
            if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("held for 30 s");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void open(int rows) {
        for (int n = 0; n < rows; n++) {
            put("r1", n, 1);
        }
        put("r2", 0, 7);
        fx(() -> list = new ResourceListModel<>(new ConsoleContext(tasks, new UiEvents(bus, Platform::runLater),
                region, null), KIND, new ResourceListModel.Source<>(this::list, this::fetch, Row::id), Row::id));
        waitUntil("the region is listed", () -> list.items().size() == rows);
    }

    private static void fx(Runnable work) {
        WaitForAsyncUtils.asyncFx(work);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** What {@code work} returns, read on the FX thread. */
    private static <T> T read(java.util.concurrent.Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get(30, TimeUnit.SECONDS);
    }

    @Test
    void anUpdateReplacesItsRowAloneAtTheSameIndex() throws Exception {
        open(5);
        List<Row> before = read(() -> List.copyOf(list.items()));
        put("r1", 2, 2);
        publish("r1", 2, Change.UPDATED);
        waitUntil("the new version shows", () -> list.items().get(2).version() == 2);
        List<Row> after = read(() -> List.copyOf(list.items()));
        assertEquals(5, after.size());
        for (int i = 0; i < 5; i++) {
            if (i != 2) {
                assertSame(before.get(i), after.get(i), "row " + i + " is the same object");
            }
        }
        assertEquals(new Row(id(2), 2), after.get(2));
        assertEquals(1, listings.get(), "the region was not listed again");
        assertEquals(List.of(id(2)), fetched);
    }

    @Test
    void aCreationIsInsertedWhereTheListingWouldPutItAndADeletionRemovesTheRow() throws Exception {
        open(0);
        for (int n : new int[] {10, 30, 40}) {
            put("r1", n, 1);
            publish("r1", n, Change.CREATED);
        }
        waitUntil("three rows", () -> list.items().size() == 3);
        Row first = read(() -> list.items().get(0));
        put("r1", 20, 1);
        publish("r1", 20, Change.CREATED);
        waitUntil("the fourth row", () -> list.items().size() == 4);
        assertEquals(List.of(id(10), id(20), id(30), id(40)), read(() -> list.items().stream().map(Row::id)
                .toList()));
        assertSame(first, read(() -> list.items().get(0)));

        regions.get("r1").remove(id(30));
        publish("r1", 30, Change.DELETED);
        waitUntil("the row is gone", () -> list.items().size() == 3);
        assertEquals(List.of(id(10), id(20), id(40)), read(() -> list.items().stream().map(Row::id).toList()));
        assertEquals(1, listings.get(), "the region was listed once, when the list opened");
    }

    @Test
    void aBurstForOneResourceEndsWithItsLastStateAndNeverShowsAnOlderOneAfterANewerOne() throws Exception {
        open(3);
        List<Integer> shown = new CopyOnWriteArrayList<>();
        fx(() -> list.items().addListener((ListChangeListener<Row>) change -> {
            while (change.next()) {
                change.getAddedSubList().forEach(row -> shown.add(row.version()));
            }
        }));
        holdFetches = new CountDownLatch(1);
        put("r1", 1, 2);
        publish("r1", 1, Change.UPDATED);
        waitUntil("the first read has read version 2", () -> fetched.size() == 1);
        for (int version = 3; version <= 10; version++) {
            put("r1", 1, version);
            publish("r1", 1, Change.UPDATED);
        }
        WaitForAsyncUtils.waitForFxEvents(); // every event has reached the list while the first read is held
        holdFetches.countDown();
        holdFetches = null;
        waitUntil("the last version shows", () -> list.items().get(1).version() == 10);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(2, 10), shown, "the held read's answer, then one more read for the eight events after");
        assertEquals(2, fetched.size());
        assertEquals(1, listings.get());
    }

    @Test
    void anEventWhileTheRegionIsListedIsReadOnceTheListingIsShown() throws Exception {
        open(3);
        holdListings = new CountDownLatch(1);
        fx(() -> list.reload());
        waitUntil("the listing has read the region", () -> listings.get() == 2);
        put("r1", 0, 2);
        publish("r1", 0, Change.UPDATED);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(), fetched, "no read while the region is listed");
        holdListings.countDown();
        holdListings = null;
        waitUntil("the change after the listing shows", () -> list.items().get(0).version() == 2);
        assertEquals(List.of(id(0)), fetched);
    }

    @Test
    void anotherRegionIsListedAndItsEventsAloneCount() throws Exception {
        open(3);
        fx(() -> region.set("r2"));
        waitUntil("the other region's rows", () -> list.items().size() == 1 && list.items().get(0).version() == 7);
        assertEquals(2, listings.get());
        put("r1", 0, 5);
        publish("r1", 0, Change.UPDATED);
        put("r2", 0, 8);
        publish("r2", 0, Change.UPDATED);
        waitUntil("the shown region's change", () -> list.items().get(0).version() == 8);
        assertEquals(List.of(id(0)), fetched, "the event of the region not shown was not read");
    }

    @Test
    void aResourceThatCannotBeReadListsTheRegionAgainAndComesBackWhenItCanBe() throws Exception {
        open(3);
        broken.add(id(1));
        publish("r1", 1, Change.UPDATED);
        waitUntil("the region is listed again", () -> listings.get() == 2 && !list.loadingProperty().get());
        assertEquals(List.of(id(1)), read(() -> list.problems().stream().map(StoreProblem::id).toList()));
        assertEquals(List.of(id(0), id(2)), read(() -> list.items().stream().map(Row::id).toList()));

        broken.clear();
        put("r1", 1, 2);
        publish("r1", 1, Change.UPDATED);
        waitUntil("the repaired resource is a row again", () -> list.items().size() == 3);
        assertEquals(new Row(id(1), 2), read(() -> list.items().get(1)));
        assertEquals(List.of(), read(() -> List.copyOf(list.problems())));
        assertEquals(2, listings.get());
    }

    private TableView<Row> table(SelectionMode mode) throws Exception {
        return read(() -> {
            TableView<Row> t = new TableView<>(list.filtered());
            t.getColumns().add(Tables.column("Id", 200, Row::id));
            t.getColumns().add(Tables.column("Version", 80, row -> Integer.toString(row.version())));
            t.getSelectionModel().setSelectionMode(mode);
            selection = Tables.keepSelectionById(t, Row::id);
            stage.setScene(new Scene(t, 400, 300));
            stage.show();
            return t;
        });
    }

    private List<String> selectedIds(TableView<Row> table) throws Exception {
        return read(() -> table.getSelectionModel().getSelectedItems().stream().map(Row::id).toList());
    }

    @Test
    void aTableKeepsItsSelectionFocusAndScrollWhenRowsAreUpdatedInPlace() throws Exception {
        open(1000);
        TableView<Row> table = table(SelectionMode.MULTIPLE);
        fx(() -> {
            table.scrollTo(500);
            table.getSelectionModel().select(505);
            table.getSelectionModel().select(503);
            table.getFocusModel().focus(504);
        });
        int top = read(() -> firstVisible(table));
        assertTrue(top > 400, "scrolled to the middle: " + top);

        for (int n : new int[] {503, 504, 505}) { // the row selected last, a row not selected, the first selected
            put("r1", n, 2);
            publish("r1", n, Change.UPDATED);
            waitUntil("row " + n + " updated", () -> table.getItems().get(n).version() == 2);
            assertEquals(List.of(id(503), id(505)), selectedIds(table).stream().sorted().toList(), "after row " + n);
            assertEquals(id(503), read(() -> selection.selectedItemProperty().get().id()), "the row selected last");
            assertEquals(504, (int) read(() -> table.getFocusModel().getFocusedIndex()), "the focus stays");
            assertEquals(top, (int) read(() -> firstVisible(table)), "the table did not scroll");
        }
        assertEquals(List.of(2, 2), read(() -> table.getSelectionModel().getSelectedItems().stream()
                .map(Row::version).toList()), "the new values are selected");
        assertEquals(1, listings.get());
    }

    @Test
    void theSelectedRowAsShownGoesFromItsOldValuesToItsNewOnesAndToNoneWhenItIsDeleted() throws Exception {
        open(5);
        TableView<Row> table = table(SelectionMode.SINGLE);
        List<Row> seen = new CopyOnWriteArrayList<>();
        fx(() -> {
            table.getSelectionModel().select(2);
            selection.selectedItemProperty().addListener((obs, old, row) -> seen.add(row));
        });
        put("r1", 2, 2);
        publish("r1", 2, Change.UPDATED);
        put("r1", 3, 2);
        publish("r1", 3, Change.UPDATED);
        waitUntil("both rows updated", () -> table.getItems().get(2).version() == 2
                && table.getItems().get(3).version() == 2);
        assertEquals(List.of(new Row(id(2), 2)), seen, "never empty meanwhile, and not touched by another row");

        regions.get("r1").remove(id(2));
        publish("r1", 2, Change.DELETED);
        waitUntil("the row is gone", () -> table.getItems().size() == 4);
        assertEquals(List.of(), selectedIds(table), "no other row is chosen in its place, as after a reload");
        assertEquals(java.util.Arrays.asList(new Row(id(2), 2), null), seen);
    }

    private static int firstVisible(TableView<?> table) {
        table.getScene().getRoot().applyCss();
        table.getScene().getRoot().layout();
        return ((VirtualFlow<?>) table.lookup(".virtual-flow")).getFirstVisibleCell().getIndex();
    }
}
