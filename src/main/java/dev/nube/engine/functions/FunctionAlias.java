package dev.nube.engine.functions;

import java.util.Map;
import java.util.TreeMap;

/**
 * A function's alias, as Lambda has them: a name that points at a published version or $LATEST, and optionally at a
 * second published version that takes a share of the invocations ({@code additionalVersionWeights}, one entry at
 * most: version number to a weight in [0.0, 1.0)). Stored with the function's other aliases in {@code aliases.json}.
 *
 * @param revisionId changes with every update, so an update can be made conditional on what the caller read
 */
public record FunctionAlias(String name, String functionVersion, String description,
        Map<String, Double> additionalVersionWeights, String revisionId) {
    public FunctionAlias {
        description = description == null ? "" : description;
        additionalVersionWeights = additionalVersionWeights == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(additionalVersionWeights));
    }

    /** Whether {@code version} is one this alias sends invocations to. */
    public boolean routesTo(String version) {
        return functionVersion.equals(version) || additionalVersionWeights.containsKey(version);
    }

    /**
     * The version one invocation runs, given {@code draw}, a number drawn uniformly from [0, 1): the additional version
     * when the draw falls below its weight, else the alias's own version.
     */
    public String pick(double draw) {
        for (Map.Entry<String, Double> weighted : additionalVersionWeights.entrySet()) {
            if (draw < weighted.getValue()) {
                return weighted.getKey();
            }
        }
        return functionVersion;
    }
}
