package dev.nube.engine.functions;

import dev.nube.engine.functions.sandbox.EnvironmentState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Idle execution environments per function version and revision, most recently used first (so the others age out
 * and are reaped). Thread-safe: one lock; stopping environments happens outside it.
 */
final class WarmPool {
    /** Which environments are interchangeable: same function, version and revision of code and configuration. */
    record Key(String region, String functionId, String version, long revision) {
    }

    private final Map<Key, Deque<Warm>> idle = new HashMap<>();

    /** The most recently used idle environment for {@code key}, or null. */
    synchronized Warm take(Key key) {
        Deque<Warm> environments = idle.get(key);
        while (environments != null && !environments.isEmpty()) {
            Warm warm = environments.pollFirst();
            if (warm.environment().state() == EnvironmentState.READY) {
                return warm;
            }
        }
        return null;
    }

    synchronized void offer(Warm warm) {
        warm.idleSince(System.nanoTime());
        idle.computeIfAbsent(warm.key(), k -> new ArrayDeque<>()).addFirst(warm);
    }

    /** Removes and returns the idle environments whose key matches (to be stopped by the caller). */
    synchronized List<Warm> remove(Predicate<Key> matching) {
        List<Warm> removed = new ArrayList<>();
        for (Iterator<Map.Entry<Key, Deque<Warm>>> it = idle.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Key, Deque<Warm>> entry = it.next();
            if (matching.test(entry.getKey())) {
                removed.addAll(entry.getValue());
                it.remove();
            }
        }
        return removed;
    }

    /** Removes and returns the environments idle longer than {@code keepAlive}, and those that died while idle. */
    synchronized List<Warm> expired(Duration keepAlive) {
        long now = System.nanoTime();
        List<Warm> removed = new ArrayList<>();
        for (Iterator<Deque<Warm>> lists = idle.values().iterator(); lists.hasNext();) {
            Deque<Warm> environments = lists.next();
            environments.removeIf(warm -> {
                boolean gone = now - warm.idleSince() > keepAlive.toNanos()
                        || warm.environment().state() != EnvironmentState.READY;
                if (gone) {
                    removed.add(warm);
                }
                return gone;
            });
            if (environments.isEmpty()) {
                lists.remove();
            }
        }
        return removed;
    }
}
