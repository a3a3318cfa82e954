package dev.nube.engine.functions;

import java.time.Instant;

/**
 * Which log events to read: of one stream or all (null), since a time or from the start (null), containing a text
 * (case-insensitive; null for all), and at most the last {@code limit} of those, oldest first.
 */
public record LogQuery(String stream, Instant since, String contains, int limit) {
    public static LogQuery last(int limit) {
        return new LogQuery(null, null, null, limit);
    }

    public LogQuery inStream(String name) {
        return new LogQuery(name, since, contains, limit);
    }

    public LogQuery since(Instant time) {
        return new LogQuery(stream, time, contains, limit);
    }

    public LogQuery containing(String text) {
        return new LogQuery(stream, since, text, limit);
    }
}
