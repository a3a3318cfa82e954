package dev.nube.engine.api.lambda;

import dev.nube.engine.EngineException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A FunctionName as Lambda takes it: a name ({@code my-function}), a partial ARN
 * ({@code 123456789012:function:my-function}) or a full ARN ({@code arn:aws:lambda:REGION:ACCOUNT:function:NAME}),
 * each optionally ending in {@code :QUALIFIER}, reconciled with a Qualifier given apart.
 *
 * @param qualifier null when neither the name nor the request gave one
 */
record FunctionRef(String name, String qualifier) {
    private static final String NAME = "([a-zA-Z0-9_-]{1,64})";
    private static final String QUALIFIER = "(?::(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?";
    private static final Pattern FULL = Pattern.compile("arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:"
            + NAME + QUALIFIER);
    private static final Pattern PARTIAL = Pattern.compile("(\\d{12}):function:" + NAME + QUALIFIER);
    private static final Pattern PLAIN = Pattern.compile(NAME + QUALIFIER);

    /**
     * Reads {@code given} in {@code region}; {@code qualifier} is the request's own Qualifier (may be null). Refuses
     * what is none of the three forms, an ARN of another region, and two qualifiers that differ.
     */
    static FunctionRef parse(String given, String region, String qualifier) {
        if (given == null || given.isEmpty()) {
            throw new EngineException("InvalidParameterValueException", "The FunctionName is missing.");
        }
        Matcher m;
        String name;
        String fromName;
        if ((m = FULL.matcher(given)).matches()) {
            if (!m.group(1).equals(region)) {
                throw new EngineException("InvalidParameterValueException", "The function ARN " + given + " is in"
                        + " region " + m.group(1) + " but the request was sent to " + region + ".");
            }
            name = m.group(3);
            fromName = m.group(4);
        } else if ((m = PARTIAL.matcher(given)).matches()) {
            name = m.group(2);
            fromName = m.group(3);
        } else if ((m = PLAIN.matcher(given)).matches()) {
            name = m.group(1);
            fromName = m.group(2);
        } else {
            throw new EngineException("ValidationException", "1 validation error detected: Value '" + given
                    + "' at 'functionName' failed to satisfy constraint: Member must be a function name (letters,"
                    + " digits, - and _, at most 64), a partial ARN (ACCOUNT:function:NAME) or an ARN"
                    + " (arn:aws:lambda:REGION:ACCOUNT:function:NAME), with an optional :QUALIFIER.");
        }
        if (fromName != null && qualifier != null && !qualifier.isEmpty() && !fromName.equals(qualifier)) {
            throw new EngineException("InvalidParameterValueException", "The derived qualifier from the function name"
                    + " (" + fromName + ") does not match the specified qualifier (" + qualifier + ").");
        }
        String chosen = fromName != null ? fromName : qualifier == null || qualifier.isEmpty() ? null : qualifier;
        return new FunctionRef(name, chosen);
    }

    /** Whether this names $LATEST (no qualifier, or "$LATEST"). */
    boolean latest() {
        return qualifier == null || qualifier.equals("$LATEST");
    }

    /** Whether the qualifier names an alias: neither $LATEST nor a version number. */
    boolean alias() {
        return !latest() && !qualifier.chars().allMatch(Character::isDigit);
    }

    /**
     * The qualifier as a version: null for $LATEST, else a version number. An alias is refused here: the actions that
     * take one resolve it first (see {@link #alias()}).
     */
    String version(String region) {
        if (latest()) {
            return null;
        }
        if (!qualifier.matches("[1-9][0-9]{0,8}")) {
            throw new EngineException(alias() ? "InvalidParameterValueException" : "ResourceNotFoundException",
                    alias() ? "This action takes $LATEST or a version number as its qualifier, not the alias "
                    + qualifier + "." : "Function not found: arn:aws:lambda:" + region + ":000000000000:function:"
                    + name + ":" + qualifier);
        }
        return qualifier;
    }
}
