package dev.nube.engine.functions.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * EventBridge schedule expressions: what is refused and the message that says why, and the next run times of
 * rates and of cron expressions (lists, ranges, steps, names, L, W, #, years), all from Thursday 2026-12-03 14:30 UTC.
 */
class ScheduleExpressionTest {
    private static final Instant FROM = Instant.parse("2026-12-03T14:30:00Z");

    private static List<Instant> next(String expression, Instant from, int count) {
        return ScheduleExpression.parse(expression).nextTimes(from, from, count);
    }

    private static List<Instant> times(String... values) {
        return Stream.of(values).map(Instant::parse).toList();
    }

    static Stream<Arguments> cronTimes() {
        return Stream.of(
                Arguments.of("cron(0 12 * * ? *)", FROM,
                        times("2026-12-04T12:00:00Z", "2026-12-05T12:00:00Z", "2026-12-06T12:00:00Z")),
                Arguments.of("cron(0/15 * * * ? *)", FROM,
                        times("2026-12-03T14:45:00Z", "2026-12-03T15:00:00Z", "2026-12-03T15:15:00Z")),
                Arguments.of("cron(0/15 * * * ? *)", Instant.parse("2026-12-03T14:37:20Z"),
                        times("2026-12-03T14:45:00Z", "2026-12-03T15:00:00Z")),
                Arguments.of("cron(5,35 14 * * ? *)", FROM,
                        times("2026-12-03T14:35:00Z", "2026-12-04T14:05:00Z", "2026-12-04T14:35:00Z")),
                Arguments.of("cron(0 8-18/4 * * ? *)", FROM,
                        times("2026-12-03T16:00:00Z", "2026-12-04T08:00:00Z", "2026-12-04T12:00:00Z")),
                Arguments.of("cron(*/10 9-17 ? * MON-FRI *)", Instant.parse("2026-12-04T17:45:00Z"),
                        times("2026-12-04T17:50:00Z", "2026-12-07T09:00:00Z", "2026-12-07T09:10:00Z")),
                Arguments.of("cron(0 0 ? * 1 *)", FROM, times("2026-12-06T00:00:00Z", "2026-12-13T00:00:00Z")),
                Arguments.of("cron(0 0 ? * L *)", FROM, times("2026-12-05T00:00:00Z", "2026-12-12T00:00:00Z")),
                Arguments.of("cron(0 0 ? * mon,WED *)", FROM,
                        times("2026-12-07T00:00:00Z", "2026-12-09T00:00:00Z", "2026-12-14T00:00:00Z")),
                Arguments.of("cron(30 6 1 JAN,jul ? *)", FROM, times("2027-01-01T06:30:00Z", "2027-07-01T06:30:00Z",
                        "2028-01-01T06:30:00Z")),
                Arguments.of("cron(0 0 1 */5 ? *)", FROM, times("2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z",
                        "2027-11-01T00:00:00Z")),
                Arguments.of("cron(0 8 L * ? *)", FROM,
                        times("2026-12-31T08:00:00Z", "2027-01-31T08:00:00Z", "2027-02-28T08:00:00Z")),
                Arguments.of("cron(0 8 L 2 ? 2028)", FROM, times("2028-02-29T08:00:00Z")),
                Arguments.of("cron(0 9 LW * ? *)", FROM,
                        times("2026-12-31T09:00:00Z", "2027-01-29T09:00:00Z", "2027-02-26T09:00:00Z")),
                Arguments.of("cron(0 9 15W * ? 2027)", FROM, times("2027-01-15T09:00:00Z", "2027-02-15T09:00:00Z",
                        "2027-03-15T09:00:00Z", "2027-04-15T09:00:00Z", "2027-05-14T09:00:00Z",
                        "2027-06-15T09:00:00Z", "2027-07-15T09:00:00Z", "2027-08-16T09:00:00Z")),
                Arguments.of("cron(0 9 1W 5 ? 2027)", FROM, times("2027-05-03T09:00:00Z")),
                Arguments.of("cron(0 9 31W 1 ? 2027)", FROM, times("2027-01-29T09:00:00Z")),
                Arguments.of("cron(0 9 ? * 2#1 *)", FROM,
                        times("2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z", "2027-02-01T09:00:00Z")),
                Arguments.of("cron(0 10 ? * 6L 2027)", FROM,
                        times("2027-01-29T10:00:00Z", "2027-02-26T10:00:00Z", "2027-03-26T10:00:00Z")),
                Arguments.of("cron(0 10 ? * FRIL *)", FROM, times("2026-12-25T10:00:00Z")),
                // the special forms, like names, in either case
                Arguments.of("cron(0 8 l * ? *)", FROM,
                        times("2026-12-31T08:00:00Z", "2027-01-31T08:00:00Z", "2027-02-28T08:00:00Z")),
                Arguments.of("cron(0 9 lw * ? *)", FROM,
                        times("2026-12-31T09:00:00Z", "2027-01-29T09:00:00Z", "2027-02-26T09:00:00Z")),
                Arguments.of("cron(0 9 1w 5 ? 2027)", FROM, times("2027-05-03T09:00:00Z")),
                Arguments.of("cron(0 0 ? * l *)", FROM, times("2026-12-05T00:00:00Z", "2026-12-12T00:00:00Z")),
                Arguments.of("cron(0 10 ? * 6l 2027)", FROM,
                        times("2027-01-29T10:00:00Z", "2027-02-26T10:00:00Z", "2027-03-26T10:00:00Z")),
                Arguments.of("cron(0 10 ? * fril *)", FROM, times("2026-12-25T10:00:00Z")),
                Arguments.of("cron(0 9 ? * mon#1 *)", FROM,
                        times("2026-12-07T09:00:00Z", "2027-01-04T09:00:00Z", "2027-02-01T09:00:00Z")),
                Arguments.of("cron(0 0 1 1 ? 2028-2030)", FROM,
                        times("2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z", "2030-01-01T00:00:00Z")),
                Arguments.of("cron(0 0 1 1 ? 2030/50)", FROM,
                        times("2030-01-01T00:00:00Z", "2080-01-01T00:00:00Z", "2130-01-01T00:00:00Z",
                                "2180-01-01T00:00:00Z")),
                Arguments.of("  cron( 15  10  *  *  ?  * )  ", FROM, times("2026-12-04T10:15:00Z")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cronTimes")
    void cronRunsAtTheTimesItsFieldsSelect(String expression, Instant from, List<Instant> expected) {
        assertEquals(expected, next(expression, from, expected.size() + 1).subList(0, expected.size()));
    }

    @Test
    void aScheduleWhoseTimesHavePassedOrNeverComeEnds() {
        assertEquals(List.of(), next("cron(0 0 1 1 ? 2020)", FROM, 3), "a year gone");
        assertEquals(List.of(), next("cron(0 0 30 2 ? *)", FROM, 3), "February has no 30th");
        assertEquals(3, next("cron(0 0 1 1 ? 2028-2030)", FROM, 5).size(), "the last year ends it");
        assertEquals(Optional.empty(), ScheduleExpression.parse("cron(59 23 31 12 ? 2199)")
                .nextAfter(Instant.parse("2199-12-31T23:59:00Z"), FROM), "after the last minute EventBridge allows");
    }

    @Test
    void ratesCountFromTheirAnchor() {
        Instant anchor = Instant.parse("2026-12-03T14:00:00Z");
        ScheduleExpression fiveMinutes = ScheduleExpression.parse("rate(5 minutes)");
        RateExpression rate = assertInstanceOf(RateExpression.class, fiveMinutes);
        assertEquals(Duration.ofMinutes(5), rate.period());
        assertEquals(times("2026-12-03T14:35:00Z", "2026-12-03T14:40:00Z"), fiveMinutes.nextTimes(FROM, anchor, 2));
        assertEquals(Instant.parse("2026-12-03T14:35:00Z"), fiveMinutes.nextAfter(
                Instant.parse("2026-12-03T14:31:59Z"), anchor).orElseThrow());
        assertEquals(Instant.parse("2026-12-03T14:05:00Z"), fiveMinutes.nextAfter(anchor, anchor).orElseThrow(),
                "the first run is one period after the anchor");
        assertEquals(Instant.parse("2026-12-03T14:05:00Z"), fiveMinutes.nextAfter(anchor.minusSeconds(600), anchor)
                .orElseThrow());
        assertEquals(Instant.parse("2026-12-03T15:00:00Z"), ScheduleExpression.parse("rate(1 hour)")
                .nextAfter(FROM, anchor).orElseThrow());
        assertEquals(Instant.parse("2026-12-04T14:00:00Z"), ScheduleExpression.parse("rate(1 day)")
                .nextAfter(FROM, anchor).orElseThrow());
        assertEquals(Instant.parse("2026-12-06T14:00:00Z"), ScheduleExpression.parse("rate(3 days)")
                .nextAfter(FROM, anchor).orElseThrow());
        assertEquals(Instant.parse("2026-12-03T14:31:00Z"), ScheduleExpression.parse("rate(1 minute)")
                .nextAfter(FROM, anchor).orElseThrow());
        assertEquals("rate(2 hours)", ScheduleExpression.parse(" rate(2 hours) ").text());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("", "Enter a schedule expression"),
                Arguments.of("every 5 minutes", "starts with rate( or cron("),
                Arguments.of("rate(1 minutes)", "with the value 1 the unit is singular: rate(1 minute)"),
                Arguments.of("rate(1 hours)", "singular: rate(1 hour)"),
                Arguments.of("rate(5 minute)", "with a value over 1 the unit is plural: rate(5 minutes)"),
                Arguments.of("rate(2 day)", "plural: rate(2 days)"),
                Arguments.of("rate(0 minutes)", "the value '0' must be a whole number of 1 or more"),
                Arguments.of("rate(-1 minutes)", "the value '-1' must be a whole number"),
                Arguments.of("rate(1.5 hours)", "the value '1.5' must be a whole number"),
                Arguments.of("rate(2 weeks)", "the unit 'weeks' is not one of minute, minutes, hour, hours, day, days"),
                Arguments.of("rate(5minutes)", "a rate is written rate(value unit)"),
                Arguments.of("rate(5 minutes", "a rate is written rate(value unit)"),
                Arguments.of("cron(0 12 * * ? *", "a cron expression is written cron(Minutes Hours"),
                Arguments.of("cron(0 12 * * *)", "has six fields (Minutes Hours Day-of-month Month Day-of-week"
                        + " Year); this one has 5"),
                Arguments.of("cron()", "this one has 0"),
                Arguments.of("cron(0 12 * * * *)", "one of Day-of-month (3rd field) and Day-of-week (5th) must be ?"),
                Arguments.of("cron(0 12 ? * ? *)", "and only one: both are."),
                Arguments.of("cron(60 * * * ? *)", "in the Minutes field (1st), 60 is out of range; it takes 0-59."),
                Arguments.of("cron(0 24 * * ? *)", "in the Hours field (2nd), 24 is out of range; it takes 0-23."),
                Arguments.of("cron(0 0 32 * ? *)", "in the Day-of-month field (3rd), 32 is out of range; it takes"
                        + " 1-31."),
                Arguments.of("cron(0 0 ? 13 MON *)", "in the Month field (4th), 13 is out of range; it takes 1-12 or"
                        + " JAN-DEC."),
                Arguments.of("cron(0 0 ? FOO MON *)", "in the Month field (4th), 'FOO' is not a value of this field;"
                        + " it takes 1-12 or JAN-DEC."),
                Arguments.of("cron(0 0 ? * 8 *)", "in the Day-of-week field (5th), 8 is out of range; it takes 1-7 or"
                        + " SUN-SAT."),
                Arguments.of("cron(0 0 ? * MON/2 *)", "in the Day-of-week field (5th), 'MON/2' has '/': Day-of-week"
                        + " takes no steps"),
                Arguments.of("cron(0 0 ? * 2#6 *)", "'2#6' asks for week 6 of the month; # takes 1-5."),
                Arguments.of("cron(0 0 ? * 2#1,3 *)", "is not a form of L or #"),
                Arguments.of("cron(0 0 1 * ? 1969)", "in the Year field (6th), 1969 is out of range; it takes"
                        + " 1970-2199."),
                Arguments.of("cron(0 0 1W,15 * ? *)", "in the Day-of-month field (3rd), '1W,15' is not a form of L"
                        + " or W"),
                Arguments.of("cron(0 0 40W * ? *)", "40 is out of range"),
                Arguments.of("cron(L 0 * * ? *)", "in the Minutes field (1st), 'L' has 'L': only Day-of-month and"
                        + " Day-of-week take L."),
                Arguments.of("cron(0 5W * * ? *)", "in the Hours field (2nd), '5W' has 'W': only Day-of-month"
                        + " takes W."),
                Arguments.of("cron(0 0 ? * 2W *)", "'2W' is not a value of this field; it takes 1-7 or SUN-SAT."),
                Arguments.of("cron(0 0 1 ? ? *)", "in the Month field (4th), '?' has '?': only Day-of-month and"
                        + " Day-of-week take ?."),
                Arguments.of("cron(0 0 1#2 * ? *)", "only Day-of-week takes #."),
                Arguments.of("cron(0 MON * * ? *)", "in the Hours field (2nd), 'MON' has 'M': this field takes 0-23"
                        + " with , - * /."),
                Arguments.of("cron(0 0 ? * FRI-MON *)", "the range 'FRI-MON' goes backwards"),
                Arguments.of("cron(*/0 * * * ? *)", "the step in '*/0' must be a whole number from 1 to 9999."),
                Arguments.of("cron(0/99999 * * * ? *)", "the step in '0/99999' must be a whole number from 1 to"
                        + " 9999."),
                Arguments.of("cron(l 0 * * ? *)", "in the Minutes field (1st), 'l' has 'l': only Day-of-month and"
                        + " Day-of-week take L."),
                Arguments.of("cron(0 0 lx * ? *)", "in the Day-of-month field (3rd), 'lx' has 'x'"),
                Arguments.of("cron(0 0 1,,2 * ? *)", "'1,,2' has an empty item in its list."),
                Arguments.of("cron(0 0- * * ? *)", "'0-' is not complete"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("refused")
    void refusedExpressionsSayWhatIsWrongAndWhere(String expression, String message) {
        EngineException e = assertThrows(EngineException.class, () -> ScheduleExpression.parse(expression));
        assertEquals("ValidationException", e.code());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(e.getMessage(), ScheduleExpression.problem(expression));
    }

    @Test
    void aValidExpressionHasNoProblem() {
        assertEquals("", ScheduleExpression.problem("cron(0 18 ? * MON-FRI *)"));
        assertEquals("", ScheduleExpression.problem("rate(15 minutes)"));
    }
}
