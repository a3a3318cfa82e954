package dev.nube.ui.common;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/** Small builders for the console's tables. */
public final class Tables {
    private Tables() {
    }

    /** A read-only text column showing {@code value} of each row. */
    public static <T> TableColumn<T, String> column(String title, double width, Function<T, String> value) {
        TableColumn<T, String> column = new TableColumn<>(title);
        // A constrained table shrinks columns to fit its width; never below what shows the whole title.
        double titleWidth = titleWidth(title);
        column.setMinWidth(titleWidth);
        column.setPrefWidth(Math.max(width, titleWidth));
        column.setCellValueFactory(cell -> new SimpleStringProperty(value.apply(cell.getValue())));
        return column;
    }

    /**
     * Keeps {@code column} wide enough for {@code sample} (an id, say, whose every character matters) when a
     * constrained table shrinks its columns to fit; other columns give way first. Returns the column.
     */
    public static <T, V> TableColumn<T, V> keepWhole(TableColumn<T, V> column, String sample) {
        javafx.scene.text.Text text = new javafx.scene.text.Text(sample);
        text.setFont(javafx.scene.text.Font.font(javafx.scene.text.Font.getDefault().getFamily(),
                Math.max(14, javafx.scene.text.Font.getDefault().getSize())));
        double width = Math.ceil(text.getLayoutBounds().getWidth()) + 16; // the theme's cell padding (0.5em a side), a border
        column.setMinWidth(Math.max(column.getMinWidth(), width));
        column.setPrefWidth(Math.max(column.getPrefWidth(), width));
        return column;
    }

    /** The width a column title takes in a header: its text in bold at the theme's size, and the header's padding. */
    static double titleWidth(String title) {
        javafx.scene.text.Text text = new javafx.scene.text.Text(title);
        text.setFont(javafx.scene.text.Font.font(javafx.scene.text.Font.getDefault().getFamily(),
                javafx.scene.text.FontWeight.BOLD, Math.max(14, javafx.scene.text.Font.getDefault().getSize())));
        return Math.ceil(text.getLayoutBounds().getWidth()) + 28;
    }

    /**
     * Keeps the rows selected by id when the table's items change (a reload brings new values for the same resources,
     * an engine event replaces one row): every row of a multiple selection, and a row a filter hid once it shows
     * again. Call it after {@code setItems}, and do not set other items afterwards: it puts a list of its own, which
     * passes every row, between those items and the table.
     */
    public static <T> SelectionById<T> keepSelectionById(TableView<T> table, Function<T, String> id) {
        return new SelectionById<>(table, id);
    }

    /**
     * The rows a person selected, followed by id across changes of the table's items. A JavaFX table drops or moves
     * its selection while it follows a change of its items: a replaced row ({@code set(i, x)}) leaves at most the
     * last selected row selected, and none if that row was the one replaced; a removed row selects the row before
     * it. So this hears of every change before the table and after it: a selection change in between is the table's
     * doing and is undone; any other is the person's choice (or code's), taken at once. FX thread only.
     */
    public static final class SelectionById<T> {
        private final TableView<T> table;
        private final Function<T, String> id;
        private final ReadOnlyObjectWrapper<T> selectedItem = new ReadOnlyObjectWrapper<>();
        /** The ids of the rows chosen: what is selected again when the items change. */
        private Set<String> wanted = Set.of();
        /** The ids of the rows with the keyboard focus and selected last when the items began to change. */
        private String focused;
        private String lead;
        /** The rows selected, the one selected last and the focused row when the items began to change. */
        private List<Integer> selectedBefore = List.of();
        private int leadBefore = -1;
        private int focusBefore = -1;
        /** Set from the moment the items change until the table has followed them. */
        private boolean following;
        private boolean restoring;

