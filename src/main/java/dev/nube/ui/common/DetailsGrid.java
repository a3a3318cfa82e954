package dev.nube.ui.common;

import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

/**
 * The selected resource's fields under a page's table, as the EC2 console shows them: a muted name beside each value,
 * in two pairs of columns, values whole (they wrap) where a table column would cut them short. FX thread only.
 */
public final class DetailsGrid extends GridPane {
    public DetailsGrid() {
        getStyleClass().add("details-grid");
        setHgap(16);
        setVgap(6);
        for (int i = 0; i < 4; i++) {
            ColumnConstraints column = new ColumnConstraints();
            if (i % 2 == 1) { // the values share what the names leave
                column.setHgrow(Priority.ALWAYS);
                column.setPercentWidth(-1);
                column.setMinWidth(0);
                column.setPrefWidth(200);
            }
            getColumnConstraints().add(column);
        }
    }

    /** Shows {@code rows}, each a name and its value, filling the left pair of columns first; none clears it. */
    public void show(String[]... rows) {
        getChildren().clear();
        int perColumn = (rows.length + 1) / 2;
        for (int i = 0; i < rows.length; i++) {
            Label key = new Label(rows[i][0]);
            key.getStyleClass().add("text-muted");
            key.setMinWidth(USE_PREF_SIZE);
            Label value = new Label(rows[i][1]);
            value.setWrapText(true);
            value.setId(rows[i].length > 2 ? rows[i][2] : null);
            int column = i < perColumn ? 0 : 2;
            GridPane.setValignment(key, javafx.geometry.VPos.TOP);
            add(key, column, i % perColumn);
            GridPane.setValignment(value, javafx.geometry.VPos.TOP);
            add(value, column + 1, i % perColumn);
        }
    }

    /**
     * The page above and, below it, the selected resource's details ({@code title} over this grid), scrolling when
     * they are longer than their share of the height.
     */
    public javafx.scene.control.SplitPane below(javafx.scene.Node page, javafx.scene.control.Label title, String id) {
        title.getStyleClass().add("title-4");
        setId(id);
        javafx.scene.layout.VBox pane = new javafx.scene.layout.VBox(8, title, this);
        pane.getStyleClass().add("details-pane");
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(pane);
        scroll.setFitToWidth(true);
        javafx.scene.control.SplitPane split = new javafx.scene.control.SplitPane(page, scroll);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.62);
        javafx.scene.layout.VBox.setVgrow(split, Priority.ALWAYS);
        return split;
    }
}
