package dev.nube.ui.common;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import org.controlsfx.control.textfield.CustomTextField;
import org.controlsfx.control.textfield.TextFields;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The layout every resource page shares, as in the EC2 console: a title with the count, the page's actions, a filter
 * field, the unreadable-documents banner, the last failure, and the table.
 */
public final class ResourcePage extends VBox {
    private final CustomTextField filter = (CustomTextField) TextFields.createClearableTextField();

    public ResourcePage(String title, ResourceListModel<?> list, TableView<?> table, Node... actions) {
        getStyleClass().add("resource-page");
        setSpacing(10);
        Label heading = new Label();
        heading.getStyleClass().add("title-2");
        heading.setMinWidth(Region.USE_PREF_SIZE); // the title stays whole; the actions' labels give way first
        heading.textProperty().bind(Bindings.createStringBinding(() -> title + " (" + list.items().size() + ")",
                list.items()));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(8, heading, spacer);
        top.getChildren().addAll(actions);
        top.setAlignment(Pos.CENTER_LEFT);

        filter.setPromptText("Filter " + title.toLowerCase(java.util.Locale.ROOT));
        filter.setLeft(new org.kordamp.ikonli.javafx.FontIcon(org.kordamp.ikonli.feather.Feather.SEARCH));
        filter.getStyleClass().add("filter-field");
        filter.textProperty().bindBidirectional(list.filterProperty());
        filter.setMaxWidth(420);

        ProblemBanner banner = new ProblemBanner();
        list.problems().addListener((javafx.collections.ListChangeListener<Object>) change ->
                banner.setProblems(java.util.List.copyOf(list.problems())));
        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(list.failureProperty());
        failure.visibleProperty().bind(list.failureProperty().isNotEmpty());
        failure.managedProperty().bind(failure.visibleProperty());

        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(top, filter, banner, failure, table);
    }

    /**
     * A muted line under the page's title that says what an action just did; it takes no room while empty. The
     * caller sets its text.
     */
    public javafx.scene.control.Label addNotice(String id) {
        javafx.scene.control.Label notice = new javafx.scene.control.Label();
        notice.setId(id);
        notice.setWrapText(true);
        notice.getStyleClass().add("text-muted");
        notice.visibleProperty().bind(notice.textProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());
        getChildren().add(2, notice);
        return notice;
    }
}
