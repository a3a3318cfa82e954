package dev.nube.ui.functions.editor;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.css.StyleableProperty;
import javafx.css.converter.PaintConverter;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import java.util.ArrayList;
import javafx.scene.control.Control;
import javafx.scene.control.IndexRange;
import javafx.scene.control.Skin;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.LineNumberFactory;
import org.fxmisc.richtext.MultiChangeBuilder;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;
import org.fxmisc.wellbehaved.event.EventPattern;
import org.fxmisc.wellbehaved.event.InputMap;
import org.fxmisc.wellbehaved.event.Nodes;

/**
 * A code editor on RichTextFX: syntax highlighting for {@link Language}, line numbers, the current line
 * highlighted, find and replace (Ctrl+F, Ctrl+H, F3, Esc), undo and redo (Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z), and
 * indentation that follows the code (Enter, Tab, Shift+Tab, closing brackets; see {@link Indentation}). The control
 * holds the document and the find state; {@link CodeEditorSkin} lays them out with the find bar. Colours come from
 * the theme stylesheet (style classes {@code code-editor}, {@code keyword}, {@code string}, ...). Lines can be marked
 * with problems ({@link #setLineMarks}: a compiler's errors), shown on the line ({@code problem-line}) and its number
 * ({@code problem-lineno}), with the message as a tooltip over either; the marks go when a line is added or removed,
 * as they no longer point at the lines they were made for. FX thread only.
 */
public final class CodeEditor extends Control {
    /** Past this size a file is shown without highlighting, so typing stays quick. */
    static final int HIGHLIGHT_LIMIT = 400_000;

    /** What the find bar shows. */
    public enum FindMode { HIDDEN, FIND, REPLACE }

    private final CodeArea area = new CodeArea();
    private final ObjectProperty<Language> language = new SimpleObjectProperty<>(this, "language", Language.PLAIN);
    private final ReadOnlyObjectWrapper<FindMode> findMode = new ReadOnlyObjectWrapper<>(FindMode.HIDDEN);
    private final StringProperty searchText = new SimpleStringProperty("");
    private final StringProperty replacement = new SimpleStringProperty("");
    private final BooleanProperty matchCase = new SimpleBooleanProperty();
    private final ReadOnlyIntegerWrapper matchCount = new ReadOnlyIntegerWrapper();
    private final ReadOnlyIntegerWrapper currentMatch = new ReadOnlyIntegerWrapper();
    private final ReadOnlyIntegerWrapper findRequests = new ReadOnlyIntegerWrapper();
    private final ReadOnlyIntegerWrapper caretLine = new ReadOnlyIntegerWrapper(1);
    private final ReadOnlyIntegerWrapper caretColumn = new ReadOnlyIntegerWrapper(1);
    private final IndentKeys indentKeys = new IndentKeys(area, language::get);
    private final StyleableObjectProperty<Paint> currentLineFill = new SimpleStyleableObjectProperty<>(
            CURRENT_LINE_FILL, this, "currentLineFill", Color.TRANSPARENT) {
        @Override
        protected void invalidated() {
            area.setLineHighlighterFill(get());
        }
    };
    private List<TextSearch.Match> matches = List.of();
    private final java.util.function.IntFunction<javafx.scene.Node> lineNumbers = LineNumberFactory.get(area);
    private List<LineMark> lineMarks = List.of();
    private final javafx.stage.Popup markPopup = new javafx.stage.Popup();
    private final javafx.scene.control.Label markPopupText = new javafx.scene.control.Label();

    /** A problem at a line (from 1), and a column (from 1; 0 when unknown). */
    public record LineMark(int line, int column, String message) {
    }

