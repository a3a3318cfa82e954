package dev.nube.ui.functions;

import java.math.BigDecimal;
import java.util.Map;

/**
 * What the alias dialog holds, as typed: the alias's name, its version ($LATEST or a number), a description, and
 * optionally an additional version with the percentage of invocations it takes ({@code additionalVersion} empty or
 * null for none). Immutable.
 */
record AliasForm(String name, String version, String description, String additionalVersion, String weightPercent) {
    AliasForm {
        name = name == null ? "" : name.strip();
        description = description == null ? "" : description.strip();
        additionalVersion = additionalVersion == null ? "" : additionalVersion;
        weightPercent = weightPercent == null ? "" : weightPercent.strip();
    }

    /** Whether an additional version is chosen. */
    boolean weighted() {
        return !additionalVersion.isEmpty();
    }

    /** The percentage as typed, read as a number, or null when it is not one. */
    BigDecimal percent() {
        try {
            return new BigDecimal(weightPercent);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The additional version to its share (the percentage over 100), or empty without one; call once valid. */
    Map<String, Double> weights() {
        return weighted() ? Map.of(additionalVersion, percent().movePointLeft(2).doubleValue()) : Map.of();
    }

    /** A share as the dialog shows it: 0.3 as "30". */
    static String percentText(double weight) {
        return BigDecimal.valueOf(weight).movePointRight(2).stripTrailingZeros().toPlainString();
    }
}
