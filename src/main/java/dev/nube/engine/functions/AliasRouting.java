package dev.nube.engine.functions;

import java.util.random.RandomGenerator;

/**
 * Chooses the version an invocation by alias runs: the alias's own version, or, for an alias with a weighted
 * additional version, that version with its weight's probability, from a fresh draw for each invocation (as Lambda
 * routes). The generator can be replaced by a seeded one, so a test's split is reproducible. Thread-safe: draws are
 * taken under this object's lock (the generators Java gives are not all safe to share).
 */
final class AliasRouting {
    private RandomGenerator random;

    AliasRouting(RandomGenerator random) {
        this.random = random;
    }

    synchronized void useGenerator(RandomGenerator value) {
        random = value;
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    /** The version this invocation of {@code alias} runs. */
    String versionFor(FunctionAlias alias) {
        return alias.additionalVersionWeights().isEmpty() ? alias.functionVersion() : alias.pick(draw());
    }
}
