package dev.nube.ui.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The test event templates the Test tab offers, as the Lambda console's: their JSON lives beside this class in
 * {@code events/}. Immutable.
 */
enum EventTemplate {
    HELLO_WORLD("Hello world", "hello-world"),
    API_GATEWAY_PROXY("API Gateway proxy request", "api-gateway-proxy"),
    S3_PUT("S3 put", "s3-put"),
    SCHEDULED_EVENT("Scheduled event (EventBridge)", "scheduled-event");

    private final String title;
    private final String file;

    EventTemplate(String title, String file) {
        this.title = title;
        this.file = file;
    }

    String title() {
        return title;
    }

    /** A name for a test event made from the template, e.g. "api-gateway-proxy". */
    String eventName() {
        return file;
    }

    /** The template's JSON (read from the jar: small, cached by the class loader). */
    String json() {
        try (InputStream in = EventTemplate.class.getResourceAsStream("events/" + file + ".json")) {
            if (in == null) {
                throw new IllegalStateException("missing event template " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return title;
    }
}
