package dev.nube.engine.functions;

import java.time.Instant;

/**
 * Which log events to read: of one stream or all (null), from a time on (inclusive) or from the start (null), before a
 * time (exclusive) or to the end (null), containing a text (case-insensitive; null for all), and at most the last
 * {@code limit} of those (0 or less: every one), oldest first.
 */
public record LogQuery(String stream, Instant since, Instant until, String contains, int limit) {
    public static LogQuery last(int limit) {
        return new LogQuery(null, null, null, null, limit);
    }

    /** Every matching event, however many. */
    public static LogQuery all() {
        return new LogQuery(null, null, null, null, 0);
    }

    public LogQuery inStream(String name) {
        return new LogQuery(name, since, until, contains, limit);
    }

    public LogQuery since(Instant time) {
        return new LogQuery(stream, time, until, contains, limit);
    }

    public LogQuery until(Instant time) {
        return new LogQuery(stream, since, time, contains, limit);
    }

    public LogQuery containing(String text) {
        return new LogQuery(stream, since, until, text, limit);
    }
}
