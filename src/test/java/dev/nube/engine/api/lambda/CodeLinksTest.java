package dev.nube.engine.api.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Code download links open what they were made for, for ten minutes, and cannot be guessed from one another. */
class CodeLinksTest {
    @Test
    void aLinkOpensItsCodeForTenMinutesOnly() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        CodeLinks links = new CodeLinks(clock);
        String path = links.issue("local-1", "fn-00000000000000001", "echo", null);
        String other = links.issue("local-1", "fn-00000000000000001", "echo", "1");
        assertNotEquals(path, other);
        assertTrue(path.startsWith(CodeLinks.PREFIX) && path.length() - CodeLinks.PREFIX.length() >= 43, path);
        assertEquals("echo", links.open(path).orElseThrow().name());
        assertEquals("1", links.open(other).orElseThrow().version());
        assertTrue(links.open(CodeLinks.PREFIX + "guessed").isEmpty());
        now.set(now.get().plus(Duration.ofMinutes(10)).minusMillis(1));
        assertTrue(links.open(path).isPresent(), "still valid just before ten minutes");
        now.set(now.get().plusMillis(1));
        assertTrue(links.open(path).isEmpty(), "expired at ten minutes");
    }
}
