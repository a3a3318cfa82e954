package dev.nube.ui.shell;

import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.region.Region;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.LeaveGuard;
import dev.nube.ui.common.Placeholder;
import dev.nube.ui.tasks.TasksView;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.Cursor;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Pane;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The console's main window content: a header with the region selector and theme switch, the navigation on the left,
 * the current page in the middle, and the status bar, whose Tasks button opens the tasks panel above it (whatever
 * page is shown). Pages are built on first visit by the factory the composition root gives; a page it does not build
 * shows what it will hold. FX thread only.
 */
public final class ShellView extends BorderPane {
    private final ShellViewModel model;
    private final WorkspaceTabs workspace;
    private final Function<Page, Node> pageFactory;
    private final Map<Page, Node> pages = new EnumMap<>(Page.class);
    private final StackPane content = new StackPane();
    private final ListView<Object> navigation = new ListView<>();
    private final TasksView tasks;
    private final ToggleButton tasksToggle = new ToggleButton();

    public ShellView(ShellViewModel model, WorkspaceTabs workspace, Function<Page, Node> pageFactory,
                     TasksView tasks) {
        this.model = model;
        this.workspace = workspace;
        this.pageFactory = pageFactory;
        this.tasks = tasks;
        getStyleClass().add("shell");
        setTop(header());
        setLeft(navigation());
        content.getStyleClass().add("page-host");
        workspace.setPages(content);
        TabPane tabs = workspace.node();
        // With no terminal open, the tab strip would only show "Console": hide it.
        Runnable strip = () -> {
            tabs.getStyleClass().remove("pages-only");
            if (workspace.onlyPages()) {
                tabs.getStyleClass().add("pages-only");
            }
        };
        tabs.getTabs().addListener((javafx.collections.ListChangeListener<javafx.scene.control.Tab>) c -> strip.run());
        strip.run();
        setCenter(tabs);
        tasksToggle.selectedProperty().bindBidirectional(tasks.shownProperty());
        setBottom(new VBox(tasks, statusBar()));
        model.pageProperty().addListener((obs, old, page) -> show(page));
        navigation.setOnMouseClicked(e -> workspace.showPages());
        show(model.pageProperty().get());
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                installShortcuts();
            }
        });
    }

    private Node header() {
        ImageView logo = new ImageView(new Image(getClass().getResourceAsStream("/dev/nube/icons/nube-32.png")));
        logo.setFitHeight(26);
        logo.setPreserveRatio(true);
        Label title = new Label("Nube");
        title.getStyleClass().add("app-title");

        ComboBox<Region> regions = new ComboBox<>(model.regions());
        regions.setId("region-selector");
        regions.setCellFactory(list -> new RegionCell());
        regions.setButtonCell(new RegionCell());
        regions.setTooltip(new Tooltip("The region every view shows"));
        regions.valueProperty().addListener((obs, old, region) -> {
            if (region != null) {
                model.selectRegion(region.name());
            }
        });
        Runnable syncSelection = () -> model.regions().stream()
                .filter(r -> r.name().equals(model.regionProperty().get())).findFirst()
                .ifPresent(regions::setValue);
        model.regions().addListener((javafx.collections.ListChangeListener<Region>) change -> syncSelection.run());
        model.regionProperty().addListener((obs, old, name) -> syncSelection.run());
        Label regionLabel = new Label("Region");
        regionLabel.setLabelFor(regions);
        regionLabel.getStyleClass().add("text-muted");

        Button manage = new Button(null, new FontIcon(Feather.SETTINGS));
        manage.setId("manage-regions");
        manage.getStyleClass().addAll("button-icon", "flat");
        manage.setTooltip(new Tooltip("Manage regions..."));
        manage.setOnAction(e -> new RegionsDialog(model, getScene().getWindow()).showAndWait());

        Button theme = new Button();
        theme.setId("theme-toggle");
        theme.getStyleClass().addAll("button-icon", "flat");
        theme.graphicProperty().bind(Bindings.createObjectBinding(
                () -> new FontIcon(model.darkProperty().get() ? Feather.SUN : Feather.MOON), model.darkProperty()));
        theme.tooltipProperty().bind(Bindings.createObjectBinding(() -> new Tooltip(
                model.darkProperty().get() ? "Switch to the light theme" : "Switch to the dark theme"),
                model.darkProperty()));
        theme.setOnAction(e -> model.toggleTheme());

        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(10, logo, title, spacer, regionLabel, regions, manage, theme);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add("header");
        return header;
    }

    private Node navigation() {
        Page.Section section = null;
        for (Page page : Page.values()) {
            if (page.section() != section) {
                section = page.section();
                navigation.getItems().add(section);
            }
            navigation.getItems().add(page);
        }
        navigation.setId("navigation");
        navigation.getStyleClass().add("navigation");
        navigation.setCellFactory(list -> new NavigationCell());
        navigation.setPrefWidth(210);
        navigation.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (item instanceof Page page) {
                go(page);
            } else if (item instanceof Page.Section) {
                // Section titles are not pages: step over them in the direction the selection moved.
                int index = navigation.getItems().indexOf(item);
                int previous = old == null ? -1 : navigation.getItems().indexOf(old);
                int next = index + (previous > index && index > 0 ? -1 : 1);
                if (next >= navigation.getItems().size() || next < 0) {
                    next = previous;
                }
                int target = next;
                javafx.application.Platform.runLater(() -> navigation.getSelectionModel().select(target));
            }
        });
        model.pageProperty().addListener((obs, old, page) -> navigation.getSelectionModel().select(page));
        navigation.getSelectionModel().select(model.pageProperty().get());
        return navigation;
    }

    private void installShortcuts() {
        Page[] all = Page.values();
        for (int i = 0; i < all.length && i < 9; i++) {
            Page page = all[i];
            getScene().getAccelerators().put(new KeyCodeCombination(KeyCode.getKeyCode(Integer.toString(i + 1)),
                    KeyCombination.SHORTCUT_DOWN), () -> go(page));
        }
    }

    private Node statusBar() {
        Label data = statusItem(Feather.FOLDER, "Data folder");
        data.textProperty().bind(model.dataFolderProperty());
        data.setId("status-data");
        Label accelerator = statusItem(Feather.CPU, "Accelerator instances run on");
        accelerator.textProperty().bind(Bindings.concat("Accelerator: ", model.acceleratorProperty()));
        accelerator.setId("status-accelerator");
        accelerator.setMinWidth(160); // a reason can be long: cut to fit, whole in the tooltip
        Label sandbox = statusItem(Feather.BOX, "How functions are isolated");
        sandbox.textProperty().bind(Bindings.concat("Sandbox: ", model.sandboxProperty()));
        sandbox.setId("status-sandbox");
        Label api = new Label(null, new FontIcon(Feather.TERMINAL));
        api.setId("status-api");
        api.textProperty().bind(Bindings.createStringBinding(() -> model.apiProperty().get().serving()
                ? "API: " + model.apiProperty().get().url().replaceFirst("^http://", "") : "API: not served",
                model.apiProperty()));
        Tooltip apiTip = new Tooltip();
        apiTip.textProperty().bind(Bindings.createStringBinding(() -> {
            ApiEndpoint.Status status = model.apiProperty().get();
            return (status.serving() ? "The AWS API is served at " + status.url() + "."
                    : status.problem() != null ? "The AWS API is not served: " + status.problem()
                    : "The AWS API is not served.") + "\nClick for its access keys and settings.";
        }, model.apiProperty()));
        api.setTooltip(apiTip);
        api.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        api.setCursor(Cursor.HAND);
        api.setOnMouseClicked(e -> {
            workspace.showPages();
            go(Page.ACCESS_KEYS);
        });
        tasksToggle.setId("tasks-toggle");
        tasksToggle.setGraphic(new FontIcon(Feather.ACTIVITY));
        tasksToggle.getStyleClass().addAll("flat", "small");
        tasksToggle.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        tasksToggle.textProperty().bind(Bindings.createStringBinding(() -> {
            int running = tasks.model().runningProperty().get();
            return running == 0 ? "Tasks" : "Tasks (" + running + " running)";
        }, tasks.model().runningProperty()));
        tasksToggle.setTooltip(new Tooltip("Show or hide the tasks panel: snapshots and copies under way"));
        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(18, tasksToggle, data, spacer, api, accelerator, sandbox);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("status-bar");
        return bar;
    }

    /**
     * A status text that is cut short when the window is too narrow for it (a text as long as the KVM probe's
     * reason for falling back to TCG would otherwise widen the whole console past its window, and push the header's
     * controls out of reach); its tooltip says what it is and shows all of it.
     */
    private static Label statusItem(Feather icon, String what) {
        Label label = new Label(null, new FontIcon(icon));
        Tooltip tooltip = new Tooltip();
        tooltip.textProperty().bind(Bindings.concat(what, "\n", label.textProperty()));
        label.setTooltip(tooltip);
        return label;
    }

    private void show(Page page) {
        workspace.showPages();
        Node node = pages.computeIfAbsent(page, p -> {
            Node built = pageFactory.apply(p);
            return built != null ? built : new Placeholder(p.icon(), p.title(), p.summary());
        });
        content.getChildren().setAll(node);
    }

    /**
     * Goes to {@code target} once the current page lets go of its unsaved edits ({@link LeaveGuard}); if the person
     * cancels, the navigation goes back to the current page.
     */
    private void go(Page target) {
        Page current = model.pageProperty().get();
        if (target == current) {
            return;
        }
        if (pages.get(current) instanceof LeaveGuard guard) {
            boolean[] left = new boolean[1];
            guard.leave(() -> {
                left[0] = true;
                model.navigate(target);
            });
            if (!left[0] && model.pageProperty().get() == current) {
                javafx.application.Platform.runLater(() -> navigation.getSelectionModel().select(current));
            }
            return;
        }
        model.navigate(target);
    }

    /**
     * Asks whether the console may close: first when tasks are running (closing the engine stops them), then every
     * page that holds unsaved edits, one after the other; runs {@code close} when all agree (the composition root
     * calls it on the window's close request).
     */
    public void requestClose(Runnable close) {
        int running = tasks.model().runningProperty().get();
        if (running > 0 && !Dialogs.confirm(getScene() == null ? null : getScene().getWindow(),
                "Close Nube", running == 1 ? "A task is running. Close Nube?" : running + " tasks are running. Close"
                        + " Nube?", "Closing Nube stops " + (running == 1 ? "it" : "them") + " and removes what "
                        + (running == 1 ? "it was" : "they were") + " making (a snapshot or a copy being made, a volume"
                        + " being made from a snapshot). Instances keep running.", "Close")) {
            tasks.shownProperty().set(true);
            return;
        }
        java.util.List<LeaveGuard> guards = pages.values().stream().filter(LeaveGuard.class::isInstance)
                .map(LeaveGuard.class::cast).toList();
        askInTurn(guards, 0, close);
    }

    private static void askInTurn(java.util.List<LeaveGuard> guards, int index, Runnable close) {
        if (index == guards.size()) {
            close.run();
        } else {
            guards.get(index).leave(() -> askInTurn(guards, index + 1, close));
        }
    }

    public ShellViewModel model() {
        return model;
    }

    public WorkspaceTabs workspace() {
        return workspace;
    }

    /** The node shown for the current page (for tests and focus handling). */
    public Node currentPage() {
        return content.getChildren().isEmpty() ? null : content.getChildren().get(0);
    }

    private static final class RegionCell extends ListCell<Region> {
        @Override
        protected void updateItem(Region region, boolean empty) {
            super.updateItem(region, empty);
            setText(empty || region == null ? null : region.name());
        }
    }

    private static final class NavigationCell extends ListCell<Object> {
        @Override
        protected void updateItem(Object item, boolean empty) {
            super.updateItem(item, empty);
            getStyleClass().removeAll("nav-section", "nav-group", "nav-page");
            if (empty || item == null) {
                setText(null);
                setGraphic(null);
                setFocusTraversable(false);
            } else if (item instanceof Page.Section section) {
                setText(section.title());
                setGraphic(null);
                getStyleClass().add(section.group() ? "nav-group" : "nav-section");
            } else {
                Page page = (Page) item;
                setText(page.title());
                setGraphic(new FontIcon(page.icon()));
                getStyleClass().add("nav-page");
            }
        }
    }
}
