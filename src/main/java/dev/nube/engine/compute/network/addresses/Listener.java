package dev.nube.engine.compute.network.addresses;

/**
 * One open endpoint: a bound socket and the connections (TCP) or sessions (UDP) it forwards. Made open by its
 * factory; {@link #update} and {@link #close} may be called from any thread and act on open connections at once.
 */
interface Listener {
    Endpoint endpoint();

    /** Applies new allowed sources (same key and guest port): connections from a source no longer allowed are cut. */
    void update(Endpoint changed);

    /** Open TCP connections, or UDP sessions. */
    int connections();

    /** Why it stopped listening by itself (null while it listens). */
    String failure();

    /** Stops listening and cuts every open connection; idempotent. */
    void close();

    /** Ends what has been idle too long; for UDP sessions, called now and then. */
    default void sweep(long nowNanos) {
    }

    /**
     * Waits for {@code thread}, woken by its channel's closing, to end. A channel closed while a thread is blocked in
     * it is released by the kernel only when that thread returns; the wait is bounded in case it never does.
     */
    static void awaitEnd(Thread thread) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
