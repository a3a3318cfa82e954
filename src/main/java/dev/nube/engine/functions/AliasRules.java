package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Lambda's rules for an alias: its name (1-128 letters, digits, hyphens and underscores, not only digits, so it never
 * reads as a version), the version it points at, and the routing of a share of its invocations to one more version.
 * The service enforces them; a console checks a form with {@link #nameProblem} and {@link #routingProblem}, which
 * give the same sentences. Stateless.
 */
public final class AliasRules {
    public static final int MAX_NAME_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private AliasRules() {
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw FunctionRules.invalid("Enter an alias name.");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw FunctionRules.invalid("An alias name has at most " + MAX_NAME_LENGTH + " characters; this one has "
                    + name.length() + ".");
        }
        if (name.equals(FunctionConfiguration.LATEST)) {
            throw FunctionRules.invalid("$LATEST names the function's working code; an alias needs another name.");
        }
        if (name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw FunctionRules.invalid("An alias name cannot be only digits ('" + name + "'): those name versions.");
        }
        if (!NAME.matcher(name).matches()) {
            throw FunctionRules.invalid("An alias name may hold only letters, digits, hyphens (-) and underscores"
                    + " (_); '" + name + "' has other characters.");
        }
    }

    /** A version an alias may point at: $LATEST or a version number (whether it is published is checked apart). */
    static void checkVersion(String version) {
        if (version == null || version.isEmpty()) {
            throw FunctionRules.invalid("Choose the version the alias points to ($LATEST or a published version).");
        }
        if (!version.equals(FunctionConfiguration.LATEST) && !VERSION.matcher(version).matches()) {
            throw FunctionRules.invalid("An alias points to $LATEST or a published version number; '" + version
                    + "' is neither.");
        }
    }

    /**
     * Checks {@code weights} (the additional version to its share) against the alias's own {@code version}: at most
     * one entry, a published version number other than {@code version}, a weight from 0.0 up to (not including) 1.0,
     * and neither version $LATEST. Whether the versions exist is checked by the caller.
     */
    static void checkRouting(String version, Map<String, Double> weights) {
        if (weights == null || weights.isEmpty()) {
            return;
        }
        if (weights.size() > 1) {
            throw FunctionRules.invalid("An alias routes to at most one additional version; " + weights.size()
                    + " were given (" + String.join(", ", weights.keySet()) + ").");
        }
        Map.Entry<String, Double> additional = weights.entrySet().iterator().next();
        String other = additional.getKey();
        Double weight = additional.getValue();
        if (FunctionConfiguration.LATEST.equals(version) || FunctionConfiguration.LATEST.equals(other)) {
            throw FunctionRules.invalid("$LATEST is not supported for an alias pointing to more than 1 version:"
                    + " weights split invocations between two published versions.");
        }
        if (other == null || !VERSION.matcher(other).matches()) {
            throw FunctionRules.invalid("The additional version is a published version number; '" + other
                    + "' is not.");
        }
        if (other.equals(version)) {
            throw FunctionRules.invalid("Version " + other + " is already the alias's version: the additional version"
                    + " must be another one.");
        }
        if (weight == null || weight.isNaN() || weight < 0.0 || weight >= 1.0) {
            throw FunctionRules.invalid("The additional version's weight is a share from 0.0 up to (not including)"
                    + " 1.0, e.g. 0.1 for a tenth of the invocations; " + weight + " is not.");
        }
    }

    /** Checks that every version in {@code versions} other than $LATEST is among {@code published}. */
    static void checkPublished(FunctionConfiguration function, Set<String> published, String... versions) {
        for (String version : versions) {
            if (version != null && !version.equals(FunctionConfiguration.LATEST) && !published.contains(version)) {
                throw new EngineException("ResourceNotFoundException", "Function not found: " + function.arn(version)
                        + " (version " + version + " is not published).");
            }
        }
    }

    /** Why {@code name} cannot name an alias, or empty. */
    public static Optional<String> nameProblem(String name) {
        return problem(() -> checkName(name));
    }

    /** Why an alias cannot point at {@code version} with {@code weights}, or empty (publication is not checked). */
    public static Optional<String> routingProblem(String version, Map<String, Double> weights) {
        return problem(() -> {
            checkVersion(version);
            checkRouting(version, weights);
        });
    }

    private static Optional<String> problem(Runnable check) {
        return FunctionRules.problem(check);
    }
}
