package dev.nube.engine.functions.schedules;

import dev.nube.engine.EngineException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rate(N unit)}: every N minutes, hours or days, counted from the schedule's anchor (when it was made or last
 * changed), so the first run comes one period after that. As EventBridge requires, N is a positive whole number and
 * the unit is singular for 1 and plural otherwise ({@code rate(1 hour)}, {@code rate(2 hours)}).
 */
public record RateExpression(String text, long value, String unit, Duration period) implements ScheduleExpression {
    private static final Pattern FORM = Pattern.compile("rate\\(\\s*(\\S+)\\s+(\\S+)\\s*\\)");

    static RateExpression parse(String text) {
        Matcher form = FORM.matcher(text);
        if (!form.matches()) {
            throw invalid(text + ": a rate is written rate(value unit), e.g. rate(5 minutes).");
        }
        String number = form.group(1);
        String unit = form.group(2);
        if (!number.matches("[0-9]{1,9}") || Long.parseLong(number) == 0) {
            throw invalid(text + ": the value '" + number + "' must be a whole number of 1 or more.");
        }
        long value = Long.parseLong(number);
        String singular = unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
        Duration one = switch (singular) {
            case "minute" -> Duration.ofMinutes(1);
            case "hour" -> Duration.ofHours(1);
            case "day" -> Duration.ofDays(1);
            default -> throw invalid(text + ": the unit '" + unit + "' is not one of minute, minutes, hour, hours,"
                    + " day, days.");
        };
        boolean plural = !singular.equals(unit);
        if (value == 1 && plural) {
            throw invalid(text + ": with the value 1 the unit is singular: rate(1 " + singular + ").");
        }
        if (value > 1 && !plural) {
            throw invalid(text + ": with a value over 1 the unit is plural: rate(" + value + " " + unit + "s).");
        }
        return new RateExpression(text, value, unit, one.multipliedBy(value));
    }

    private static EngineException invalid(String message) {
        return new EngineException(INVALID, message);
    }

    /** The first {@code anchor + k * period} (k at least 1) later than {@code after}. */
    @Override
    public Optional<Instant> nextAfter(Instant after, Instant anchor) {
        if (after.isBefore(anchor)) {
            return Optional.of(anchor.plus(period));
        }
        long periods = Duration.between(anchor, after).toMillis() / period.toMillis() + 1;
        return Optional.of(anchor.plus(period.multipliedBy(periods)));
    }
}
