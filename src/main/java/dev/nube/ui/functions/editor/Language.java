package dev.nube.ui.functions.editor;

import java.util.Locale;

/**
 * The languages the code editor highlights and indents, chosen from a file's name (or, for a file without an
 * extension such as a custom runtime's {@code bootstrap}, from its {@code #!} line). Immutable.
 */
public enum Language {
    PLAIN("Plain text", "    "),
    PYTHON("Python", "    "),
    JAVASCRIPT("JavaScript", "  "),
    JSON("JSON", "  "),
    JAVA("Java", "    "),
    GO("Go", "\t");

    private final String title;
    private final String indentUnit;

    Language(String title, String indentUnit) {
        this.title = title;
        this.indentUnit = indentUnit;
    }

    public String title() {
        return title;
    }

    /** One level of indentation: spaces (PEP 8's four for Python, two as Node's own code uses), a tab for Go (gofmt's). */
    public String indentUnit() {
        return indentUnit;
    }

    /** True where blocks open with a bracket rather than a colon. */
    boolean braces() {
        return this == JAVASCRIPT || this == JSON || this == JAVA || this == GO;
    }

    /** The language of the file at {@code path} ("lib/util.py"); {@code firstLine} may be null. */
    public static Language of(String path, String firstLine) {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1);
        switch (extension) {
            case "py", "pyi":
                return PYTHON;
            case "js", "mjs", "cjs":
                return JAVASCRIPT;
            case "json":
                return JSON;
            case "java":
                return JAVA;
            case "go":
                return GO;
            case "":
                break;
            default:
                return PLAIN;
        }
        if (firstLine != null && firstLine.startsWith("#!")) {
            if (firstLine.contains("python")) {
                return PYTHON;
            }
            if (firstLine.contains("node")) {
                return JAVASCRIPT;
            }
        }
        return PLAIN;
    }
}
