package dev.nube.ui.functions.editor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Finds every occurrence of a text in a document, for find and replace. Pure: stateless. */
public final class TextSearch {
    private TextSearch() {
    }

    /** A found occurrence: [start, end) in the document. */
    public record Match(int start, int end) {
    }

    /** Every non-overlapping occurrence of {@code needle}, in order; none for an empty needle. */
    public static List<Match> findAll(String text, String needle, boolean matchCase) {
        List<Match> found = new ArrayList<>();
        if (needle == null || needle.isEmpty()) {
            return found;
        }
        String haystack = matchCase ? text : text.toLowerCase(Locale.ROOT);
        String wanted = matchCase ? needle : needle.toLowerCase(Locale.ROOT);
        if (haystack.length() != text.length()) { // a case mapping that changes lengths: search as typed
            haystack = text;
            wanted = needle;
        }
        for (int at = haystack.indexOf(wanted); at >= 0; at = haystack.indexOf(wanted, at + wanted.length())) {
            found.add(new Match(at, at + wanted.length()));
        }
        return found;
    }

    /** The index of the first match at or after {@code caret} (wrapping to the first), or -1 when none. */
    public static int nextFrom(List<Match> matches, int caret) {
        if (matches.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < matches.size(); i++) {
            if (matches.get(i).start() >= caret) {
                return i;
            }
        }
        return 0;
    }

    /** The index of the last match ending before {@code caret} (wrapping to the last), or -1 when none. */
    public static int previousFrom(List<Match> matches, int caret) {
        if (matches.isEmpty()) {
            return -1;
        }
        for (int i = matches.size() - 1; i >= 0; i--) {
            if (matches.get(i).end() <= caret) {
                return i;
            }
        }
        return matches.size() - 1;
    }
}
