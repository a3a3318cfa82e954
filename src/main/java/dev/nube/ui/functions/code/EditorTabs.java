package dev.nube.ui.functions.code;

import dev.nube.ui.functions.UnsavedChangesDialog;
import dev.nube.ui.functions.editor.CodeEditor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Window;

/**
 * The open files of the Code tab as editor tabs: one {@link CodeEditor} per file (each with its own undo history), a
 * dot on the tab of a file with unsaved edits, and closing such a tab asks first (save, discard, cancel). Follows the
 * view model's open documents and selection both ways. FX thread only.
 */
public final class EditorTabs extends TabPane {
    private final CodeViewModel model;
    private final Map<CodeDocument, Tab> tabs = new HashMap<>();
    private final Map<CodeDocument, CodeEditor> editors = new HashMap<>();

    public EditorTabs(CodeViewModel model, String idPrefix) {
        this.model = model;
        setId(idPrefix + "-editors");
        getStyleClass().add("editor-tabs");
        setTabClosingPolicy(TabClosingPolicy.ALL_TABS);
        model.documents().addListener((ListChangeListener<CodeDocument>) change -> {
            while (change.next()) {
                change.getRemoved().forEach(this::removed);
                change.getAddedSubList().forEach(this::added);
            }
        });
        model.documents().forEach(this::added);
        model.selectedProperty().addListener((obs, old, document) -> {
            Tab tab = document == null ? null : tabs.get(document);
            if (tab != null) {
                getSelectionModel().select(tab);
                CodeEditor editor = editors.get(document);
                if (editor != null) {
                    javafx.application.Platform.runLater(editor::requestFocus);
                }
            }
        });
        getSelectionModel().selectedItemProperty().addListener((obs, old, tab) ->
                model.selectedProperty().set(tab == null ? null : (CodeDocument) tab.getUserData()));
        model.shownProblemProperty().addListener((obs, old, problem) -> {
            if (problem != null) {
                editors.forEach((document, editor) -> showIfIn(problem, document, editor));
            }
        });
    }

    /** Puts the editor's caret on the problem's line when it is in the editor's file. */
    private static void showIfIn(dev.nube.engine.functions.BuildProblem problem, CodeDocument document,
            CodeEditor editor) {
        if (problem.file().equals(document.path())) {
            javafx.application.Platform.runLater(() -> editor.goTo(problem.line(), problem.column())); // once laid out
        }
    }

    private static void mark(CodeDocument document, CodeEditor editor) {
        editor.setLineMarks(document.problems().stream().map(p -> new CodeEditor.LineMark(p.line(), p.column(),
                p.message())).toList());
    }

    /** The editor of the selected file, or null (none open, or a file that is not text). */
    CodeEditor selectedEditor() {
        CodeDocument document = model.selectedProperty().get();
        return document == null ? null : editors.get(document);
    }

    private void added(CodeDocument document) {
        Tab tab = new Tab();
        tab.setUserData(document);
        tab.textProperty().bind(Bindings.createStringBinding(() -> document.fileName()
                + (document.dirty() ? " \u25CF" : ""), document.pathProperty(), document.dirtyProperty()));
        tab.setTooltip(new javafx.scene.control.Tooltip(document.path()));
        document.dirtyProperty().addListener((obs, old, dirty) -> {
            if (dirty) {
                tab.getStyleClass().add("dirty");
            } else {
                tab.getStyleClass().remove("dirty");
            }
        });
        if (document.notShown() != null) {
            Label notice = new Label(document.notShown());
            notice.setWrapText(true);
            notice.getStyleClass().add("editor-notice");
            tab.setContent(notice);
        } else {
            CodeEditor editor = new CodeEditor();
            editor.setId("editor-" + document.path().replaceAll("[^A-Za-z0-9_-]", "_"));
            editor.setLanguage(document.language());
            editor.load(document.text());
            editor.setEditable(!model.readOnly());
            editor.textProperty().addListener((obs, old, text) -> document.textProperty().set(text));
            document.pathProperty().addListener((obs, old, path) -> editor.setLanguage(document.language()));
            editors.put(document, editor);
            tab.setContent(editor);
            mark(document, editor);
            document.problems().addListener((ListChangeListener<dev.nube.engine.functions.BuildProblem>) change ->
                    mark(document, editor));
            if (model.shownProblemProperty().get() != null) {
                showIfIn(model.shownProblemProperty().get(), document, editor);
            }
        }
        tab.setOnCloseRequest(event -> {
            event.consume(); // the model closes it, once any unsaved edits are dealt with
            close(document);
        });
        tabs.put(document, tab);
        getTabs().add(tab);
    }

    private void removed(CodeDocument document) {
        Tab tab = tabs.remove(document);
        editors.remove(document);
        if (tab != null) {
            getTabs().remove(tab);
        }
    }

    /** Closes a file's tab; with unsaved edits, asks first. */
    void close(CodeDocument document) {
        if (!document.dirty()) {
            model.close(document);
            return;
        }
        switch (UnsavedChangesDialog.ask(window(), "Close " + document.path(), List.of(document.path()))) {
            case SAVE -> model.save(document, () -> model.close(document));
            case DISCARD -> model.close(document);
            case CANCEL -> { }
        }
    }

    private Window window() {
        return dev.nube.ui.common.Nodes.windowOf(this);
    }
}
