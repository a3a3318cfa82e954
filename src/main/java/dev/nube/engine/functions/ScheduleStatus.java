package dev.nube.engine.functions;

import java.time.Instant;
import java.util.List;

/**
 * A schedule with what the scheduler knows of it.
 *
 * @param nextRun  when it fires next; null when it is disabled or never fires again
 * @param lastRuns the last runs since the engine started, newest first (kept in memory, at most
 *                 {@link ScheduleService#KEPT_RUNS})
 */
public record ScheduleStatus(Schedule schedule, Instant nextRun, List<ScheduleRun> lastRuns) {
    public ScheduleStatus {
        lastRuns = List.copyOf(lastRuns);
    }
}
