package dev.nube.engine.compute.instances;

import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.compute.instances.metadata.MetadataServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the engine does with each instance when it opens a region: the instance's facts decide, never a stored flag.
 * Runs under the instance's lock (see {@link Instances#regionOpened}). Never throws: what goes wrong with one instance
 * is recorded on it ({@link InstanceTable#recordProblem}) and the engine opens all the same. The one slow case, a stop the
 * console quit in the middle of while the guest still runs, finishes in the background (power button, the grace
 * period, then a kill), the instance showing stopping meanwhile.
 */
final class InstanceReconciler {
    private static final System.Logger LOG = System.getLogger(InstanceReconciler.class.getName());
    /** As EC2, terminated instances stay listed for a while. */
    private static final Duration TERMINATED_SHOWN = Duration.ofHours(1);

    private final InstanceTable table;
    private final InstanceLifecycle lifecycle;
    private final Duration stopGrace;

    InstanceReconciler(InstanceTable table, InstanceLifecycle lifecycle, Duration stopGrace) {
        this.table = table;
        this.lifecycle = lifecycle;
        this.stopGrace = stopGrace;
    }

    /**
     * Brings one instance in line with the facts at engine start: re-attaches a live QEMU, completes or rolls back an
     * operation the console quit in the middle of, records why a QEMU that should run is gone. Caller holds the lock.
     */
    void reconcile(String region, String id) {
        InstanceFiles files = table.files(region, id);
        try {
            InstanceRecord r = table.record(region, id);
            if (r.intent() == Intent.TERMINATED && r.operation() == Operation.NONE) {
                if (r.terminatedAt() != null && r.terminatedAt().isBefore(Instant.now().minus(TERMINATED_SHOWN))) {
                    table.collection(region).delete(id);
                }
                return;
            }
            Optional<ProcessHandle> process = table.findProcess(region, id);
            if (process.isEmpty()) {
                lifecycle.networkDown(region, id, true); // an uplink left by a QEMU that ended meanwhile goes too
            }
            switch (r.operation()) {
                case TERMINATING -> {
                    files.log("engine start: completing the termination");
                    lifecycle.finishTermination(region, id, r.stateReason());
                    return;
                }
                case LAUNCHING -> {
                    if (process.isEmpty()) {
                        files.log("engine start: the launch did not finish; rolling it back");
                        lifecycle.rollBackLaunch(region, id, "the console stopped during the launch");
                        return;
                    }
                }
                case STOPPING -> {
                    if (process.isEmpty()) {
                        files.log("engine start: the stop was done (QEMU is gone)");
                        table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE, r.stateReason()));
                    } else {
                        files.log("engine start: completing the stop of QEMU pid " + process.get().pid()
                                + " (power button, up to " + stopGrace.toSeconds() + " s, then a kill)");
                        table.inBackground(region, id, "completing the stop", () -> finishStop(region, id));
                    }
                    table.publishState(region, id);
                    return;
                }
                default -> {
                }
            }
            if (process.isPresent()) {
                MetadataServer metadata = null;
                try {
                    metadata = lifecycle.serveMetadata(region, r);
                } catch (IOException e) {
                    // The guest reads its metadata at boot; it goes without until the next start.
                    files.log("engine start: cannot serve the metadata (" + e.getMessage() + "); the guest has no"
                            + " metadata service until it is stopped and started");
                }
                // The document first: if QEMU ends while being attached, its exit handler has the last word.
                table.update(region, id, x -> x.with(Intent.RUNNING, Operation.NONE, null));
                lifecycle.attach(region, id, process.get(), metadata, null);
                files.log("engine start: re-attached QEMU pid " + process.get().pid());
            } else if (r.intent() == Intent.RUNNING) {
                String reason = "Server.InternalError: QEMU is no longer running; it ended while the console was"
                        + " closed (see the console output)";
                files.log("engine start: " + reason);
                table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE, reason));
            } else if (r.operation() != Operation.NONE) {
                table.update(region, id, x -> x.withOperation(Operation.NONE));
            }
            table.publishState(region, id);
        } catch (IOException | RuntimeException e) {
            files.log("engine start: " + e.getMessage());
            LOG.log(System.Logger.Level.WARNING, "reconciling " + id + ": " + e.getMessage(), e);
            table.recordProblem(region, id, "At engine start: " + e.getMessage());
        }
    }

    /** The rest of a stop cut short, in the background under the instance's lock. */
    private void finishStop(String region, String id) {
        try {
            InstanceRecord r = table.record(region, id);
            if (r.operation() != Operation.STOPPING) {
                return; // someone else finished it meanwhile
            }
            lifecycle.powerOff(region, id, stopGrace, "engine start: completing the stop");
            if (table.findProcess(region, id).isEmpty()) {
                lifecycle.networkDown(region, id, true);
                table.update(region, id, x -> x.with(Intent.STOPPED, Operation.NONE, r.stateReason()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the engine closes: the next one completes the stop
        }
        table.publishState(region, id);
    }
}
