package dev.nube.ui.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.Scene;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class TablesUiTest {
    record Row(String id, int version) {
    }

    private final ObservableList<Row> items = FXCollections.observableArrayList();
    private final FilteredList<Row> shown = new FilteredList<>(items);
    private TableView<Row> table;
    private Tables.SelectionById<Row> selection;

    @Start
    void start(Stage stage) {
        table = new TableView<>(shown);
        table.getColumns().add(Tables.column("Id", 100, Row::id));
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        selection = Tables.keepSelectionById(table, Row::id);
        items.setAll(rows(1, "a", "b", "c"));
        stage.setScene(new Scene(table, 300, 200));
        stage.show();
    }

    private static List<Row> rows(int version, String... ids) {
        return java.util.Arrays.stream(ids).map(id -> new Row(id, version)).toList();
    }

    private List<String> selectedIds() {
        return table.getSelectionModel().getSelectedItems().stream().map(Row::id).sorted().toList();
    }

    private void fx(Runnable work) {
        WaitForAsyncUtils.asyncFx(work);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void everySelectedRowStaysSelectedAcrossReloadsAndFilters() {
        fx(() -> {
            table.getSelectionModel().select(0);
            table.getSelectionModel().select(2);
        });
        assertEquals(List.of("a", "c"), selectedIds());

        fx(() -> items.setAll(rows(2, "a", "b", "c", "d")));
        assertEquals(List.of("a", "c"), selectedIds(), "a reload keeps both rows");
        assertEquals(2, table.getSelectionModel().getSelectedItem().version(), "the new values are selected");

        fx(() -> shown.setPredicate(row -> !row.id().equals("c")));
        assertEquals(List.of("a"), selectedIds());
        fx(() -> shown.setPredicate(null));
        assertEquals(List.of("a", "c"), selectedIds(), "a row the filter hid is selected again when it shows");

        fx(() -> table.getSelectionModel().clearSelection());
        fx(() -> items.setAll(rows(3, "a", "b", "c", "d")));
        assertEquals(List.of(), selectedIds(), "a selection the person cleared stays cleared");

        fx(() -> selection.select("e"));
        assertEquals(List.of(), selectedIds());
        fx(() -> items.setAll(rows(4, "a", "b", "c", "d", "e")));
        assertEquals(List.of("e"), selectedIds(), "a row selected before it arrived is selected when it does");
    }

    @Test
    void aRowChosenJustBeforeTheItemsChangeStaysChosen() {
        fx(() -> table.getSelectionModel().select(0));
        fx(() -> { // the person's click, and new values of another row handled in the same turn of the FX thread
            table.getSelectionModel().clearAndSelect(1);
            items.set(2, new Row("c", 2));
        });
        assertEquals(List.of("b"), selectedIds());
        fx(() -> items.set(0, new Row("a", 2)));
        assertEquals(List.of("b"), selectedIds());
    }

    @Test
    void aNewChoiceForgetsTheRowsAFilterHid() {
        fx(() -> table.getSelectionModel().select(0));
        fx(() -> shown.setPredicate(row -> !row.id().equals("a")));
        assertEquals(List.of(), selectedIds());
        fx(() -> table.getSelectionModel().select(0)); // the person picks b, the only choice now in view
        fx(() -> shown.setPredicate(null));
        assertEquals(List.of("b"), selectedIds(), "a comes back unselected: an action reaches only what was chosen");
        fx(() -> table.getSelectionModel().select(2)); // c added to the choice in view
        fx(() -> shown.setPredicate(row -> !row.id().equals("b")));
        fx(() -> shown.setPredicate(null));
        assertEquals(List.of("b", "c"), selectedIds(), "extending a choice keeps its rows a filter hid");
    }
}
