package dev.nube.engine.functions.schedules;

import dev.nube.engine.EngineException;
import java.util.BitSet;
import java.util.List;

/**
 * One of the six fields of an EventBridge cron expression, with its range, the names it takes and the wildcards it
 * allows, and the parser of its plain values: lists ({@code ,}), ranges ({@code -}), steps ({@code /}) and
 * {@code *}. The special forms ({@code ?}, {@code L}, {@code W}, {@code #}) are read by {@link CronExpression}.
 */
enum CronField {
    MINUTES("Minutes", 0, 59, List.of()),
    HOURS("Hours", 0, 23, List.of()),
    DAY_OF_MONTH("Day-of-month", 1, 31, List.of()),
    MONTH("Month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    DAY_OF_WEEK("Day-of-week", 1, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
    YEAR("Year", 1970, 2199, List.of());

    /** The largest step a field takes (four digits); a step past the field's range selects its start alone. */
    static final int MAX_STEP = 9999;

    private final String title;
    private final int min;
    private final int max;
    private final List<String> names;

    CronField(String title, int min, int max, List<String> names) {
        this.title = title;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    /** "the Month field (4th)": where a problem is, in the user's words. */
    String where() {
        return "the " + title + " field (" + List.of("1st", "2nd", "3rd", "4th", "5th", "6th").get(ordinal()) + ")";
    }

    /** What the field takes, for messages: "0-59", "1-12 or JAN-DEC". */
    String accepts() {
        return min + "-" + max + (names.isEmpty() ? "" : " or " + names.get(0) + "-" + names.get(names.size() - 1));
    }

    /** The values {@code text} selects: a list of {@code *}, values, ranges and steps. */
    BitSet parse(String expression, String text) {
        BitSet values = new BitSet(max + 1);
        for (String part : text.split(",", -1)) {
            if (part.isEmpty()) {
                throw problem(expression, "'" + text + "' has an empty item in its list.");
            }
            parsePart(expression, part, values);
        }
        return values;
    }

    private void parsePart(String expression, String part, BitSet values) {
        String range = part;
        int step = 1;
        int slash = part.indexOf('/');
        if (slash >= 0) {
            range = part.substring(0, slash);
            String stepText = part.substring(slash + 1);
            if (!stepText.matches("[0-9]+") || stepText.length() > 4 || Integer.parseInt(stepText) == 0) {
                throw problem(expression, "the step in '" + part + "' must be a whole number from 1 to " + MAX_STEP
                        + ".");
            }
            step = Integer.parseInt(stepText);
        }
        int from;
        int to;
        if (range.equals("*")) {
            from = min;
            to = max;
        } else {
            int dash = range.indexOf('-');
            if (dash >= 0) {
                from = value(expression, range.substring(0, dash), part);
                to = value(expression, range.substring(dash + 1), part);
                if (to < from) {
                    throw problem(expression, "the range '" + range + "' goes backwards; write it from the lower"
                            + " to the higher value.");
                }
            } else {
                from = value(expression, range, part);
                to = slash >= 0 ? max : from; // "5/15" means from 5, every 15
            }
        }
        for (int v = from; v <= to; v += step) {
            values.set(v);
        }
    }

    /** A number or a name of this field. */
    int value(String expression, String text, String part) {
        int named = names.indexOf(text.toUpperCase(java.util.Locale.ROOT));
        if (named >= 0) {
            return min + named;
        }
        if (!text.matches("[0-9]{1,4}")) {
            throw problem(expression, "'" + part + "' is not " + (text.isEmpty() ? "complete" : "a value of this"
                    + " field") + "; it takes " + accepts() + ".");
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw problem(expression, value + " is out of range; it takes " + accepts() + ".");
        }
        return value;
    }

    /** A ValidationException naming the expression and this field. */
    EngineException problem(String expression, String what) {
        return new EngineException(ScheduleExpression.INVALID, expression + ": in " + where() + ", " + what);
    }
}
