package dev.nube.engine.functions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduleTime} that moves only when a test says so. {@link #awaitIdle} returns once the scheduler has
 * looked at the clock as it is now and gone back to waiting: whatever that time made due has fired by then, and what
 * it did not fire will not fire, which proves a schedule stayed quiet without sleeping.
 */
final class ManualScheduleTime implements ScheduleTime {
    private final ThreadLocal<Long> generationRead = ThreadLocal.withInitial(() -> -1L);
    private final Set<Object> monitors = ConcurrentHashMap.newKeySet();
    private Instant now;
    private long generation;
    private long idleGeneration = -1;

    ManualScheduleTime(Instant start) {
        this.now = start;
    }

    synchronized Instant now() {
        generationRead.set(generation);
        return now;
    }

    @Override
    public Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("the schedule clock is UTC");
            }

            @Override
            public Instant instant() {
                return now();
            }
        };
    }

    @Override
    public void waitUntil(Object monitor, Instant deadline) throws InterruptedException {
        monitors.add(monitor);
        synchronized (this) {
            if (deadline != null && !deadline.isAfter(now)) {
                return; // due already: the caller looks again
            }
            idleGeneration = generationRead.get(); // the time the caller last read, and acted on
            notifyAll();
        }
        monitor.wait(); // the caller holds it; advance() notifies it
    }

    /** Moves the clock forward and wakes the scheduler. */
    void advance(Duration by) {
        synchronized (this) {
            now = now.plus(by);
            generation++;
        }
        for (Object monitor : monitors) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** Waits (at most 30 s of real time) until the scheduler has acted on the clock as it is now. */
    synchronized void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (idleGeneration != generation) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the scheduler did not act on " + now + " within 30 s");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
