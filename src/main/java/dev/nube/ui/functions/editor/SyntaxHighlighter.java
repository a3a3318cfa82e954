package dev.nube.ui.functions.editor;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

/**
 * Turns source text into style classes for the code editor (keyword, string, comment, number, constant, builtin,
 * decorator, definition, json-key, punctuation), one regular expression per language. Lexical only: good enough to
 * read code by, fast enough to run after each edit. Stateless and thread-safe.
 */
public final class SyntaxHighlighter {
    private static final String STRING_DQ = "\"(?:[^\"\\\\\\n]|\\\\.)*\"?";
    private static final String STRING_SQ = "'(?:[^'\\\\\\n]|\\\\.)*'?";
    private static final String NUMBER = "\\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\\d[\\d_]*(?:\\.\\d[\\d_]*)?"
            + "(?:[eE][+-]?\\d+)?[jJlLfFdDn]?)\\b";

    private static final Pattern PYTHON = Pattern.compile(
            "(?<comment>#[^\\n]*)"
            + "|(?<string>(?:\\b[rRbBuUfF]{1,2})?(?:\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|" + STRING_DQ
            + "|" + STRING_SQ + "))"
            + "|(?<decorator>@[\\w.]+)"
            + "|(?<definer>\\b(?:def|class)\\b)(?<gap>[ \\t]+)(?<definition>[A-Za-z_]\\w*)"
            + "|(?<keyword>\\b(?:and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for"
            + "|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)\\b)"
            + "|(?<constant>\\b(?:True|False|None|self|cls)\\b)"
            + "|(?<builtin>\\b(?:print|len|range|dict|list|str|int|float|bool|set|tuple|bytes|isinstance|open|super"
            + "|enumerate|zip|map|filter|sorted|sum|min|max|abs|any|all|getattr|setattr|hasattr|type|repr|round"
            + "|Exception|ValueError|KeyError|TypeError|RuntimeError|IndexError|AttributeError)\\b)"
            + "|(?<number>" + NUMBER + ")");

    private static final Pattern JAVASCRIPT = Pattern.compile(
            "(?<comment>//[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|$))"
            + "|(?<string>" + STRING_DQ + "|" + STRING_SQ + "|`(?:[^`\\\\]|\\\\.)*`?)"
            + "|(?<definer>\\b(?:function|class)\\b)(?<gap>[ \\t]*\\*?[ \\t]*)(?<definition>[A-Za-z_$][\\w$]*)"
            + "|(?<keyword>\\b(?:break|case|catch|class|const|continue|debugger|default|delete|do|else|export"
            + "|extends|finally|for|function|if|import|in|instanceof|let|new|return|super|switch|this|throw|try"
            + "|typeof|var|void|while|with|yield|async|await|of|static|from)\\b)"
            + "|(?<constant>\\b(?:true|false|null|undefined|NaN|Infinity)\\b)"
            + "|(?<builtin>\\b(?:console|JSON|Math|Object|Array|String|Number|Promise|Error|Date|Map|Set|process"
            + "|require|module|exports|Buffer)\\b)"
            + "|(?<number>" + NUMBER + ")");

    private static final Pattern JSON = Pattern.compile(
            "(?<jsonkey>\"(?:[^\"\\\\\\n]|\\\\.)*\"(?=\\s*:))"
            + "|(?<string>" + STRING_DQ + ")"
            + "|(?<constant>\\b(?:true|false|null)\\b)"
            + "|(?<number>-?\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b)"
            + "|(?<punctuation>[{}\\[\\],:])");

    private static final Pattern JAVA = Pattern.compile(
            "(?<comment>//[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|$))"
            + "|(?<string>\"\"\"[\\s\\S]*?(?:\"\"\"|$)|" + STRING_DQ + "|'(?:[^'\\\\\\n]|\\\\.)*')"
            + "|(?<decorator>@(?!interface)[\\w.]+)"
            + "|(?<definer>\\b(?:class|interface|enum|record)\\b)(?<gap>[ \\t]+)(?<definition>[A-Za-z_$][\\w$]*)"
            + "|(?<keyword>\\b(?:abstract|assert|boolean|break|byte|case|catch|char|class|const|continue|default|do"
            + "|double|else|enum|extends|final|finally|float|for|goto|if|implements|import|instanceof|int|interface"
            + "|long|native|new|package|private|protected|public|return|short|static|strictfp|super|switch"
            + "|synchronized|this|throw|throws|transient|try|var|void|volatile|while|record|sealed|permits|yield)\\b)"
            + "|(?<constant>\\b(?:true|false|null)\\b)"
            + "|(?<number>" + NUMBER + ")");

    private static final Pattern GO = Pattern.compile(
            "(?<comment>//[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|$))"
            + "|(?<string>" + STRING_DQ + "|`[^`]*`?|'(?:[^'\\\\\\n]|\\\\.)*')"
            + "|(?<definer>\\b(?:func|type)\\b)(?<gap>[ \\t]+(?:\\([^)]*\\)[ \\t]*)?)(?<definition>[A-Za-z_]\\w*)"
            + "|(?<keyword>\\b(?:break|case|chan|const|continue|default|defer|else|fallthrough|for|func|go|goto|if"
            + "|import|interface|map|package|range|return|select|struct|switch|type|var)\\b)"
            + "|(?<constant>\\b(?:true|false|nil|iota)\\b)"
            + "|(?<builtin>\\b(?:append|cap|close|copy|delete|len|make|new|panic|print|println|recover|any|bool|byte"
            + "|error|int|int64|float64|rune|string|uint|uint8)\\b)"
            + "|(?<number>" + NUMBER + ")");

    /** The groups a match may fill, in the order they can appear within one match, with the class each gives. */
    private static final List<String> GROUPS = List.of("comment", "string", "decorator", "definer", "definition",
            "keyword", "constant", "builtin", "number", "jsonkey", "punctuation");

    private SyntaxHighlighter() {
    }

    /** The style classes of every character of {@code text}, as spans covering all of it. */
    public static StyleSpans<Collection<String>> highlight(Language language, String text) {
        StyleSpansBuilder<Collection<String>> spans = new StyleSpansBuilder<>();
        Pattern pattern = pattern(language);
        int styledTo = 0;
        if (pattern != null) {
            List<String> groups = GROUPS.stream().filter(g -> pattern.pattern().contains("(?<" + g + ">")).toList();
            Matcher matcher = pattern.matcher(text);
            while (matcher.find()) {
                for (String group : groups) {
                    int start = matcher.start(group);
                    if (start < 0) {
                        continue;
                    }
                    spans.add(List.of(), start - styledTo);
                    spans.add(List.of(styleClass(group)), matcher.end(group) - start);
                    styledTo = matcher.end(group);
                }
            }
        }
        spans.add(List.of(), text.length() - styledTo);
        return spans.create();
    }

    private static String styleClass(String group) {
        return switch (group) {
            case "definer" -> "keyword";
            case "jsonkey" -> "json-key";
            default -> group.toLowerCase(Locale.ROOT);
        };
    }

    private static Pattern pattern(Language language) {
        return switch (language) {
            case PYTHON -> PYTHON;
            case JAVASCRIPT -> JAVASCRIPT;
            case JSON -> JSON;
            case JAVA -> JAVA;
            case GO -> GO;
            case PLAIN -> null;
        };
    }
}