    public CodeEditor() {
        getStyleClass().add("code-editor");
        area.getStyleClass().add("code-editor-area");
        area.setParagraphGraphicFactory(this::lineGraphic);
        markPopupText.getStyleClass().add("problem-popup");
        markPopupText.setMnemonicParsing(false);
        markPopup.getContent().add(markPopupText);
        area.setMouseOverTextDelay(Duration.ofMillis(300));
        area.addEventHandler(org.fxmisc.richtext.event.MouseOverTextEvent.MOUSE_OVER_TEXT_BEGIN, e -> {
            int line = area.offsetToPosition(e.getCharacterIndex(), org.fxmisc.richtext.model.TwoDimensional.Bias
                    .Forward).getMajor() + 1;
            String message = marksMessage(line);
            if (message != null && getScene() != null) {
                markPopupText.setText(message);
                markPopup.show(area, e.getScreenPosition().getX(), e.getScreenPosition().getY() + 12);
            }
        });
        area.addEventHandler(org.fxmisc.richtext.event.MouseOverTextEvent.MOUSE_OVER_TEXT_END, e -> markPopup.hide());
        area.getParagraphs().addListener((javafx.collections.ListChangeListener<Object>) change -> {
            while (change.next()) {
                if (!lineMarks.isEmpty() && (change.wasAdded() || change.wasRemoved())
                        && change.getAddedSize() != change.getRemovedSize()) {
                    setLineMarks(List.of()); // lines moved: the marks would point at the wrong ones
                    return;
                }
            }
        });
        area.setLineHighlighterOn(true);
        area.multiPlainChanges().successionEnds(Duration.ofMillis(30)).subscribe(changes -> refreshStyles());
        language.addListener((obs, old, value) -> refreshStyles());
        searchText.addListener((obs, old, text) -> {
            refreshStyles();
            select(TextSearch.nextFrom(matches, area.getSelection().getStart()));
        });
        matchCase.addListener((obs, old, value) -> refreshStyles());
        area.caretPositionProperty().addListener((obs, old, position) -> {
            caretLine.set(area.getCurrentParagraph() + 1);
            caretColumn.set(area.getCaretColumn() + 1);
        });
        area.selectionProperty().addListener((obs, old, selection) -> updateCurrentMatch());
        Nodes.addInputMap(area, keys());
        focusedProperty().addListener((obs, old, focused) -> {
            if (focused) {
                area.requestFocus();
            }
        });
    }

    private InputMap<?> keys() {
        return InputMap.sequence(
                InputMap.consume(EventPattern.keyPressed(KeyCode.F, KeyCombination.SHORTCUT_DOWN), e -> showFind(false)),
                InputMap.consume(EventPattern.keyPressed(KeyCode.H, KeyCombination.SHORTCUT_DOWN), e -> showFind(true)),
                InputMap.consume(EventPattern.keyPressed(KeyCode.F3, KeyCombination.SHIFT_DOWN), e -> findPrevious()),
                InputMap.consume(EventPattern.keyPressed(KeyCode.F3), e -> findNext()),
                InputMap.consumeWhen(EventPattern.keyPressed(KeyCode.ESCAPE), () -> findMode.get() != FindMode.HIDDEN,
                        e -> hideFind()),
                InputMap.consume(EventPattern.keyPressed(KeyCode.Y, KeyCombination.SHORTCUT_DOWN), e -> area.redo()),
                indentKeys.inputMap());
    }

    /** {@code -nube-current-line-fill}: the current line's background (RichTextFX takes it as a Paint, not CSS). */
    private static final CssMetaData<CodeEditor, Paint> CURRENT_LINE_FILL = new CssMetaData<>(
            "-nube-current-line-fill", PaintConverter.getInstance(), Color.TRANSPARENT) {
        @Override
        public boolean isSettable(CodeEditor editor) {
            return !editor.currentLineFill.isBound();
        }

        @Override
        public StyleableProperty<Paint> getStyleableProperty(CodeEditor editor) {
            return editor.currentLineFill;
        }
    };
    private static final List<CssMetaData<? extends Styleable, ?>> CSS_META_DATA;

