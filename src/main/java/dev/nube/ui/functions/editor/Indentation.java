package dev.nube.ui.functions.editor;

import java.util.regex.Pattern;

/**
 * What the editor types for Enter, Tab and a closing bracket so that code keeps its indentation: the new line starts
 * where the last one did, one level deeper after a block opener (Python's ':' or an open bracket), one level out
 * after Python's return/pass/raise/break/continue, and a closing bracket typed on an empty line steps back a level.
 * Pure text rules, no editor: stateless.
 */
public final class Indentation {
    private static final Pattern PYTHON_BLOCK_END = Pattern.compile("\\s*(return|pass|raise|break|continue)\\b.*");

    private Indentation() {
    }

    /**
     * What to insert in place of the selection when Enter is pressed.
     *
     * @param before the current line's text before the caret
     * @param after  the current line's text after the caret (or the selection's end)
     */
    public static Insertion enter(Language language, String before, String after) {
        String indent = leadingWhitespace(before);
        String unit = language.indentUnit();
        String trimmed = before.stripTrailing();
        if (language == Language.PYTHON) {
            if (trimmed.endsWith(":") && !trimmed.strip().startsWith("#")) {
                return Insertion.at("\n" + indent + unit);
            }
            if (PYTHON_BLOCK_END.matcher(trimmed).matches()) {
                return Insertion.at("\n" + dedent(indent, unit));
            }
            return Insertion.at("\n" + indent);
        }
        if (language.braces() && !trimmed.isEmpty() && "{[(".indexOf(trimmed.charAt(trimmed.length() - 1)) >= 0) {
            char opener = trimmed.charAt(trimmed.length() - 1);
            String inner = "\n" + indent + unit;
            if (after.stripLeading().startsWith(String.valueOf(closer(opener)))) {
                // Between a pair of brackets: open an indented line and put the closer on its own line below.
                return new Insertion(inner + "\n" + indent, inner.length());
            }
            return Insertion.at(inner);
        }
        return Insertion.at("\n" + indent);
    }

    /**
     * The line start to use when {@code closer} is typed with only whitespace before it on the line, or null to
     * type it as it is.
     */
    public static String beforeCloser(Language language, String lineBefore, char closer) {
        if (!language.braces() || "}])".indexOf(closer) < 0 || !lineBefore.isBlank() || lineBefore.isEmpty()) {
            return null;
        }
        return dedent(lineBefore, language.indentUnit());
    }

    /** {@code indent} one level shallower (never below nothing). */
    public static String dedent(String indent, String unit) {
        if (indent.endsWith(unit)) {
            return indent.substring(0, indent.length() - unit.length());
        }
        if (indent.endsWith("\t")) {
            return indent.substring(0, indent.length() - 1);
        }
        return indent.replaceFirst(" {1," + unit.length() + "}$", "");
    }

    /** How much of {@code line}'s start Shift+Tab removes: up to one unit of spaces, or a tab. */
    public static int outdentWidth(String line, String unit) {
        if (line.startsWith("\t")) {
            return 1;
        }
        int spaces = 0;
        while (spaces < unit.length() && spaces < line.length() && line.charAt(spaces) == ' ') {
            spaces++;
        }
        return spaces;
    }

    public static String leadingWhitespace(String line) {
        int end = 0;
        while (end < line.length() && (line.charAt(end) == ' ' || line.charAt(end) == '\t')) {
            end++;
        }
        return line.substring(0, end);
    }

    private static char closer(char opener) {
        return switch (opener) {
            case '{' -> '}';
            case '[' -> ']';
            default -> ')';
        };
    }

    /** Text to insert and where the caret goes, counted from the insertion's start. */
    public record Insertion(String text, int caret) {
        static Insertion at(String text) {
            return new Insertion(text, text.length());
        }
    }
}
