package dev.nube.engine.api;

import dev.nube.engine.store.EngineEvent;

/**
 * Where the engine serves the AWS API, and whether it does: its settings ({@code config/api.json}), its state, and
 * starting, stopping and moving it. The console serves the API while it runs; {@code nube serve} without a window.
 * Thread-safe; changes are published as {@link Changed}.
 */
public interface ApiEndpoint {
    /** The port the API is served on unless the user chooses another. */
    int DEFAULT_PORT = 4590;

    /**
     * The port, and whether other machines may connect: false (the default) listens on 127.0.0.1 only; true on every
     * address of this machine, so anyone who can reach it and holds a key can use the API.
     */
    record Settings(int port, boolean allowOtherMachines) {
        public static Settings defaults() {
            return new Settings(DEFAULT_PORT, false);
        }
    }

    /** Serving at {@code url}, or not serving, with the reason when starting failed (null when it was not asked). */
    record Status(boolean serving, String url, String problem) {
    }

    /** The API's status changed (started, stopped, moved, failed to start). */
    record Changed(Status status) implements EngineEvent {
    }

    Settings settings();

    Status status();

    /** Starts serving with the saved settings; a failure (the port in use) is the status's problem, not thrown. */
    Status start();

    /** Checks, saves and applies new settings: a serving API moves to them at once. Refuses a bad port. */
    Status updateSettings(Settings settings);

    void stop();
}
