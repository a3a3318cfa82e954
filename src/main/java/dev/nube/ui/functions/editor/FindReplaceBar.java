package dev.nube.ui.functions.editor;

import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.GridPane;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * The code editor's find and replace bar: search field with the match count, previous/next, match case, and (in
 * replace mode) the replacement with Replace and Replace all. Enter finds the next match, Shift+Enter the previous,
 * Esc closes. A view of the editor's find state only. FX thread only.
 */
final class FindReplaceBar extends GridPane {
    FindReplaceBar(CodeEditor editor) {
        getStyleClass().add("find-bar");
        setHgap(6);
        setVgap(6);
        setAlignment(Pos.CENTER_LEFT);

        TextField find = new TextField();
        find.getStyleClass().add("find-field");
        find.setPromptText("Find");
        find.textProperty().bindBidirectional(editor.searchTextProperty());
        Label count = new Label();
        count.getStyleClass().addAll("find-count", "text-muted");
        count.textProperty().bind(Bindings.createStringBinding(() -> editor.searchTextProperty().get().isEmpty() ? ""
                : editor.matchCountProperty().get() == 0 ? "No results"
                : editor.currentMatchProperty().get() == 0 ? editor.matchCountProperty().get() + " found"
                : editor.currentMatchProperty().get() + " of " + editor.matchCountProperty().get(),
                editor.searchTextProperty(), editor.matchCountProperty(), editor.currentMatchProperty()));
        Button previous = iconButton(Feather.ARROW_UP, "Previous match (Shift+F3)");
        previous.setOnAction(e -> editor.findPrevious());
        Button next = iconButton(Feather.ARROW_DOWN, "Next match (F3)");
        next.setOnAction(e -> editor.findNext());
        ToggleButton matchCase = new ToggleButton("Aa");
        matchCase.getStyleClass().add("find-match-case");
        matchCase.setTooltip(new Tooltip("Match case"));
        matchCase.selectedProperty().bindBidirectional(editor.matchCaseProperty());
        Button close = iconButton(Feather.X, "Close (Esc)");
        close.setOnAction(e -> editor.hideFind());

        TextField replace = new TextField();
        replace.getStyleClass().add("replace-field");
        replace.setPromptText("Replace with");
        replace.textProperty().bindBidirectional(editor.replacementProperty());
        Button replaceOne = new Button("Replace");
        replaceOne.getStyleClass().add("replace-one");
        replaceOne.setOnAction(e -> editor.replaceCurrent());
        Button replaceAll = new Button("Replace all");
        replaceAll.getStyleClass().add("replace-all");
        replaceAll.setOnAction(e -> editor.replaceAll());
        replaceAll.disableProperty().bind(editor.matchCountProperty().isEqualTo(0));

        find.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                if (e.isShiftDown()) {
                    editor.findPrevious();
                } else {
                    editor.findNext();
                }
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                editor.hideFind();
                e.consume();
            }
        });
        replace.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER) {
                editor.replaceCurrent();
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                editor.hideFind();
                e.consume();
            }
        });

        addRow(0, find, count, previous, next, matchCase, close);
        add(replace, 0, 1);
        add(replaceOne, 1, 1);
        add(replaceAll, 2, 1, 3, 1);
        find.setPrefWidth(320);
        replace.setPrefWidth(320);

        editor.findModeProperty().addListener((obs, old, mode) -> show(mode, replace, replaceOne, replaceAll));
        editor.findRequestsProperty().addListener((obs, old, requests) -> {
            find.requestFocus();
            find.selectAll();
        });
        show(editor.findModeProperty().get(), replace, replaceOne, replaceAll);
    }

    private void show(CodeEditor.FindMode mode, javafx.scene.Node... replaceRow) {
        setVisible(mode != CodeEditor.FindMode.HIDDEN);
        setManaged(mode != CodeEditor.FindMode.HIDDEN);
        for (javafx.scene.Node node : replaceRow) {
            node.setVisible(mode == CodeEditor.FindMode.REPLACE);
            node.setManaged(mode == CodeEditor.FindMode.REPLACE);
        }
    }

    private static Button iconButton(Feather icon, String tooltip) {
        Button button = new Button(null, new FontIcon(icon));
        button.getStyleClass().addAll("button-icon", "flat");
        button.setTooltip(new Tooltip(tooltip));
        return button;
    }
}
