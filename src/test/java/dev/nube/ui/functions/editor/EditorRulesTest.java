package dev.nube.ui.functions.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.fxmisc.richtext.model.StyleSpan;
import org.fxmisc.richtext.model.StyleSpans;
import org.junit.jupiter.api.Test;

/** The editor's text rules without a toolkit: languages, highlighting, indentation and search. */
class EditorRulesTest {
    /** "text=class" for every styled run, to compare highlighting by what a reader sees. */
    private static List<String> styled(Language language, String text) {
        StyleSpans<Collection<String>> spans = SyntaxHighlighter.highlight(language, text);
        assertEquals(text.length(), spans.length(), "the spans cover the text");
        List<String> runs = new ArrayList<>();
        int at = 0;
        for (StyleSpan<Collection<String>> span : spans) {
            if (!span.getStyle().isEmpty()) {
                runs.add(text.substring(at, at + span.getLength()) + "=" + String.join(",", span.getStyle()));
            }
            at += span.getLength();
        }
        return runs;
    }

    @Test
    void picksTheLanguageFromTheNameOrTheShebang() {
        assertEquals(Language.PYTHON, Language.of("lambda_function.py", null));
        assertEquals(Language.JAVASCRIPT, Language.of("src/index.mjs", null));
        assertEquals(Language.JSON, Language.of("events/Event.JSON", null));
        assertEquals(Language.JAVA, Language.of("Handler.java", null));
        assertEquals(Language.GO, Language.of("cmd/main.go", null));
        assertEquals(Language.PYTHON, Language.of("bootstrap", "#!/usr/bin/python3"));
        assertEquals(Language.JAVASCRIPT, Language.of("bootstrap", "#!/usr/bin/env node"));
        assertEquals(Language.PLAIN, Language.of("bootstrap", "#!/bin/sh"));
        assertEquals(Language.PLAIN, Language.of("README.md", null));
    }

    @Test
    void highlightsPython() {
        assertEquals(List.of("import=keyword", "def=keyword", "handler=definition", "# say hi=comment",
                        "return=keyword", "\"hi\"=string", "42=number", "None=constant", "print=builtin",
                        "f'x {y}'=string"),
                styled(Language.PYTHON, "import json\ndef handler(e, c):  # say hi\n    return \"hi\", 42, None\n"
                        + "print(f'x {y}')"));
        assertEquals(List.of("\"\"\"doc\nstring\"\"\"=string"), styled(Language.PYTHON, "\"\"\"doc\nstring\"\"\""));
    }

    @Test
    void highlightsJavaScriptJsonAndJava() {
        assertEquals(List.of("export=keyword", "const=keyword", "async=keyword", "// go=comment", "return=keyword",
                "`hi ${x}`=string", "true=constant"), styled(Language.JAVASCRIPT,
                "export const handler = async () => { // go\n  return `hi ${x}` || true; }"));
        assertEquals(List.of("{=punctuation", "\"key\"=json-key", ":=punctuation", "\"value\"=string",
                ",=punctuation", "\"n\"=json-key", ":=punctuation", "-1.5e3=number", ",=punctuation",
                "\"ok\"=json-key", ":=punctuation", "null=constant", "}=punctuation"),
                styled(Language.JSON, "{\"key\": \"value\", \"n\": -1.5e3, \"ok\": null}"));
        assertEquals(List.of("@Override=decorator", "public=keyword", "class=keyword", "Handler=definition",
                "/* x */=comment"), styled(Language.JAVA, "@Override public class Handler /* x */ {}"));
        assertEquals(List.of(), styled(Language.PLAIN, "def x(): return 1"));
        assertEquals(0, SyntaxHighlighter.highlight(Language.PYTHON, "").length());
    }

    @Test
    void highlightsAndIndentsGoWithTabs() {
        assertEquals(List.of("func=keyword", "handler=definition", "map=keyword", "string=builtin", "any=builtin",
                "return=keyword", "\"hi\"=string", "nil=constant", "// ok=comment"), styled(Language.GO,
                "func handler(e map[string]any) { return \"hi\", nil } // ok"));
        assertEquals(List.of("func=keyword", "Run=definition"), styled(Language.GO, "func (s *server) Run() {"));
        assertEquals("\n\t\t", Indentation.enter(Language.GO, "\tif x {", "").text());
        assertEquals("\t", Indentation.beforeCloser(Language.GO, "\t\t", '}'));
    }

    @Test
    void indentsAsTheCodeOpensAndClosesBlocks() {
        assertEquals("\n    ", Indentation.enter(Language.PYTHON, "def handler(event, context):", "").text());
        assertEquals("\n        ", Indentation.enter(Language.PYTHON, "    if x:  ", "").text());
        assertEquals("\n    ", Indentation.enter(Language.PYTHON, "    x = 1", "").text());
        assertEquals("\n", Indentation.enter(Language.PYTHON, "    return x", "").text());
        assertEquals("\n  ", Indentation.enter(Language.JAVASCRIPT, "if (x) {", "").text());
        Indentation.Insertion between = Indentation.enter(Language.JAVASCRIPT, "  const a = {", "};");
        assertEquals("\n    \n  ", between.text());
        assertEquals(5, between.caret(), "the caret on the new inner line");
        assertEquals("  ", Indentation.beforeCloser(Language.JAVASCRIPT, "    ", '}'));
        assertNull(Indentation.beforeCloser(Language.JAVASCRIPT, "  x", '}'));
        assertNull(Indentation.beforeCloser(Language.PYTHON, "    ", ')'));
        assertEquals(4, Indentation.outdentWidth("      x", "    "));
        assertEquals(2, Indentation.outdentWidth("  x", "    "));
        assertEquals("", Indentation.dedent("  ", "    "));
    }

    @Test
    void findsEveryOccurrenceAndWraps() {
        List<TextSearch.Match> all = TextSearch.findAll("Event event EVENT", "event", false);
        assertEquals(3, all.size());
        assertEquals(List.of(new TextSearch.Match(6, 11)), TextSearch.findAll("Event event EVENT", "event", true));
        assertEquals(1, TextSearch.nextFrom(all, 1));
        assertEquals(0, TextSearch.nextFrom(all, 17), "wraps to the first");
        assertEquals(2, TextSearch.previousFrom(all, 0), "wraps to the last");
        assertEquals(List.of(), TextSearch.findAll("abc", "", false));
        assertEquals(2, TextSearch.findAll("aaaa", "aa", true).size(), "occurrences do not overlap");
    }
}
