package dev.nube.engine.api.ec2;

import dev.nube.engine.EngineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * EC2's pagination ({@code MaxResults}, {@code NextToken}) over a Describe action's results, which are put in the
 * order of their ids first. A token names the last id handed out, so the next page starts after it even when
 * resources came or went in between; it is opaque to the caller (base64) and refused with InvalidParameterValue when
 * it was not made here. Without {@code MaxResults}, everything is one page (as EC2 answers). Stateless.
 */
final class Ec2Pages {
    private static final String PREFIX = "nube-after:";

    private Ec2Pages() {
    }

    /** One page and the token for the next, null when it is the last. */
    record Page<T>(List<T> items, String nextToken) {
    }

    /**
     * Checks {@code MaxResults} ({@code min} to {@code max}, as EC2 bounds it for the action) and {@code NextToken};
     * returns the page they ask for of {@code all}.
     */
    static <T> Page<T> of(Ec2Call call, List<T> all, Function<T, String> id, int min, int max) {
        String maxText = call.string("MaxResults");
        String token = call.string("NextToken");
        List<T> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparing(id));
        int limit = Integer.MAX_VALUE;
        if (maxText != null) {
            limit = call.integer("MaxResults", 0);
            if (limit < min || limit > max) {
                throw EngineException.invalid("Value ( " + limit + " ) for parameter maxResults is invalid. Expecting"
                        + " a value between " + min + " and " + max + ".");
            }
        }
        int start = 0;
        if (token != null && !token.isEmpty()) {
            String after = decode(token);
            while (start < sorted.size() && id.apply(sorted.get(start)).compareTo(after) <= 0) {
                start++;
            }
        }
        int end = (int) Math.min(sorted.size(), (long) start + limit);
        List<T> page = sorted.subList(start, end);
        String next = end < sorted.size() && !page.isEmpty() ? encode(id.apply(page.get(page.size() - 1))) : null;
        return new Page<>(List.copyOf(page), next);
    }

    /**
     * Answers a Describe action with one page of {@code all}: DryRun checked, then {@code <setName>} with an
     * {@code <item>} per resource written by {@code item}, then {@code nextToken} when there is a next page.
     */
    static <T> void write(Ec2Call call, XmlWriter xml, String setName, List<T> all, Function<T, String> id, int min,
            int max, BiConsumer<XmlWriter, T> item) {
        Page<T> page = of(call, all, id, min, max);
        call.checkDryRun();
        xml.open(setName);
        for (T resource : page.items()) {
            xml.open("item");
            item.accept(xml, resource);
            xml.close();
        }
        xml.close().text("nextToken", page.nextToken());
    }

    /** Refuses {@code MaxResults} beside an explicit list of ids, as EC2 does. */
    static void refuseWithIds(Ec2Call call, List<String> ids, String idsName) {
        if (!ids.isEmpty() && call.string("MaxResults") != null) {
            throw new EngineException("InvalidParameterCombination", "The parameter " + idsName + " cannot be used"
                    + " with the parameter maxResults");
        }
    }

    private static String encode(String lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastId)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
            if (text.startsWith(PREFIX)) {
                return text.substring(PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw EngineException.invalid("Invalid value '" + token + "' for NextToken: it was not returned by a"
                + " previous call.");
    }
}
