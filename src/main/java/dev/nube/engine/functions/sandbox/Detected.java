package dev.nube.engine.functions.sandbox;

import java.util.Optional;

/** What a probe found: a working thing, or the reason it is not usable here (in words for the status bar). */
record Detected<T>(Optional<T> value, String reason) {
    static <T> Detected<T> yes(T value) {
        return new Detected<>(Optional.of(value), "");
    }

    static <T> Detected<T> no(String reason) {
        return new Detected<>(Optional.empty(), reason);
    }
}
