package dev.nube.ui.shell;

import dev.nube.ui.common.Workspace;
import java.util.LinkedHashMap;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;

/**
 * The workspace as tabs: a fixed first tab holding the pages, then one closable tab per terminal or other view a page
 * opened. Closing the console closes every tab's content. FX thread only.
 */
public final class WorkspaceTabs implements Workspace {
    private final TabPane tabs = new TabPane();
    private final Tab pages = new Tab("Console");
    private final Map<String, Tab> open = new LinkedHashMap<>();

    public WorkspaceTabs() {
        tabs.setId("workspace");
        tabs.getStyleClass().add("workspace");
        pages.setId("pages-tab");
        pages.setClosable(false);
        tabs.getTabs().add(pages);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.ALL_TABS);
    }

    /** The node the shell places in its centre. */
    public TabPane node() {
        return tabs;
    }

    void setPages(Node content) {
        pages.setContent(content);
    }

    /** Whether only the pages are open (no other tab): the shell then hides the tab strip. */
    boolean onlyPages() {
        return open.isEmpty();
    }

    @Override
    public void openTab(String key, String title, Node content, Runnable onClose) {
        Tab tab = open.get(key);
        if (tab == null) {
            tab = new Tab(title, content);
            tab.setId("tab-" + key);
            Tab created = tab;
            tab.setOnClosed(e -> {
                open.remove(key, created);
                onClose.run();
            });
            open.put(key, tab);
            tabs.getTabs().add(tab);
        }
        tabs.getSelectionModel().select(tab);
    }

    @Override
    public boolean showTab(String key) {
        Tab tab = open.get(key);
        if (tab != null) {
            tabs.getSelectionModel().select(tab);
        }
        return tab != null;
    }

    @Override
    public Node tab(String key) {
        Tab tab = open.get(key);
        return tab == null ? null : tab.getContent();
    }

    @Override
    public void closeTab(String key) {
        Tab tab = open.remove(key);
        if (tab != null) {
            tabs.getTabs().remove(tab);
            if (tab.getOnClosed() != null) {
                tab.getOnClosed().handle(null);
            }
        }
    }

    @Override
    public void showPages() {
        tabs.getSelectionModel().select(pages);
    }

    /** Closes every tab as if the person had, so each releases what it holds. */
    public void closeAll() {
        for (String key : open.keySet().toArray(String[]::new)) {
            closeTab(key);
        }
    }
}
