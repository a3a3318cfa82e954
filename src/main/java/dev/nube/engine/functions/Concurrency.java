package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Concurrent executions per region, as AWS counts them: a function with reserved concurrency R runs at most R at
 * once and takes R out of the region's pool; the others share what is left (the unreserved pool). Acquiring never
 * waits: beyond the limit the caller is throttled at once, so nothing queues without bound. Thread-safe (CAS).
 */
final class Concurrency {
    private final IntSupplier regionLimit;
    private final Map<String, Region> regions = new ConcurrentHashMap<>();

    private static final class Region {
        final AtomicInteger unreservedInUse = new AtomicInteger();
        final Map<String, Integer> reserved = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

        int reservedTotal() {
            return reserved.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** A taken execution slot; release it exactly once. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    Concurrency(IntSupplier regionLimit) {
        this.regionLimit = regionLimit;
    }

    private Region region(String name) {
        return regions.computeIfAbsent(name, n -> new Region());
    }

    /** Records a function's reserved concurrency (null: none); checks the region can give it. */
    synchronized void reserve(String region, String functionId, Integer reserved) {
        Region r = region(region);
        if (reserved == null) {
            r.reserved.remove(functionId);
            return;
        }
        int others = r.reservedTotal() - r.reserved.getOrDefault(functionId, 0);
        int limit = regionLimit.getAsInt();
        int keepUnreserved = Math.min(100, limit / 10); // AWS keeps at least 100 for functions without a reservation
        if (reserved < 0 || others + reserved > limit - keepUnreserved) {
            throw new EngineException(FunctionRules.INVALID, "Reserved concurrency " + reserved + " is not"
                    + " possible: the region allows " + limit + " concurrent executions, " + others + " are reserved"
                    + " by other functions and " + keepUnreserved + " must stay unreserved.");
        }
        r.reserved.put(functionId, reserved);
    }

    /** Records a reservation that was accepted before (at engine start), without checking it again. */
    void restore(String region, String functionId, int reserved) {
        region(region).reserved.put(functionId, reserved);
    }

    void forget(String region, String functionId) {
        Region r = region(region);
        r.reserved.remove(functionId);
        r.running.remove(functionId);
    }

    /** A slot, or null when the function or the region is at its limit. */
    Slot tryAcquire(String region, String functionId) {
        Region r = region(region);
        Integer reserved = r.reserved.get(functionId);
        AtomicInteger running = r.running.computeIfAbsent(functionId, id -> new AtomicInteger());
        AtomicInteger pool = reserved == null ? r.unreservedInUse : running;
        int limit = reserved == null ? regionLimit.getAsInt() - r.reservedTotal() : reserved;
        while (true) {
            int now = pool.get();
            if (now >= limit) {
                return null;
            }
            if (pool.compareAndSet(now, now + 1)) {
                break;
            }
        }
        if (pool != running) {
            running.incrementAndGet();
        }
        AtomicInteger taken = pool;
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                if (taken != running) {
                    taken.decrementAndGet();
                }
                running.decrementAndGet();
            }
        };
    }

    /** Invocations of the function running now. */
    int running(String region, String functionId) {
        AtomicInteger running = region(region).running.get(functionId);
        return running == null ? 0 : running.get();
    }
}
