package dev.nube.engine.api.logs;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.LogEvent;
import java.util.List;

/**
 * A place between two events of a time-ordered list, told by time rather than by index, so it stays where it was
 * while events are appended: after every event older than {@code time} and after the first {@code seen} events at
 * {@code time}. Written into tokens as {@code time/seen}. Immutable.
 */
record LogPosition(long time, int seen) {
    static final LogPosition START = new LogPosition(Long.MIN_VALUE, 0);

    /** The position just before {@code events.get(index)} (the end when {@code index} is the size). */
    static LogPosition before(List<LogEvent> events, int index) {
        if (index == 0) {
            return START;
        }
        long time = events.get(index - 1).timestamp().toEpochMilli();
        int seen = 0;
        for (int i = index - 1; i >= 0 && events.get(i).timestamp().toEpochMilli() == time; i--) {
            seen++;
        }
        return new LogPosition(time, seen);
    }

    /** The index in {@code events} this position stands before. */
    int index(List<LogEvent> events) {
        int i = 0;
        while (i < events.size() && events.get(i).timestamp().toEpochMilli() < time) {
            i++;
        }
        for (int n = 0; n < seen && i < events.size() && events.get(i).timestamp().toEpochMilli() == time; n++) {
            i++;
        }
        return i;
    }

    String token() {
        return time + "/" + seen;
    }

    /** Reads {@link #token()}; a token this API did not give is InvalidParameterException. */
    static LogPosition parse(String token) {
        try {
            int slash = token.indexOf('/');
            return new LogPosition(Long.parseLong(token.substring(0, slash)), Integer.parseInt(token.substring(
                    slash + 1)));
        } catch (RuntimeException e) {
            throw new EngineException("InvalidParameterException", "The next token '" + token + "' is not one this"
                    + " API handed out.");
        }
    }
}