        private SelectionById(TableView<T> table, Function<T, String> id) {
            this.table = table;
            this.id = id;
            ObservableList<T> items = table.getItems();
            // Listeners hear a change in the order they were added: this one before the list the table observes
            // (made next) passes the change on, so before the table does.
            items.addListener((ListChangeListener<T>) change -> {
                if (!following) {
                    following = true;
                    focused = idOf(table.getFocusModel().getFocusedItem());
                    lead = idOf(table.getSelectionModel().getSelectedItem());
                    selectedBefore = List.copyOf(table.getSelectionModel().getSelectedIndices());
                    leadBefore = table.getSelectionModel().getSelectedIndex();
                    focusBefore = table.getFocusModel().getFocusedIndex();
                }
            });
            ObservableList<T> shown = new FilteredList<>(items);
            table.setItems(shown);
            table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<T>) change -> {
                if (!following && !restoring) {
                    followPerson();
                }
            });
            // Its own listener: the table may update its selected item after it tells of the selected rows.
            table.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
                if (!following && !restoring) {
                    selectedItem.set(item);
                }
            });
            // Added after the table's own listener (setItems added it): runs once the table has followed the change.
            shown.addListener((ListChangeListener<T>) change -> {
                following = false;
                if (keepsEveryRow(change)) {
                    restoreRows(); // no row moved: the rows selected before are the ones to select
                } else {
                    restore();
                }
            });
            followPerson();
            selectedItem.set(table.getSelectionModel().getSelectedItem());
        }

        /**
         * Takes the selection as the person's choice. Rows chosen before and now hidden by a filter stay chosen only
         * while the person has not chosen otherwise: a click on another row forgets them, so an action never reaches
         * a row that comes back into view selected without the person having seen it chosen.
         */
        private void followPerson() {
            Set<String> selected = new HashSet<>();
            selectedRows().forEach(item -> selected.add(id.apply(item)));
            Set<String> visible = new HashSet<>();
            table.getItems().forEach(item -> visible.add(id.apply(item)));
            // Extending a choice still in view keeps its hidden rows; anything else is a new choice.
            boolean extending = wanted.stream().anyMatch(rowId -> visible.contains(rowId) && selected.contains(rowId));
            Set<String> next = new HashSet<>(selected);
            if (extending) {
                wanted.stream().filter(rowId -> !visible.contains(rowId)).forEach(next::add);
            }
            wanted = next;
        }

        /** Selects the row of {@code rowId} alone, now or once a reload brings it. */
        public void select(String rowId) {
            wanted = Set.of(rowId);
            restore();
        }

        /**
         * The selected row as the person sees it: it changes when the person selects another row, when the selected
         * row gets new values or when it goes away, never for the moment the table follows a change of its items.
         */
        public ReadOnlyObjectProperty<T> selectedItemProperty() {
            return selectedItem.getReadOnlyProperty();
        }

        /**
         * Whether {@code change} gave rows new values without moving any or putting another resource in its place (an
         * update in place, or a reload that brought the same rows in the same order).
         */
        private boolean keepsEveryRow(ListChangeListener.Change<? extends T> change) {
            while (change.next()) {
                if (change.wasPermutated()) {
                    return false;
                }
                if (change.wasUpdated()) {
                    continue;
                }
                if (!change.wasReplaced() || change.getAddedSize() != change.getRemovedSize()) {
                    return false;
                }
                List<? extends T> added = change.getAddedSubList();
                for (int i = 0; i < added.size(); i++) {
                    if (!id.apply(added.get(i)).equals(id.apply(change.getRemoved().get(i)))) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Selects the rows selected before the change again, the one selected last last, and focuses as before. */
        private void restoreRows() {
            List<Integer> rows = new ArrayList<>(selectedBefore);
            if (leadBefore >= 0 && rows.remove(Integer.valueOf(leadBefore))) {
                rows.add(leadBefore);
            }
            selectRows(rows, focusBefore);
        }

        /**
         * Selects exactly the shown rows whose ids are wanted, the one selected last before the change last again
         * (it is the table's selected item), and gives the focus back to the row that had it.
         */
        private void restore() {
            List<Integer> rows = new ArrayList<>();
            int leadRow = -1;
            int focusRow = -1;
            for (int i = 0; i < table.getItems().size(); i++) {
                String itemId = id.apply(table.getItems().get(i));
                if (wanted.contains(itemId)) {
                    if (itemId.equals(lead)) {
                        leadRow = i;
                    } else {
                        rows.add(i);
                    }
                }
                if (itemId.equals(focused)) {
                    focusRow = i;
                }
            }
            if (leadRow >= 0) {
                rows.add(leadRow);
            }
            selectRows(rows, focusRow);
        }

        /** Selects {@code rows}, the last one last, unless they are selected so already; focuses {@code focusRow}. */
        private void selectRows(List<Integer> rows, int focusRow) {
            restoring = true;
            try {
                List<Integer> selected = table.getSelectionModel().getSelectedIndices().stream().sorted().toList();
                boolean leadKept = rows.isEmpty() || table.getSelectionModel().getSelectedIndex() == rows.get(
                        rows.size() - 1);
                if (!selected.equals(rows.stream().sorted().toList()) || !leadKept) {
                    table.getSelectionModel().clearSelection();
                    rows.forEach(table.getSelectionModel()::select);
                }
                if (focusRow >= 0 && table.getFocusModel().getFocusedIndex() != focusRow) {
                    table.getFocusModel().focus(focusRow);
                }
            } finally {
                restoring = false;
            }
            focused = null;
            lead = null;
            selectedBefore = List.of();
            selectedItem.set(table.getSelectionModel().getSelectedItem());
        }

        private String idOf(T row) {
            return row == null ? null : id.apply(row);
        }

        private List<T> selectedRows() {
            return table.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull).toList();
        }
    }
}
