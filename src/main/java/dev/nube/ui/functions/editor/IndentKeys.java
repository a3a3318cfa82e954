package dev.nube.ui.functions.editor;

import java.util.function.Supplier;
import javafx.scene.control.IndexRange;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.MultiChangeBuilder;
import org.fxmisc.richtext.model.TwoDimensional;
import org.fxmisc.wellbehaved.event.EventPattern;
import org.fxmisc.wellbehaved.event.InputMap;

/**
 * The code editor's indentation keys: Enter keeps (or deepens, or ends) the indentation, Tab and Shift+Tab indent
 * and outdent the line or the selected lines, and a closing bracket typed on an empty line steps back a level. Each
 * key is one undoable change. The rules themselves are {@link Indentation}'s. FX thread only.
 */
final class IndentKeys {
    private final CodeArea area;
    private final Supplier<Language> language;

    IndentKeys(CodeArea area, Supplier<Language> language) {
        this.area = area;
        this.language = language;
    }

    InputMap<?> inputMap() {
        return InputMap.sequence(
                InputMap.consumeWhen(EventPattern.keyPressed(KeyCode.ENTER), area::isEditable, e -> enter()),
                InputMap.consumeWhen(EventPattern.keyPressed(KeyCode.TAB, KeyCombination.SHIFT_DOWN),
                        area::isEditable, e -> outdent()),
                InputMap.consumeWhen(EventPattern.keyPressed(KeyCode.TAB), area::isEditable, e -> indent()),
                InputMap.consumeWhen(EventPattern.keyTyped(c -> c.length() == 1 && "}])".contains(c)),
                        area::isEditable, e -> closer(e.getCharacter().charAt(0))));
    }

    private String lineBeforeCaret() {
        return area.getParagraph(area.getCurrentParagraph()).getText().substring(0, area.getCaretColumn());
    }

    private void enter() {
        IndexRange selection = area.getSelection();
        TwoDimensional.Position from = area.offsetToPosition(selection.getStart(), TwoDimensional.Bias.Forward);
        TwoDimensional.Position to = area.offsetToPosition(selection.getEnd(), TwoDimensional.Bias.Forward);
        String before = area.getParagraph(from.getMajor()).getText().substring(0, from.getMinor());
        String after = area.getParagraph(to.getMajor()).getText().substring(to.getMinor());
        Indentation.Insertion insertion = Indentation.enter(language.get(), before, after);
        area.replaceText(selection.getStart(), selection.getEnd(), insertion.text());
        area.moveTo(selection.getStart() + insertion.caret());
        area.requestFollowCaret();
    }

    private void indent() {
        IndexRange selection = area.getSelection();
        String unit = language.get().indentUnit();
        if (!area.getSelectedText().contains("\n")) {
            area.replaceSelection(unit);
            return;
        }
        int[] lines = selectedParagraphs();
        MultiChangeBuilder<?, ?, ?> change = area.createMultiChange(lines[1] - lines[0] + 1);
        for (int p = lines[1]; p >= lines[0]; p--) {
            change.insertTextAbsolutely(p, 0, unit);
        }
        change.commit();
        area.selectRange(selection.getStart() + unit.length(), selection.getEnd() + unit.length()
                * (lines[1] - lines[0] + 1));
    }

    private void outdent() {
        int[] lines = selectedParagraphs();
        String unit = language.get().indentUnit();
        MultiChangeBuilder<?, ?, ?> change = area.createMultiChange(lines[1] - lines[0] + 1);
        boolean any = false;
        for (int p = lines[1]; p >= lines[0]; p--) {
            int width = Indentation.outdentWidth(area.getParagraph(p).getText(), unit);
            if (width > 0) {
                change.deleteTextAbsolutely(p, 0, p, width);
                any = true;
            }
        }
        if (any) {
            change.commit();
        }
    }

    private int[] selectedParagraphs() {
        IndexRange selection = area.getSelection();
        int first = area.offsetToPosition(selection.getStart(), TwoDimensional.Bias.Forward).getMajor();
        TwoDimensional.Position end = area.offsetToPosition(selection.getEnd(), TwoDimensional.Bias.Forward);
        int last = end.getMajor();
        if (last > first && end.getMinor() == 0) {
            last--; // a selection ending at a line's start does not take that line
        }
        return new int[] {first, last};
    }

    private void closer(char typed) {
        String before = lineBeforeCaret();
        String lineStart = Indentation.beforeCloser(language.get(), before, typed);
        int caret = area.getCaretPosition();
        if (lineStart == null || area.getSelection().getLength() > 0) {
            area.replaceSelection(String.valueOf(typed));
            return;
        }
        area.replaceText(caret - before.length(), caret, lineStart + typed);
    }
}
