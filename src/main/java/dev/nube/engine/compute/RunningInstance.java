package dev.nube.engine.compute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.compute.net.MetadataServer;
import dev.nube.engine.compute.net.SshBanner;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.compute.qemu.Qmp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A QEMU process of an instance, as this engine holds it: the process handle, the QMP connection, the metadata
 * server and a thread that watches for the guest's SSH banner, all in one {@link CleanupList}. One watcher
 * ({@link ProcessHandle#onExit()}) reports the end of the process exactly once. {@link #detach()} lets go of
 * everything without touching QEMU (the console quits, the instance runs on). Thread-safe.
 */
final class RunningInstance {
    static final Duration QMP_DEADLINE = Duration.ofSeconds(10);
    /** How often the watcher asks QMP how the virtual machine is (paused, crashed, or QEMU not answering at all). */
    private static final long STATUS_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
    private static final Duration STATUS_DEADLINE = Duration.ofSeconds(3);

    /** What the engine hears from a running instance. Called on watcher threads; must not block long. */
    interface Listener {
        void sshReady(RunningInstance instance);

        void exited(RunningInstance instance, String reason);
    }

    private final String instanceId;
    private final ProcessHandle process;
    private final CleanupList cleanup = new CleanupList();
    private final CompletableFuture<String> exited = new CompletableFuture<>();
    private final Object probeSignal = new Object();
    private final Listener listener;
    private final InstanceFiles files;
    private volatile Qmp qmp;
    private volatile int sshPort;
    private volatile boolean sshReady;
    private volatile boolean detached;
    private volatile boolean probeWanted = true;
    private volatile String guestShutdown;
    private volatile CompletableFuture<Void> reset = new CompletableFuture<>();
    /** QEMU's run status from QMP query-status ("running", "paused", "guest-panicked", ...); null if QMP is silent. */
    private volatile String runStatus = "running";
    private volatile boolean statusWanted;

    private RunningInstance(String instanceId, ProcessHandle process, InstanceFiles files, Listener listener) {
        this.instanceId = instanceId;
        this.process = process;
        this.files = files;
        this.listener = listener;
    }

    /**
     * Takes hold of the live QEMU {@code process}: connects QMP, reads the forwarded SSH port, starts the banner
     * watcher. {@code metadata} (already serving) joins the cleanup list. On failure everything opened is released
     * again and the exception says why. The exit watcher starts with {@link #watchExit()}, once the caller has put
     * the instance where the exit handler looks for it.
     */
    static RunningInstance attach(String instanceId, ProcessHandle process, InstanceFiles files,
                                  MetadataServer metadata, Listener listener) throws IOException {
        RunningInstance running = new RunningInstance(instanceId, process, files, listener);
        running.cleanup.add("metadata server", metadata);
        try {
            running.qmp = Qmp.connect(files.qmpSocket(), running::onQmpEvent, QMP_DEADLINE);
            running.cleanup.add("QMP connection", running.qmp);
            running.sshPort = QemuMachine.sshPort(running.qmp.human("info usernet", QMP_DEADLINE));
            if (running.sshPort == 0) {
                throw new IOException("QEMU lists no SSH port forward");
            }
            running.checkStatus();
        } catch (IOException | RuntimeException e) {
            running.cleanup.release();
            throw e;
        }
        Thread prober = new Thread(running::probeLoop, "ssh banner " + instanceId);
        prober.setDaemon(true);
        running.cleanup.add("SSH banner watcher", prober::interrupt);
        prober.start();
        return running;
    }

    /**
     * Starts the exit watcher. If QEMU has already ended, the exit is handled at once, on this thread; so the caller
     * first makes the instance findable (the running map), then calls this, and no exit can be missed in between.
     */
    void watchExit() {
        process.onExit().thenRun(this::onProcessExit);
    }

    String instanceId() {
        return instanceId;
    }

    long pid() {
        return process.pid();
    }

    int sshPort() {
        return sshPort;
    }

    boolean sshReady() {
        return sshReady;
    }

    boolean alive() {
        return process.isAlive() && !exited.isDone();
    }

    InstanceFiles files() {
        return files;
    }

    private void onQmpEvent(JsonNode event) {
        switch (event.path("event").asText()) {
            case "SHUTDOWN" -> guestShutdown = event.path("data").path("guest").asBoolean(false)
                    ? "guest" : event.path("data").path("reason").asText("host");
            case "RESET" -> {
                sshReady = false;
                reset.complete(null);
                wakeProber();
            }
            case "STOP", "RESUME" -> {
                statusWanted = true; // paused or resumed: ask for the status now, not at the next round
                wakeProber();
            }
            default -> {
            }
        }
    }

    private void probeLoop() {
        long nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
        try {
            while (!Thread.currentThread().isInterrupted() && alive()) {
                if (statusWanted || System.nanoTime() - nextStatus > 0) {
                    statusWanted = false;
                    checkStatus();
                    nextStatus = System.nanoTime() + STATUS_EVERY_NANOS;
                }
                if (probeWanted && !sshReady) {
                    if (SshBanner.answers("127.0.0.1", sshPort, 2000)) {
                        sshReady = true;
                        listener.sshReady(this);
                        continue;
                    }
                    Thread.sleep(150);
                } else {
                    synchronized (probeSignal) {
                        probeSignal.wait(1000);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks QMP how the virtual machine is; a QEMU that does not answer is noted as such (it may be hung). */
    private void checkStatus() {
        try {
            runStatus = qmp.execute("query-status", Map.of(), STATUS_DEADLINE).path("status").asText("unknown");
        } catch (IOException e) {
            runStatus = alive() ? null : runStatus;
        }
    }

    /**
     * What QMP says is wrong with the virtual machine, in words, or null when it runs: paused, crashed (any status
     * other than running), or QEMU not answering on QMP. Checked every few seconds and on QEMU's STOP and RESUME.
     */
    String qmpProblem() {
        String status = runStatus;
        if (status == null) {
            return "QEMU does not answer on QMP (it may be hung); stop the instance to end it";
        }
        // "shutdown": the guest powered off and QEMU is about to exit, which the exit watcher reports.
        return status.equals("running") || status.equals("shutdown") ? null
                : "QEMU reports the virtual machine as " + status;
    }

    /** Runs a QMP command on this QEMU (the engine's operations use the named methods; tests use this). */
    JsonNode qmpCommand(String command) throws IOException {
        return qmp.execute(command, Map.of(), QMP_DEADLINE);
    }

    private void wakeProber() {
        synchronized (probeSignal) {
            probeSignal.notifyAll();
        }
    }

    private void onProcessExit() {
        if (detached) {
            return;
        }
        List<String> errors = cleanup.release();
        String reason;
        if ("guest".equals(guestShutdown)) {
            reason = "Client.InstanceInitiatedShutdown: the guest powered off";
        } else if (guestShutdown != null) {
            reason = "Server.InternalError: QEMU (pid " + process.pid() + ") was ended by the host (" + guestShutdown
                    + ")";
        } else {
            reason = "Server.InternalError: QEMU (pid " + process.pid() + ") ended unexpectedly (killed or crashed)";
        }
        errors.forEach(e -> files.log("after exit: " + e));
        try {
            listener.exited(this, reason);
        } finally {
            exited.complete(reason); // after the listener: whoever awaits the exit sees it fully handled
        }
    }

    /** Presses the ACPI power button (the guest shuts down cleanly if it is up). */
    void powerButton() throws IOException {
        qmp.execute("system_powerdown", Map.of(), QMP_DEADLINE);
    }

    /** Ctrl-Alt-Del on the guest's keyboard: busybox init reboots cleanly. Waits for the reset, up to {@code wait}. */
    boolean ctrlAltDelete(Duration wait) throws IOException, InterruptedException {
        reset = new CompletableFuture<>();
        qmp.execute("send-key", Map.of("keys", List.of(Map.of("type", "qcode", "data", "ctrl"),
                Map.of("type", "qcode", "data", "alt"), Map.of("type", "qcode", "data", "delete"))), QMP_DEADLINE);
        try {
            reset.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    /** A hard reset of the virtual machine. */
    void hardReset() throws IOException {
        sshReady = false;
        qmp.execute("system_reset", Map.of(), QMP_DEADLINE);
        wakeProber();
    }

    /** Ends QEMU at once: QMP quit, and a kill if QMP does not answer. */
    void quit() {
        try {
            qmp.execute("quit", Map.of(), QMP_DEADLINE);
        } catch (IOException e) {
            process.destroyForcibly();
        }
    }

    /** Kills the process (SIGKILL). */
    void kill() {
        process.destroyForcibly();
    }

    /** Waits until the exit has been handled (cleanup done); returns the reason, or null on timeout. */
    String awaitExit(Duration timeout) throws InterruptedException {
        try {
            return exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return String.valueOf(e.getCause());
        }
    }

    /** Waits until the guest's SSH answers (true) or the process ends or the timeout passes (false). */
    boolean awaitSshReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (sshReady) {
                return true;
            }
            if (!alive()) {
                return false;
            }
            Thread.sleep(100);
        }
        return sshReady;
    }

    /** Lets go of QEMU without stopping it: closes QMP and the metadata server, stops the watchers. */
    void detach() {
        detached = true;
        cleanup.release();
    }
}
