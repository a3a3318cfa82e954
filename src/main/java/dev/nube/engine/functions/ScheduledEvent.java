package dev.nube.engine.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.store.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * EventBridge's Scheduled Event, the payload a schedule without constant input hands its function:
 * {@code {"version":"0","id":...,"detail-type":"Scheduled Event","source":"aws.events","account":...,
 * "time":"yyyy-MM-ddTHH:mm:ssZ","region":...,"resources":["arn:aws:events:REGION:ACCOUNT:rule/NAME"],"detail":{}}}.
 */
final class ScheduledEvent {
    static final String ACCOUNT = "000000000000";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private ScheduledEvent() {
    }

    /** The rule's ARN as the event names it: arn:aws:events:REGION:000000000000:rule/NAME. */
    static String ruleArn(String region, String ruleName) {
        return "arn:aws:events:" + region + ":" + ACCOUNT + ":rule/" + ruleName;
    }

    /** The event of rule {@code ruleName} due at {@code time}, in one line of JSON, fields in EventBridge's order. */
    static byte[] json(String region, String ruleName, Instant time) {
        ObjectNode event = Json.mapper().createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", ACCOUNT);
        event.put("time", TIME.format(time.truncatedTo(ChronoUnit.SECONDS)));
        event.put("region", region);
        event.putArray("resources").add(ruleArn(region, ruleName));
        event.putObject("detail");
        try {
            return Json.oneLine().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always writes", e);
        }
    }
}
