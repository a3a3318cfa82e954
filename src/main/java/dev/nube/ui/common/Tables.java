package dev.nube.ui.common;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javafx.application.Platform;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.ListChangeListener;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/** Small builders for the console's tables. */
public final class Tables {
    private Tables() {
    }

    /** A read-only text column showing {@code value} of each row. */
    public static <T> TableColumn<T, String> column(String title, double width, Function<T, String> value) {
        TableColumn<T, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        // A constrained table shrinks columns to fit its width; never below what shows the whole title.
        column.setMinWidth(Math.min(width, titleWidth(title)));
        column.setCellValueFactory(cell -> new SimpleStringProperty(value.apply(cell.getValue())));
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
     * Keeps the rows selected by id when the table's items are replaced (a reload after an engine event brings new
     * values for the same resources): every row of a multiple selection, and a row a filter hid once it shows again.
     */
    public static <T> SelectionById<T> keepSelectionById(TableView<T> table, Function<T, String> id) {
        return new SelectionById<>(table, id);
    }

    /** The rows a person selected, followed by id across reloads. FX thread only. */
    public static final class SelectionById<T> {
        private final TableView<T> table;
        private final Function<T, String> id;
        /** The ids of the rows chosen: what is selected again when new items arrive. */
        private Set<String> wanted = Set.of();
        private boolean restoring;
        private boolean checkPending;
        /** Set when the items or the code changed the selection since the person last did. */
        private boolean otherCause;

        private SelectionById(TableView<T> table, Function<T, String> id) {
            this.table = table;
            this.id = id;
            table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<T>) change -> {
                if (!restoring) {
                    otherCause = false;
                    if (!checkPending) {
                        checkPending = true;
                        Platform.runLater(this::followPerson);
                    }
                }
            });
            table.getItems().addListener((ListChangeListener<T>) change -> {
                otherCause = true;
                restore();
            });
        }

        /**
         * Takes the selection as the person's choice, unless the items changed meanwhile: the table drops or moves
         * the selection while it follows new items (a reload, a filter), before this hears of them.
         */
        private void followPerson() {
            checkPending = false;
            if (otherCause) {
                return;
            }
            Set<String> kept = new HashSet<>(wanted); // rows chosen before and hidden by a filter stay chosen
            table.getItems().forEach(item -> kept.remove(id.apply(item)));
            selectedRows().forEach(item -> kept.add(id.apply(item)));
            wanted = kept;
        }

        /** Selects the row of {@code rowId} alone, now or once a reload brings it. */
        public void select(String rowId) {
            restoring = true;
            try {
                table.getSelectionModel().clearSelection();
            } finally {
                restoring = false;
            }
            otherCause = true;
            wanted = Set.of(rowId);
            restore();
        }

        private void restore() {
            List<Integer> rows = new ArrayList<>();
            List<T> found = new ArrayList<>();
            for (int i = 0; i < table.getItems().size(); i++) {
                T item = table.getItems().get(i);
                if (wanted.contains(id.apply(item))) {
                    rows.add(i);
                    found.add(item);
                }
            }
            if (found.isEmpty() || selectedRows().equals(found)) {
                return;
            }
            restoring = true;
            try {
                table.getSelectionModel().clearSelection();
                rows.forEach(table.getSelectionModel()::select);
            } finally {
                restoring = false;
            }
        }

        private List<T> selectedRows() {
            return table.getSelectionModel().getSelectedItems().stream().filter(Objects::nonNull).toList();
        }
    }
}
