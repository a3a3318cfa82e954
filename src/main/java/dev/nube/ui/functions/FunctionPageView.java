package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.ui.functions.code.CodeTabView;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The page of one function: a header (back to the list, switch function, what the function is, the isolation
 * notice where the sandbox is weaker than full) and its tabs: Code, Test, Configuration, Monitor, Logs, Versions,
 * Aliases, Schedules. A tab with unsaved edits shows a dot. FX thread only.
 */
final class FunctionPageView extends BorderPane {
    private final FunctionPageViewModel page;
    private final FunctionsViewModel functions;

    /**
     * @param back     goes back to the list (asks about unsaved edits)
     * @param switchTo opens another function of the region (asks about unsaved edits)
     */
    FunctionPageView(FunctionPageViewModel page, FunctionsViewModel functions, Runnable back,
                     Consumer<String> switchTo) {
        this.page = page;
        this.functions = functions;
        getStyleClass().add("function-page");
        setTop(header(back, switchTo));

        TestTabView test = new TestTabView(page.test());
        CodeTabView code = new CodeTabView(page.code(), page.test());
        ConfigurationTabView settings = new ConfigurationTabView(page.settings(), page.url(), page.layers(),
                functions);
        MonitorTabView monitor = new MonitorTabView(page.monitor());
        LogsTabView logs = new LogsTabView(page.logs());
        VersionsTabView versions = new VersionsTabView(page.versions(), page.test());
        SchedulesTabView schedules = new SchedulesTabView(page.schedules());
        AliasesTabView aliases = new AliasesTabView(page.aliases(), page.versions());
        TabPane tabs = new TabPane(
                tab("Code", "code-tab", code, page.code().dirtyCountProperty().greaterThan(0)),
                tab("Test", "test-tab", test, page.test().dirtyProperty()),
                tab("Configuration", "configuration-tab", settings, page.settings().dirtyProperty()),
                tab("Monitor", "monitor-tab", monitor, null),
                tab("Logs", "logs-tab", logs, null),
                tab("Versions", "versions-tab", versions, null),
                tab("Aliases", "aliases-tab", aliases, null),
                tab("Schedules", "schedules-tab", schedules, null));
        tabs.setId("function-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) -> {
            page.monitor().setActive(tab.getContent() == monitor && getScene() != null);
            if (tab.getContent() == logs) {
                page.logs().refresh();
            }
        });
        sceneProperty().addListener((obs, old, scene) -> page.monitor().setActive(scene != null
                && tabs.getSelectionModel().getSelectedItem().getContent() == monitor));
        setCenter(tabs);
    }

    private static Tab tab(String title, String id, Node content, ObservableValue<Boolean> dirty) {
        Tab tab = new Tab(title, content);
        tab.setId(id);
        if (dirty != null) {
            tab.textProperty().bind(Bindings.createStringBinding(() -> dirty.getValue() ? title + " \u25CF" : title,
                    dirty));
        }
        return tab;
    }

    private Node header(Runnable back, Consumer<String> switchTo) {
        Hyperlink list = new Hyperlink("Functions");
        list.setId("back-to-functions");
        list.setOnAction(e -> back.run());
        Label chevron = new Label(null, new FontIcon(Feather.CHEVRON_RIGHT));
        Label title = new Label(page.name());
        title.setId("function-title");
        title.getStyleClass().add("title-2");

        ComboBox<String> switcher = new ComboBox<>();
        switcher.setId("function-switcher");
        switcher.setPromptText("Switch function");
        switcher.itemsProperty().bind(Bindings.createObjectBinding(() -> FXCollections.observableArrayList(
                functions.list().items().stream().map(s -> s.configuration().name())
                        .filter(n -> !n.equals(page.name())).toList()), functions.list().items()));
        switcher.setOnAction(e -> {
            String chosen = switcher.getValue();
            if (chosen != null) {
                javafx.application.Platform.runLater(() -> {
                    switcher.getSelectionModel().clearSelection();
                    switchTo.accept(chosen);
                });
            }
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(6, list, chevron, title, spacer, switcher);
        top.setAlignment(Pos.CENTER_LEFT);

        Label facts = new Label();
        facts.setId("function-facts");
        facts.getStyleClass().add("text-muted");
        facts.textProperty().bind(Bindings.createStringBinding(() -> facts(page.configurationProperty().get()),
                page.configurationProperty(), functions.runtimes()));
        TextField arn = new TextField();
        arn.setEditable(false);
        arn.getStyleClass().add("arn-field");
        arn.textProperty().bind(Bindings.createStringBinding(() -> page.configurationProperty().get() == null ? ""
                : page.configurationProperty().get().arn(null), page.configurationProperty()));
        Label failure = new Label();
        failure.getStyleClass().add("error-text");
        failure.textProperty().bind(page.failureProperty());
        failure.visibleProperty().bind(page.failureProperty().isNotEmpty());
        failure.managedProperty().bind(failure.visibleProperty());

        VBox header = new VBox(6, top, facts, arn, isolationNotice(), failure);
        header.getStyleClass().add("function-header");
        return header;
    }

    private String facts(FunctionConfiguration c) {
        if (c == null) {
            return "Loading...";
        }
        return functions.runtimeTitle(c.runtime()) + "  \u00B7  handler " + c.handler() + "  \u00B7  " + c.memoryMb()
                + " MB  \u00B7  timeout " + c.timeoutSeconds() + " s  \u00B7  region " + c.region()
                + "  \u00B7  modified " + FunctionsView.TIME.format(c.lastModified())
                + (c.description().isEmpty() ? "" : "  \u00B7  " + c.description());
    }

    /** Says plainly when functions here are isolated less than fully, or cannot run at all. */
    private Node isolationNotice() {
        Label notice = new Label(null, new FontIcon(Feather.ALERT_TRIANGLE));
        notice.setId("isolation-notice");
        notice.getStyleClass().add("isolation-notice");
        notice.setWrapText(true);
        notice.setMaxWidth(Double.MAX_VALUE);
        notice.visibleProperty().bind(Bindings.createBooleanBinding(() -> functions.sandboxProperty().get() != null
                && !functions.sandboxProperty().get().full(), functions.sandboxProperty()));
        notice.managedProperty().bind(notice.visibleProperty());
        notice.textProperty().bind(Bindings.createStringBinding(() -> {
            FunctionsViewModel.Sandbox sandbox = functions.sandboxProperty().get();
            if (sandbox == null || sandbox.full()) {
                return "";
            }
            return !sandbox.problem().isEmpty() ? "Functions cannot run on this machine: " + sandbox.problem() + "."
                    : "Weaker isolation here: there are no cgroups, so each of a function's processes gets a data limit"
                    + " a little over its memory, and a watchdog that samples the processes kills the function over"
                    + " its memory or process limit. A function that starts processes of its own can overshoot the"
                    + " memory limit for a moment before it is killed. Sandbox: " + sandbox.description()
                    + (sandbox.description().endsWith(".") ? "" : ".");
        }, functions.sandboxProperty()));
        return notice;
    }
}