    static {
        List<CssMetaData<? extends Styleable, ?>> all = new ArrayList<>(Control.getClassCssMetaData());
        all.add(CURRENT_LINE_FILL);
        CSS_META_DATA = List.copyOf(all);
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() {
        return CSS_META_DATA;
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new CodeEditorSkin(this);
    }

    /** The RichTextFX area the skin shows. */
    CodeArea area() {
        return area;
    }

    /** Replaces the whole document (a file just read) and forgets the undo history: undo never goes past a load. */
    public void load(String text) {
        area.replaceText(text);
        area.getUndoManager().forgetHistory();
        area.moveTo(0);
        area.requestFollowCaret();
        refreshStyles();
    }

    public String getText() {
        return area.getText();
    }

    public ObservableValue<String> textProperty() {
        return area.textProperty();
    }

    public ObjectProperty<Language> languageProperty() {
        return language;
    }

    public void setLanguage(Language value) {
        language.set(value);
    }

    public BooleanProperty editableProperty() {
        return area.editableProperty();
    }

    public void setEditable(boolean value) {
        area.setEditable(value);
    }

    public void undo() {
        area.undo();
    }

    public void redo() {
        area.redo();
    }

    public ObservableValue<Boolean> undoAvailableProperty() {
        return area.undoAvailableProperty();
    }

    public ObservableValue<Boolean> redoAvailableProperty() {
        return area.redoAvailableProperty();
    }

    public ReadOnlyIntegerProperty caretLineProperty() {
        return caretLine.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty caretColumnProperty() {
        return caretColumn.getReadOnlyProperty();
    }

    // ---- problems at lines ----

    /** Marks the lines of {@code marks} (replacing the marks there were). */
    public void setLineMarks(List<LineMark> marks) {
        List<LineMark> old = lineMarks;
        lineMarks = List.copyOf(marks);
        int paragraphs = area.getParagraphs().size();
        for (LineMark mark : old) {
            if (mark.line() >= 1 && mark.line() <= paragraphs) {
                area.setParagraphStyle(mark.line() - 1, List.of());
            }
        }
        for (LineMark mark : lineMarks) {
            if (mark.line() >= 1 && mark.line() <= paragraphs) {
                area.setParagraphStyle(mark.line() - 1, List.of("problem-line"));
            }
        }
        area.setParagraphGraphicFactory(this::lineGraphic); // the numbers are made again, marked or not
    }

    public List<LineMark> lineMarks() {
        return lineMarks;
    }

    /** True when line {@code line} (from 1) shows a mark. */
    public boolean lineMarked(int line) {
        return line >= 1 && line <= area.getParagraphs().size()
                && area.getParagraph(line - 1).getParagraphStyle().contains("problem-line");
    }

    /** The messages of the marks at {@code line}, one a line, or null when it has none. */
    String marksMessage(int line) {
        List<String> messages = lineMarks.stream().filter(m -> m.line() == line).map(m -> (m.column() > 0 ? line + ":"
                + m.column() : "" + line) + ": " + m.message()).toList();
        return messages.isEmpty() ? null : String.join("\n", messages);
    }

    private javafx.scene.Node lineGraphic(int paragraph) {
        javafx.scene.Node number = lineNumbers.apply(paragraph);
        String message = marksMessage(paragraph + 1);
        if (message != null) {
            number.getStyleClass().add("problem-lineno");
            javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip(message);
            tip.setShowDelay(javafx.util.Duration.millis(200));
            javafx.scene.control.Tooltip.install(number, tip);
        }
        return number;
    }

    /** Puts the caret at {@code line} and {@code column} (from 1; clamped to the text) and scrolls it into view. */
    public void goTo(int line, int column) {
        int paragraph = Math.max(0, Math.min(line - 1, area.getParagraphs().size() - 1));
        int length = area.getParagraphLength(paragraph);
        area.moveTo(paragraph, Math.max(0, Math.min(column - 1, length)));
        if (area.getHeight() > 0) {
            area.showParagraphAtCenter(paragraph);
            return;
        }
        // Not laid out yet (a file just opened): centred once it has a height.
        area.heightProperty().addListener(new javafx.beans.value.ChangeListener<Number>() {
            @Override
            public void changed(ObservableValue<? extends Number> obs, Number old, Number height) {
                if (height.doubleValue() > 0) {
                    area.heightProperty().removeListener(this);
                    area.showParagraphAtCenter(Math.min(paragraph, area.getParagraphs().size() - 1));
                }
            }
        });
    }

    // ---- find and replace ----

    public ReadOnlyObjectProperty<FindMode> findModeProperty() {
        return findMode.getReadOnlyProperty();
    }

    public StringProperty searchTextProperty() {
        return searchText;
    }

    public StringProperty replacementProperty() {
        return replacement;
    }

    public BooleanProperty matchCaseProperty() {
        return matchCase;
    }

    /** How many times the search text occurs. */
    public ReadOnlyIntegerProperty matchCountProperty() {
        return matchCount.getReadOnlyProperty();
    }

    /** Which occurrence is selected, from 1; 0 when the selection is none of them. */
    public ReadOnlyIntegerProperty currentMatchProperty() {
        return currentMatch.getReadOnlyProperty();
    }

    /** Opens the find bar (with the replace row when {@code replace}), seeded with a one-line selection. */
    public void showFind(boolean replace) {
        String selected = area.getSelectedText();
        if (!selected.isEmpty() && !selected.contains("\n")) {
            searchText.set(selected);
        }
        findMode.set(replace && area.isEditable() ? FindMode.REPLACE : FindMode.FIND);
        findRequests.set(findRequests.get() + 1);
        refreshStyles();
    }

    /** Counts the times find was asked for, so the bar takes the focus even when it was open already. */
    ReadOnlyIntegerProperty findRequestsProperty() {
        return findRequests.getReadOnlyProperty();
    }

    public void hideFind() {
        findMode.set(FindMode.HIDDEN);
        refreshStyles();
        area.requestFocus();
    }

    public void findNext() {
        select(TextSearch.nextFrom(matches, area.getSelection().getEnd()));
    }

    public void findPrevious() {
        select(TextSearch.previousFrom(matches, area.getSelection().getStart()));
    }

    /** Replaces the selected occurrence and selects the next one. */
    public void replaceCurrent() {
        if (!area.isEditable()) {
            return;
        }
        if (currentMatch.get() == 0) {
            findNext();
            return;
        }
        IndexRange selection = area.getSelection();
        area.replaceText(selection.getStart(), selection.getEnd(), replacement.get());
        refreshStyles();
        select(TextSearch.nextFrom(matches, selection.getStart() + replacement.get().length()));
    }

    /** Replaces every occurrence as one change (one undo). */
    public void replaceAll() {
        if (!area.isEditable() || matches.isEmpty()) {
            return;
        }
        MultiChangeBuilder<?, ?, ?> change = area.createMultiChange(matches.size());
        for (int i = matches.size() - 1; i >= 0; i--) {
            change.replaceTextAbsolutely(matches.get(i).start(), matches.get(i).end(), replacement.get());
        }
        change.commit();
        refreshStyles();
    }

    private void select(int index) {
        if (index < 0) {
            return;
        }
        TextSearch.Match match = matches.get(index);
        area.selectRange(match.start(), match.end());
        area.requestFollowCaret();
    }

    private void updateCurrentMatch() {
        IndexRange selection = area.getSelection();
        int index = matches.indexOf(new TextSearch.Match(selection.getStart(), selection.getEnd()));
        currentMatch.set(index + 1);
    }

    /** Recomputes the matches and the text's style spans (syntax, with the matches on top while searching). */
    private void refreshStyles() {
        String text = area.getText();
        boolean searching = findMode.get() != FindMode.HIDDEN;
        matches = searching ? TextSearch.findAll(text, searchText.get(), matchCase.get()) : List.of();
        matchCount.set(matches.size());
        updateCurrentMatch();
        StyleSpans<Collection<String>> spans = text.length() > HIGHLIGHT_LIMIT
                ? SyntaxHighlighter.highlight(Language.PLAIN, text) : SyntaxHighlighter.highlight(language.get(), text);
        if (!matches.isEmpty()) {
            spans = spans.overlay(matchSpans(text.length()), (syntax, match) -> match.isEmpty() ? syntax
                    : java.util.stream.Stream.concat(syntax.stream(), match.stream()).toList());
        }
        area.setStyleSpans(0, spans);
    }

    private StyleSpans<Collection<String>> matchSpans(int length) {
        StyleSpansBuilder<Collection<String>> builder = new StyleSpansBuilder<>();
        int at = 0;
        for (TextSearch.Match match : matches) {
            builder.add(List.of(), match.start() - at);
            builder.add(List.of("search-match"), match.end() - match.start());
            at = match.end();
        }
        builder.add(List.of(), length - at);
        return builder.create();
    }
}
