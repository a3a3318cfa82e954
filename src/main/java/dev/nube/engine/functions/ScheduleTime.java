package dev.nube.engine.functions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The time a scheduler keeps: the clock it reads and how it waits for a moment of that clock. The system's is
 * {@link #system()}; tests give one they move forward themselves, so no test waits for minutes to pass.
 */
public interface ScheduleTime {
    Clock clock();

    /**
     * Waits on {@code monitor}, which the caller holds, until the clock reaches {@code deadline} (null: no deadline),
     * the monitor is notified, or the thread is interrupted. May return early; the caller reads the clock again.
     */
    void waitUntil(Object monitor, Instant deadline) throws InterruptedException;

    /**
     * The system's UTC clock. A wait lasts at most a minute, so a clock that jumps (a machine resumed from sleep, a
     * corrected time) is noticed within a minute.
     */
    static ScheduleTime system() {
        Clock utc = Clock.systemUTC();
        return new ScheduleTime() {
            @Override
            public Clock clock() {
                return utc;
            }

            @Override
            public void waitUntil(Object monitor, Instant deadline) throws InterruptedException {
                long millis = deadline == null ? Long.MAX_VALUE : Duration.between(utc.instant(), deadline).toMillis();
                if (millis > 0) {
                    monitor.wait(Math.min(millis, Duration.ofMinutes(1).toMillis()));
                }
            }
        };
    }
}
