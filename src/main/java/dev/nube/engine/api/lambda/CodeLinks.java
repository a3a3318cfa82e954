package dev.nube.engine.api.lambda;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The download links GetFunction hands out for a function's code, as Lambda's presigned links are: whoever holds
 * the link may download without signing for {@link #VALIDITY}, and no longer. A link is a path with 256 random bits;
 * it names the function by id, so a function deleted and made again under the same name is not served by an old
 * link. Thread-safe; expired links are dropped whenever a new one is made.
 */
final class CodeLinks {
    static final String PREFIX = "/nube/lambda-code/";
    static final Duration VALIDITY = Duration.ofMinutes(10);

    /** What a link opens: the code of one function (by id and name) at one qualifier, until {@code expires}. */
    record Link(String region, String functionId, String name, String version, Instant expires) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private final Clock clock;

    CodeLinks(Clock clock) {
        this.clock = clock;
    }

    /** A new link's path (to put after the server's address). */
    String issue(String region, String functionId, String name, String version) {
        Instant now = clock.instant();
        links.values().removeIf(link -> !link.expires().isAfter(now));
        byte[] bits = new byte[32];
        random.nextBytes(bits);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        links.put(token, new Link(region, functionId, name, version, now.plus(VALIDITY)));
        return PREFIX + token;
    }

    /** The link at {@code rawPath} while it is valid; empty for an unknown or expired one. */
    Optional<Link> open(String rawPath) {
        Link link = links.get(rawPath.substring(PREFIX.length()));
        return link == null || !link.expires().isAfter(clock.instant()) ? Optional.empty() : Optional.of(link);
    }
}
