package dev.nube.engine.api.ec2;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes the XML of EC2's Query answers: elements opened and closed in order, text escaped, nothing written for a
 * null value (EC2 leaves out members it has no value for). Not thread-safe; one per answer.
 */
final class XmlWriter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private final StringBuilder out = new StringBuilder(1024);
    private final Deque<String> open = new ArrayDeque<>();

    XmlWriter() {
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /** Opens the answer's root element, e.g. {@code DescribeInstancesResponse}, with EC2's namespace. */
    XmlWriter root(String name) {
        out.append('<').append(name).append(" xmlns=\"").append(Ec2Api.NAMESPACE).append("\">");
        open.push(name);
        return this;
    }

    XmlWriter open(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    XmlWriter close() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** {@code <name>value</name>}, or nothing when value is null. */
    XmlWriter text(String name, Object value) {
        if (value != null) {
            out.append('<').append(name).append('>');
            escape(value instanceof Instant time ? time(time) : String.valueOf(value));
            out.append("</").append(name).append('>');
        }
        return this;
    }

    /** An empty list, {@code <name/>}. */
    XmlWriter empty(String name) {
        out.append('<').append(name).append("/>");
        return this;
    }

    /** EC2's time format, e.g. {@code 2026-12-02T13:01:02.000Z}. */
    static String time(Instant time) {
        return TIME.format(time);
    }

    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1));
                    if (pair) {
                        out.append(c).append(text.charAt(++i));
                    } else if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0xFFFE || c == 0xFFFF
                            || Character.isSurrogate(c)) {
                        out.append('\uFFFD'); // XML 1.0 cannot carry it, not even as a reference
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }

    byte[] bytes() {
        while (!open.isEmpty()) {
            close();
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
