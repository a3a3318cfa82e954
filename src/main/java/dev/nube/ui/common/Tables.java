package dev.nube.ui.common;

import java.util.function.Function;
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
        column.setCellValueFactory(cell -> new SimpleStringProperty(value.apply(cell.getValue())));
        return column;
    }

    /**
     * Keeps the row with the same id selected when the table's items are replaced (a reload after an engine event
     * brings new values for the same resources).
     */
    public static <T> void keepSelectionById(TableView<T> table, Function<T, String> id) {
        String[] selectedId = new String[1];
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (item != null) {
                selectedId[0] = id.apply(item);
            }
        });
        table.getItems().addListener((ListChangeListener<T>) change -> {
            if (selectedId[0] == null) {
                return;
            }
            T current = table.getSelectionModel().getSelectedItem();
            if (current != null && id.apply(current).equals(selectedId[0])) {
                return;
            }
            String wanted = selectedId[0];
            table.getItems().stream().filter(item -> id.apply(item).equals(wanted)).findFirst()
                    .ifPresent(item -> table.getSelectionModel().select(item));
        });
    }
}
