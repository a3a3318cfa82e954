package dev.nube.engine.functions.schedules;

import dev.nube.engine.EngineException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cron(Minutes Hours Day-of-month Month Day-of-week Year)} as EventBridge reads it, in UTC: each field a list
 * of values, ranges ({@code 1-5}, {@code MON-FRI}), steps ({@code 0/15}, {@code *}{@code /10}, {@code 8-18/2}) or
 * {@code *}; day-of-week counts 1 (SUN) to 7 (SAT). Exactly one of day-of-month and day-of-week is {@code ?} (the
 * other decides the day). Day-of-month also takes {@code L} (the last day), {@code nW} (the weekday nearest day n,
 * within the month) and {@code LW} (the last weekday); day-of-week takes {@code L} (Saturday, the week's last day),
 * {@code nL} (the month's last day n, e.g. {@code 6L} its last Friday) and {@code n#k} (its k-th day n, k 1-5).
 * Those forms stand alone in their field. Years run 1970-2199, so every schedule ends.
 */
public final class CronExpression implements ScheduleExpression {
    private static final Pattern FORM = Pattern.compile("cron\\((.*)\\)");
    private static final Pattern NEAREST_WEEKDAY = Pattern.compile("([0-9]{1,2})W");
    private static final Pattern LAST_OF_WEEKDAY = Pattern.compile("([0-9A-Za-z]{1,3})L");
    private static final Pattern NTH_WEEKDAY = Pattern.compile("([0-9A-Za-z]{1,3})#([0-9]{1,2})");

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet months;
    private final BitSet years;
    private final Days days;

    /** How the day is chosen: by day-of-month or by day-of-week, and which special form, if any. */
    private sealed interface Days {
        boolean matches(LocalDate date);
    }

    private record DaysOfMonth(BitSet values) implements Days {
        @Override
        public boolean matches(LocalDate date) {
            return values.get(date.getDayOfMonth());
        }
    }

    private record LastDayOfMonth() implements Days {
        @Override
        public boolean matches(LocalDate date) {
            return date.getDayOfMonth() == date.lengthOfMonth();
        }
    }

    private record LastWeekdayOfMonth() implements Days {
        @Override
        public boolean matches(LocalDate date) {
            LocalDate last = date.withDayOfMonth(date.lengthOfMonth());
            while (isWeekend(last)) {
                last = last.minusDays(1);
            }
            return date.equals(last);
        }
    }

    /** {@code nW}: day n if a weekday, else the nearest weekday in the same month; no day when n is past its end. */
    private record NearestWeekday(int day) implements Days {
        @Override
        public boolean matches(LocalDate date) {
            if (day > date.lengthOfMonth()) {
                return false;
            }
            LocalDate target = date.withDayOfMonth(day);
            if (target.getDayOfWeek() == DayOfWeek.SATURDAY) {
                target = day == 1 ? target.plusDays(2) : target.minusDays(1);
            } else if (target.getDayOfWeek() == DayOfWeek.SUNDAY) {
                target = day == date.lengthOfMonth() ? target.minusDays(2) : target.plusDays(1);
            }
            return date.equals(target);
        }
    }

    private record DaysOfWeek(BitSet values) implements Days {
        @Override
        public boolean matches(LocalDate date) {
            return values.get(weekdayNumber(date));
        }
    }

    private record LastOfWeekday(int dayOfWeek) implements Days {
        @Override
        public boolean matches(LocalDate date) {
            return weekdayNumber(date) == dayOfWeek && date.getDayOfMonth() + 7 > date.lengthOfMonth();
        }
    }

    private record NthWeekday(int dayOfWeek, int nth) implements Days {
        @Override
        public boolean matches(LocalDate date) {
            return weekdayNumber(date) == dayOfWeek && (date.getDayOfMonth() - 1) / 7 + 1 == nth;
        }
    }

    private CronExpression(String text, BitSet minutes, BitSet hours, BitSet months, BitSet years, Days days) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.months = months;
        this.years = years;
        this.days = days;
    }

    static CronExpression parse(String text) {
        Matcher form = FORM.matcher(text);
        if (!form.matches()) {
            throw invalid(text + ": a cron expression is written cron(Minutes Hours Day-of-month Month Day-of-week"
                    + " Year), e.g. cron(0 12 * * ? *).");
        }
        String inside = form.group(1).strip();
        String[] fields = inside.isEmpty() ? new String[0] : inside.split("\\s+");
        if (fields.length != 6) {
            throw invalid(text + ": a cron expression has six fields (Minutes Hours Day-of-month Month Day-of-week"
                    + " Year); this one has " + fields.length + ".");
        }
        for (CronField field : CronField.values()) {
            checkCharacters(text, field, fields[field.ordinal()]);
        }
        boolean anyMonthDay = fields[2].equals("?");
        boolean anyWeekDay = fields[4].equals("?");
        if (anyMonthDay == anyWeekDay) {
            throw invalid(text + ": one of Day-of-month (3rd field) and Day-of-week (5th) must be ?, and only one: "
                    + (anyMonthDay ? "both are." : "write ? in the one you do not use, e.g. cron(0 12 * * ? *) or"
                    + " cron(0 12 ? * MON-FRI *)."));
        }
        BitSet minutes = CronField.MINUTES.parse(text, fields[0]);
        BitSet hours = CronField.HOURS.parse(text, fields[1]);
        BitSet months = CronField.MONTH.parse(text, fields[3]);
        BitSet years = CronField.YEAR.parse(text, fields[5]);
        Days days = anyWeekDay ? daysOfMonth(text, fields[2]) : daysOfWeek(text, fields[4]);
        return new CronExpression(text, minutes, hours, months, years, days);
    }

    /** Refuses the characters a field does not take, naming the field that takes a misplaced wildcard. */
    private static void checkCharacters(String text, CronField field, String value) {
        String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        String allowed = "0123456789,-*" + switch (field) {
            case DAY_OF_MONTH -> "/?LWlw";
            case DAY_OF_WEEK -> "?L#" + letters;
            case MONTH -> "/" + letters;
            default -> "/";
        };
        for (char c : value.toCharArray()) {
            if (allowed.indexOf(c) >= 0) {
                continue;
            }
            String takenBy = switch (Character.toUpperCase(c)) {
                case '?' -> "only Day-of-month and Day-of-week take ?.";
                case 'L' -> "only Day-of-month and Day-of-week take L.";
                case 'W' -> "only Day-of-month takes W.";
                case '#' -> "only Day-of-week takes #.";
                case '/' -> "Day-of-week takes no steps (/); list the days or use a range such as MON-FRI.";
                default -> "this field takes " + field.accepts() + " with , - * " + switch (field) {
                    case DAY_OF_MONTH -> "/ ? L W.";
                    case DAY_OF_WEEK -> "? L #.";
                    default -> "/.";
                };
            };
            throw field.problem(text, "'" + value + "' has '" + c + "': " + takenBy);
        }
    }

    /** The day-of-month field; its special forms, like names, are read in either case ({@code lw} is {@code LW}). */
    private static Days daysOfMonth(String text, String value) {
        CronField field = CronField.DAY_OF_MONTH;
        String upper = value.toUpperCase(Locale.ROOT);
        if (upper.equals("L")) {
            return new LastDayOfMonth();
        }
        if (upper.equals("LW")) {
            return new LastWeekdayOfMonth();
        }
        Matcher nearest = NEAREST_WEEKDAY.matcher(upper);
        if (nearest.matches()) {
            return new NearestWeekday(field.value(text, nearest.group(1), value));
        }
        if (upper.contains("L") || upper.contains("W")) {
            throw field.problem(text, "'" + value + "' is not a form of L or W: use L (the last day), LW (the last"
                    + " weekday) or nW such as 15W (the weekday nearest the 15th), alone in the field.");
        }
        return new DaysOfMonth(field.parse(text, value));
    }

    /** The day-of-week field; its special forms, like names, are read in either case ({@code 6l} is {@code 6L}). */
    private static Days daysOfWeek(String text, String value) {
        CronField field = CronField.DAY_OF_WEEK;
        String upper = value.toUpperCase(Locale.ROOT);
        if (upper.equals("L")) {
            return new DaysOfWeek(bit(7));
        }
        Matcher last = LAST_OF_WEEKDAY.matcher(upper);
        if (last.matches()) {
            return new LastOfWeekday(field.value(text, last.group(1), value));
        }
        Matcher nth = NTH_WEEKDAY.matcher(upper);
        if (nth.matches()) {
            int week = Integer.parseInt(nth.group(2));
            if (week < 1 || week > 5) {
                throw field.problem(text, "'" + value + "' asks for week " + week + " of the month; # takes 1-5.");
            }
            return new NthWeekday(field.value(text, nth.group(1), value), week);
        }
        if (upper.contains("L") || upper.contains("#")) {
            throw field.problem(text, "'" + value + "' is not a form of L or #: use L (Saturday), nL such as 6L (the"
                    + " last Friday of the month) or n#k such as 2#1 (the first Monday), alone in the field.");
        }
        return new DaysOfWeek(field.parse(text, value));
    }

    private static BitSet bit(int index) {
        BitSet bits = new BitSet();
        bits.set(index);
        return bits;
    }

    private static boolean isWeekend(LocalDate date) {
        return date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
    }

    /** EventBridge's day-of-week number: 1 for Sunday to 7 for Saturday. */
    private static int weekdayNumber(LocalDate date) {
        return date.getDayOfWeek().getValue() % 7 + 1;
    }

    private static EngineException invalid(String message) {
        return new EngineException(INVALID, message);
    }

    @Override
    public String text() {
        return text;
    }

    /** The first whole minute after {@code after} that every field matches, searched year, month, day, then time. */
    @Override
    public Optional<Instant> nextAfter(Instant after, Instant anchor) {
        LocalDateTime start = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        for (int year = years.nextSetBit(start.getYear()); year >= 0 && year <= CronField.YEAR.max();
                year = years.nextSetBit(year + 1)) {
            boolean startYear = year == start.getYear();
            for (int month = months.nextSetBit(startYear ? start.getMonthValue() : 1); month >= 0;
                    month = months.nextSetBit(month + 1)) {
                boolean startMonth = startYear && month == start.getMonthValue();
                LocalDate first = LocalDate.of(year, month, 1);
                for (int day = startMonth ? start.getDayOfMonth() : 1; day <= first.lengthOfMonth(); day++) {
                    LocalDate date = first.withDayOfMonth(day);
                    if (!days.matches(date)) {
                        continue;
                    }
                    boolean startDay = startMonth && day == start.getDayOfMonth();
                    Optional<Instant> time = firstTime(date, startDay ? start.getHour() : 0,
                            startDay ? start.getMinute() : 0);
                    if (time.isPresent()) {
                        return time;
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The first matching time of {@code date} at or after {@code hour}:{@code minute}. */
    private Optional<Instant> firstTime(LocalDate date, int hour, int minute) {
        for (int h = hours.nextSetBit(hour); h >= 0; h = hours.nextSetBit(h + 1)) {
            int m = minutes.nextSetBit(h == hour ? minute : 0);
            if (m >= 0) {
                return Optional.of(date.atTime(h, m).toInstant(ZoneOffset.UTC));
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression cron && cron.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
