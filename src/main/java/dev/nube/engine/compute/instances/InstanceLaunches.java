package dev.nube.engine.compute.instances;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.InstanceRecord.Intent;
import dev.nube.engine.compute.instances.InstanceRecord.Operation;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * RunInstances as EC2 answers it: every instance written and returned pending at once, then each given its disk and
 * QEMU in the background, {@link #LAUNCHES_AT_ONCE} at a time (a start is mostly QEMU setting up its machine: a few
 * overlap well on any machine, while 20 at once would only slow each other and the console down). Thread-safe; each
 * background launch holds its instance's lock.
 */
final class InstanceLaunches implements AutoCloseable {
    static final int LAUNCHES_AT_ONCE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /**
     * How long a restored instance may take to answer on SSH before its launch boots it cold instead (a restore
     * answers within a few seconds even on a busy machine under TCG).
     */
    static final Duration RESTORE_SSH_BOUND = Duration.ofSeconds(30);

    private final InstanceTable table;
    private final HostCapacity capacity;
    private final InstanceLifecycle lifecycle;
    private final LaunchSettings settings;
    private final LaunchTemplates templates;
    private final ExecutorService pool = Executors.newFixedThreadPool(LAUNCHES_AT_ONCE, work -> {
        Thread thread = new Thread(work, "instance launch");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closing;

    InstanceLaunches(InstanceTable table, HostCapacity capacity, InstanceLifecycle lifecycle, LaunchSettings settings,
                     LaunchTemplates templates) {
        this.table = table;
        this.capacity = capacity;
        this.lifecycle = lifecycle;
        this.settings = settings;
        this.templates = templates;
    }

    /**
     * Writes every instance of {@code plan} pending and returns them at once; their QEMUs start in the background, a
     * few at once. All or nothing, as RunInstances: when one cannot be written, those written go too and the call
     * throws. The plan's memory reservation is released instance by instance, as each one runs or fails.
     */
    List<Instance> launch(String region, LaunchPlan plan) {
        List<String> created = new ArrayList<>();
        try {
            // One reservation per launch, as EC2 groups the instances of one RunInstances call.
            String reservationId = "r-" + Ids.newId(ResourceKind.INSTANCE).substring(2);
            for (int i = 0; i < plan.count(); i++) {
                created.add(createPending(region, plan, reservationId));
            }
        } catch (RuntimeException e) {
            created.forEach(id -> lifecycle.rollBackLaunch(region, id, "another instance of the launch failed"));
            capacity.release((long) plan.type().memoryMiB() * plan.count());
            throw e;
        }
        for (int i = 0; i < created.size(); i++) {
            String id = created.get(i);
            try {
                pool.execute(() -> finishLaunch(region, id, plan));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The engine is closing: these never start, and their memory is not held for them.
                for (String left : created.subList(i, created.size())) {
                    lifecycle.rollBackLaunch(region, left, "the engine was closing");
                }
                capacity.release((long) plan.type().memoryMiB() * (created.size() - i));
                throw new EngineException("InstanceLaunchFailed", "The engine is closing; launch again.", e);
            }
        }
        return created.stream().map(id -> table.get(region, id)).toList();
    }

    /**
     * Writes a new instance, pending: its folder, user data and document. A failure before the document is written
     * leaves nothing behind; the caller hears it as {@code InstanceLaunchFailed}.
     */
    private String createPending(String region, LaunchPlan plan, String reservationId) {
        String id = Ids.newId(ResourceKind.INSTANCE);
        InstanceFiles files = table.files(region, id);
        try {
            files.create();
            if (plan.userData() != null) {
                AtomicFiles.write(files.userData(), plan.userData(), PosixFilePermissions.fromString("rw-------"));
            }
            table.createWithAddress(region, address -> new InstanceRecord(id, plan.name(), plan.image().id(),
                    plan.type().name(), plan.type().vcpus(), plan.type().memoryMiB(),
                    plan.keyPair() == null ? null : plan.keyPair().id(),
                    plan.keyPair() == null ? null : plan.keyPair().name(),
                    plan.groups().stream().map(SecurityGroup::id).toList(), plan.rootVolumeGiB(),
                    plan.userData() != null, plan.image().sshUser(), Instant.now(), Intent.RUNNING,
                    Operation.LAUNCHING, null, null, address, InstanceTable.macAddressOf(id), reservationId,
                    plan.httpTokens()));
            table.publishState(region, id);
            files.log("launch: " + plan.type().name() + ", image " + plan.image().id() + ", volume "
                    + plan.rootVolumeGiB() + " GiB, user data " + plan.describeUserData() + ", metadata tokens "
                    + plan.httpTokens());
            return id;
        } catch (IOException | RuntimeException e) {
            String why = e instanceof EngineException ? e.getMessage() : String.valueOf(e.getMessage());
            lifecycle.rollBackLaunch(region, id, why);
            throw new EngineException("InstanceLaunchFailed", "Could not launch an instance: " + why, e);
        }
    }

    /**
     * Gives a pending instance its disk and QEMU, under its lock; a failure shows on the instance (terminated, with
     * the reason, as EC2 shows a launch that failed). Skipped when the instance was terminated meanwhile, or when the
     * engine is closing (the next engine start rolls back a launch left half done). Releases the instance's share of
     * the launch's memory reservation: from now on it counts as running, or not at all.
     */
    private void finishLaunch(String region, String id, LaunchPlan plan) {
        try {
            table.withLock(region, id, () -> {
                InstanceRecord r = table.record(region, id);
                if (closing || r.intent() != Intent.RUNNING || r.operation() != Operation.LAUNCHING) {
                    return null;
                }
                InstanceFiles files = table.files(region, id);
                try {
                    if (!restored(region, id, r, files)) {
                        lifecycle.createRootDisk(region, r);
                        lifecycle.launchProcess(region, id);
                    }
                    table.update(region, id, x -> x.withOperation(Operation.NONE));
                    table.publishState(region, id);
                } catch (IOException | RuntimeException e) {
                    String why = e instanceof EngineException ? e.getMessage() : String.valueOf(e.getMessage());
                    files.log("launch failed: " + why);
                    lifecycle.rollBackLaunch(region, id, why);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    lifecycle.rollBackLaunch(region, id, "interrupted");
                }
                return null;
            });
        } catch (RuntimeException e) {
            table.recordProblem(region, id, "launch: " + e.getMessage());
        } finally {
            capacity.release(plan.type().memoryMiB());
        }
    }

    /**
     * Launches the instance by restoring its shape's template when restore launches are on and one is built: true
     * when the restored guest answers on SSH within {@link #RESTORE_SSH_BOUND} or has at least asked the metadata
     * service for its identity by then (it is the instance; booting it again could run its user data twice).
     * Otherwise (no template yet: one is built in the background for the next launch; or the restore failed: undone,
     * and said in the instance's log) false, and the caller boots it cold.
     */
    private boolean restored(String region, String id, InstanceRecord r, InstanceFiles files)
            throws InterruptedException {
        if (!settings.restoreLaunches() || closing) {
            return false;
        }
        LaunchTemplates.Shape shape;
        Optional<LaunchTemplates.Template> template;
        try {
            Optional<LaunchTemplates.Shape> found = lifecycle.templateShape(region, r);
            if (found.isEmpty()) {
                return false;
            }
            shape = found.get();
            template = templates.ready(shape);
            if (template.isEmpty()) {
                files.log("no launch template for this shape yet: booting; one is built in the background");
                templates.buildLater(shape, files::log);
                return false;
            }
        } catch (IOException | RuntimeException e) {
            files.log("restore launch not possible (" + e.getMessage() + "): booting");
            return false;
        }
        try {
            lifecycle.restoreProcess(region, id, shape, template.get());
            if (lifecycle.awaitSsh(region, id, RESTORE_SSH_BOUND)) {
                return true;
            }
            if (lifecycle.guestAskedForIdentity(region, id)) {
                // It has its identity and may have started its user data: booting it again would run that twice.
                files.log("the restored guest took its identity but did not answer on SSH within "
                        + RESTORE_SSH_BOUND.toSeconds() + " s; it goes on as it is");
                return true;
            }
            files.log("the restored guest did not ask for its identity within " + RESTORE_SSH_BOUND.toSeconds()
                    + " s: booting it instead");
        } catch (IOException | RuntimeException e) {
            files.log("the restore of launch template " + template.get().name() + " failed (" + e.getMessage()
                    + "): booting instead");
            if (e instanceof LaunchTemplates.LoadFailed) {
                LaunchTemplates.markUnusable(template.get().folder().resolve(LaunchTemplates.UNUSABLE),
                        e.getMessage());
                templates.buildLater(shape, files::log); // a new one for the next launch
            }
        }
        lifecycle.abandonRestore(region, id);
        return false;
    }

    /**
     * Lets launches under way finish (a few seconds; a restore that falls back to a boot, up to its SSH bound more);
     * queued ones stay pending, for the next start to roll back.
     */
    @Override
    public void close() {
        closing = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                System.getLogger(InstanceLaunches.class.getName()).log(System.Logger.Level.WARNING, "launches still"
                        + " running after " + CLOSE_WAIT.toSeconds() + " s; the next start completes or rolls them back");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
