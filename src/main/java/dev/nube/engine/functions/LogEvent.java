package dev.nube.engine.functions;

import java.time.Instant;

/** One line of a function's log, as CloudWatch shows it: when, which stream, the text (without newline). */
public record LogEvent(Instant timestamp, String stream, String message) {
}
