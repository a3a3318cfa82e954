package dev.nube.engine.compute.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running QEMU's disks, through QMP: hot-plugging a qcow2 file as a virtio disk and unplugging it, growing a disk
 * live, and a point-in-time copy of a disk while the guest writes to it (QEMU's backup job: every block the guest
 * is about to overwrite is copied out first, so the copy is the disk as it was when the job began). Disks that Nube
 * adds carry one name for QEMU's block node, its device and the guest's disk serial: the volume id without its dash
 * ({@code vol0123456789abcdef0}, 20 characters, what virtio allows and what EC2's Nitro disks show).
 */
public final class QemuBlock {
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 100;

    /** What a backup job reports while it runs: bytes done of bytes in all. */
    public interface JobProgress {
        void report(long done, long total) throws InterruptedException;
    }

    private QemuBlock() {
    }

    /** The name of a volume's disk in QEMU and in the guest (its serial): the volume id without its dash. */
    public static String diskName(String volumeId) {
        return volumeId.replace("-", "");
    }

    /** The command-line options that give a started QEMU the volume's disk (as {@link #hotplug} would). */
    public static List<String> options(String volumeId, Path file) {
        String name = diskName(volumeId);
        return List.of("-blockdev", "driver=qcow2,node-name=" + name + ",discard=unmap,file.driver=file,file.filename="
                        + QemuMachine.inOption(file),
                "-device", "virtio-blk-pci,drive=" + name + ",id=" + name + ",serial=" + name);
    }

    /** Adds the qcow2 {@code file} as a new virtio disk of the running guest (PCI hot-plug, seen by the guest). */
    public static void hotplug(Qmp qmp, String volumeId, Path file) throws IOException {
        String name = diskName(volumeId);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("driver", "qcow2");
        node.put("node-name", name);
        node.put("discard", "unmap");
        node.put("file", Map.of("driver", "file", "filename", file.toString()));
        if (!nodeExists(qmp, name)) { // one left by an unplug that QEMU did not finish is used again
            qmp.execute("blockdev-add", node, COMMAND_DEADLINE);
        }
        try {
            qmp.execute("device_add", Map.of("driver", "virtio-blk-pci", "id", name, "drive", name, "serial", name),
                    COMMAND_DEADLINE);
        } catch (IOException e) {
            try {
                qmp.execute("blockdev-del", Map.of("node-name", name), COMMAND_DEADLINE);
            } catch (IOException ignored) {
                // the node goes with QEMU at the latest; the attach has failed either way
            }
            throw e;
        }
    }

    /** Whether the guest has the volume's disk as a device now. */
    public static boolean plugged(Qmp qmp, String volumeId) throws IOException {
        for (JsonNode child : qmp.execute("qom-list", Map.of("path", "/machine/peripheral"), COMMAND_DEADLINE)) {
            if (child.path("name").asText().equals(diskName(volumeId))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the guest to release the volume's disk (ACPI eject) and waits up to {@code wait} for it to go; then QEMU
     * closes the file. Throws, with the disk still attached, when the guest does not let go in time.
     */
    public static void unplug(Qmp qmp, String volumeId, Duration wait) throws IOException, InterruptedException {
        String name = diskName(volumeId);
        if (plugged(qmp, volumeId)) {
            qmp.execute("device_del", Map.of("id", name), COMMAND_DEADLINE);
            long deadline = System.nanoTime() + wait.toNanos();
            while (plugged(qmp, volumeId)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the guest did not release the disk within " + wait.toSeconds()
                            + " s (is it mounted or in use?)");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
        // The device is gone from the guest; QEMU lets go of its node a moment later, once the device is finalised.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (nodeExists(qmp, name)) {
            try {
                qmp.execute("blockdev-del", Map.of("node-name", name), COMMAND_DEADLINE);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the guest released the disk, but QEMU still holds its file: "
                            + e.getMessage(), e);
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    private static boolean nodeExists(Qmp qmp, String nodeName) throws IOException {
        for (JsonNode node : qmp.execute("query-named-block-nodes", Map.of("flat", true), COMMAND_DEADLINE)) {
            if (node.path("node-name").asText().equals(nodeName)) {
                return true;
            }
        }
        return false;
    }

    /** The block node through which the guest's device reads and writes {@code file} (the top of its chain). */
    public static String nodeOf(Qmp qmp, Path file) throws IOException {
        for (JsonNode device : qmp.execute("query-block", Map.of(), COMMAND_DEADLINE)) {
            JsonNode inserted = device.path("inserted");
            if (inserted.path("file").asText().equals(file.toString())) {
                return inserted.path("node-name").asText();
            }
        }
        throw new IOException("QEMU has no disk " + file);
    }

    /** Grows the disk of {@code file} to {@code bytes} while the guest runs (it sees the new size at once). */
    public static void resize(Qmp qmp, Path file, long bytes) throws IOException {
        qmp.execute("block_resize", Map.of("node-name", nodeOf(qmp, file), "size", bytes), COMMAND_DEADLINE);
    }

    /**
     * Copies the disk of {@code file} as it is now into {@code target}, an empty qcow2 file of the same virtual size
     * without a backing file: every block of the chain, compressed. Returns when the copy is complete; on an
     * interrupt (a cancel) the job is cancelled and this throws {@link InterruptedException}; the caller removes the
     * target file.
     */
    public static void backup(Qmp qmp, Path file, Path target, JobProgress progress)
            throws IOException, InterruptedException {
        String source = nodeOf(qmp, file);
        String targetNode = "backup" + Long.toHexString(System.nanoTime());
        String job = "job-" + targetNode;
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("driver", "qcow2");
        node.put("node-name", targetNode);
        node.put("file", Map.of("driver", "file", "filename", target.toString()));
        qmp.execute("blockdev-add", node, COMMAND_DEADLINE);
        boolean jobStarted = false;
        boolean cancelled = false;
        try {
            Map<String, Object> backup = new LinkedHashMap<>();
            backup.put("job-id", job);
            backup.put("device", source);
            backup.put("target", targetNode);
            backup.put("sync", "full");
            backup.put("compress", true);
            backup.put("auto-dismiss", false);
            qmp.execute("blockdev-backup", backup, COMMAND_DEADLINE);
            jobStarted = true;
            while (true) {
                JsonNode state = jobState(qmp, job);
                if (state == null) {
                    throw new IOException("QEMU's backup job vanished");
                }
                if (state.path("status").asText().equals("concluded")) {
                    String error = state.path("error").asText("");
                    if (!error.isEmpty()) {
                        throw new IOException("QEMU's backup failed: " + error);
                    }
                    return;
                }
                progress.report(state.path("current-progress").asLong(), state.path("total-progress").asLong());
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException | IOException e) {
            // A cancel arrives as an interrupt, seen here directly or as a QMP call that gave up waiting.
            cancelled = e instanceof InterruptedException || Thread.currentThread().isInterrupted();
            if (!cancelled) {
                throw e;
            }
            throw new InterruptedException("cancelled");
        } finally {
            // The interrupt is put aside while QEMU is told (QMP calls give up at once on an interrupted thread).
            boolean interrupted = Thread.interrupted() || cancelled;
            try {
                if (jobStarted) {
                    try {
                        if (cancelled) {
                            cancel(qmp, job);
                        }
                        qmp.execute("job-dismiss", Map.of("id", job), COMMAND_DEADLINE);
                    } catch (IOException ignored) {
                        // not concluded (QEMU went away): nothing to dismiss
                    }
                }
                try {
                    qmp.execute("blockdev-del", Map.of("node-name", targetNode), COMMAND_DEADLINE);
                } catch (IOException ignored) {
                    // QEMU went away, or still holds the job: the file is closed with QEMU at the latest
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Cancels the job and waits (a bounded time) until QEMU has concluded it. */
    private static void cancel(Qmp qmp, String job) throws IOException {
        qmp.execute("job-cancel", Map.of("id", job), COMMAND_DEADLINE);
        long deadline = System.nanoTime() + COMMAND_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode state = jobState(qmp, job);
            if (state == null || state.path("status").asText().equals("concluded")) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_MILLIS * 1_000_000);
        }
    }

    private static JsonNode jobState(Qmp qmp, String job) throws IOException {
        for (JsonNode j : qmp.execute("query-jobs", Map.of(), COMMAND_DEADLINE)) {
            if (j.path("id").asText().equals(job)) {
                return j;
            }
        }
        return null;
    }
}
