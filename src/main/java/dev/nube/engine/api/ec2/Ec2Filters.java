package dev.nube.engine.api.ec2;

import dev.nube.engine.EngineException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The filters one Describe action understands ({@code Filter.N.Name} / {@code Filter.N.Value.M}), as EC2 applies
 * them: a resource matches when it matches every filter, and a filter when any of its values matches one of the
 * resource's (values may hold the wildcards {@code *} and {@code ?}). With {@link #tags}, {@code tag:KEY},
 * {@code tag-key} and {@code tag-value} work too. An unknown filter name is refused with InvalidParameterValue, as
 * EC2 does. Built once per call; not thread-safe.
 */
final class Ec2Filters<T> {
    private final Map<String, Function<T, Collection<String>>> fields = new LinkedHashMap<>();
    private Function<T, Map<String, String>> tags;

    /** A filter on one value of the resource (null: matches nothing). */
    Ec2Filters<T> on(String name, Function<T, Object> value) {
        fields.put(name, t -> {
            Object v = value.apply(t);
            return v == null ? List.of() : List.of(String.valueOf(v));
        });
        return this;
    }

    /** A filter on several values of the resource (any may match). */
    Ec2Filters<T> onAll(String name, Function<T, Collection<String>> values) {
        fields.put(name, values);
        return this;
    }

    /** Adds {@code tag:KEY}, {@code tag-key} and {@code tag-value}, reading the resource's tags. */
    Ec2Filters<T> tags(Function<T, Map<String, String>> tagsOf) {
        this.tags = tagsOf;
        return this;
    }

    /** The test of {@code filters} (name to values); throws InvalidParameterValue for a name not understood. */
    Predicate<T> matcher(Map<String, List<String>> filters) {
        List<Predicate<T>> tests = new ArrayList<>();
        filters.forEach((name, values) -> {
            List<Pattern> patterns = values.stream().map(Ec2Filters::glob).toList();
            Function<T, Collection<String>> field = fields.get(name);
            if (field == null && tags != null && name.startsWith("tag:") && name.length() > 4) {
                String key = name.substring(4);
                field = t -> {
                    String v = tags.apply(t).get(key);
                    return v == null ? List.of() : List.of(v);
                };
            } else if (field == null && tags != null && name.equals("tag-key")) {
                field = t -> tags.apply(t).keySet();
            } else if (field == null && tags != null && name.equals("tag-value")) {
                field = t -> tags.apply(t).values();
            }
            if (field == null) {
                throw EngineException.invalid("The filter '" + name + "' is invalid");
            }
            Function<T, Collection<String>> read = field;
            tests.add(t -> read.apply(t).stream().anyMatch(v -> patterns.stream().anyMatch(p -> p.matcher(v)
                    .matches())));
        });
        return t -> tests.stream().allMatch(test -> test.test(t));
    }

    /** EC2's wildcards: {@code *} any run of characters, {@code ?} one; {@code \} escapes them. */
    static Pattern glob(String value) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                regex.append(Pattern.quote(String.valueOf(value.charAt(++i))));
            } else if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
