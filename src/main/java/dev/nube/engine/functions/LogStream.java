package dev.nube.engine.functions;

import java.time.Instant;

/**
 * A log stream: one per execution environment, named as AWS names them ({@code 2024/01/31/[$LATEST]0123abcd...}).
 */
public record LogStream(String name, Instant firstEventAt, Instant lastEventAt, long storedBytes) {
}
