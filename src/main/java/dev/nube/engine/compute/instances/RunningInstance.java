package dev.nube.engine.compute.instances;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.CleanupList;
import dev.nube.engine.compute.instances.metadata.MetadataServer;
import dev.nube.engine.compute.qemu.Accelerator;
import dev.nube.engine.compute.qemu.QemuMachine;
import dev.nube.engine.compute.qemu.Qmp;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    /**
     * How long a guest booting under KVM may leave its serial console empty. A kernel under a working KVM prints its
     * first lines within a second; one that prints nothing is stuck (a KVM that hangs real guests).
     */
    static final Duration KVM_SILENCE_DEADLINE = Duration.ofSeconds(10);

    /** What the engine hears from a running instance. Called on watcher threads; must not block long. */
    interface Listener {
        void sshReady(RunningInstance instance);

        void exited(RunningInstance instance, String reason);

        /** The guest failed while booting under KVM ({@link #failure}); heard at most once per QEMU. */
        void kvmBootFailed(RunningInstance instance, String reason);

        /** The virtual machine cannot go on by itself ({@link #failure}); heard at most once per QEMU. */
        void halted(RunningInstance instance, String reason);

        /** What QMP says of the machine changed ({@link #qmpProblem} may read otherwise). */
        void statusChanged(RunningInstance instance);
    }

    private final String instanceId;
    private final ProcessHandle process;
    private final CleanupList cleanup = new CleanupList();
    private final CompletableFuture<String> exited = new CompletableFuture<>();
    /**
     * The pause between two looks for the SSH banner while the guest boots: each look is a loopback connection QEMU
     * forwards into the guest, answered at once with a reset until the server listens.
     */
    private static final long PROBE_PERIOD_MS = 50;
    private final Object probeSignal = new Object();
    private final Listener listener;
    private final InstanceFiles files;
    private final boolean underKvm;
    /** True when this QEMU was started for this attach (so its whole boot is watched), false when re-attached. */
    private final boolean freshBoot;
    private final long attachedNanos = System.nanoTime();
    private final long consoleAtAttach;
    private volatile boolean failureReported;
    /** False during attach, whose first look at QMP is shown with the attach itself. */
    private volatile boolean listenerReady;
    private volatile boolean shutdownSeen;
    /** Why QEMU is being ended by the engine (the exit's reason), or null. */
    private volatile String endReason;
    private volatile Qmp qmp;
    private volatile MetadataServer metadata;
    private volatile int sshPort;
    /** QEMU's forwards into the guest the engine has made or found, host port by {@code tcp/PORT}. */
    private final Map<String, Integer> forwards = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean sshReady;
    private volatile boolean detached;
    private volatile boolean probeWanted = true;
    private volatile String guestShutdown;
    private volatile CompletableFuture<Void> reset = new CompletableFuture<>();
    /** QEMU's run status from QMP query-status ("running", "paused", "guest-panicked", ...); null if QMP is silent. */
    private volatile String runStatus = "running";
    private volatile boolean statusWanted;
    /** How long a fresh boot took from QEMU's start to the first SSH banner, in ms; 0 until then or if re-attached. */
    private volatile long bootMillis;

    private RunningInstance(String instanceId, ProcessHandle process, InstanceFiles files, Listener listener,
                            Accelerator launchedWith) {
        this.instanceId = instanceId;
        this.process = process;
        this.files = files;
        this.listener = listener;
        this.freshBoot = launchedWith != null;
        this.underKvm = launchedWith != null ? launchedWith.isKvm() : QemuMachine.runsUnderKvm(process.pid());
        this.consoleAtAttach = underKvm && freshBoot ? consoleBytes() : 0;
    }

    /**
     * Takes hold of the live QEMU {@code process}: connects QMP, reads the forwarded SSH port, starts the banner
     * watcher. {@code metadata} (already serving) joins the cleanup list. On failure everything opened is released
     * again and the exception says why. The exit watcher starts with {@link #watchExit()}, once the caller has put
     * the instance where the exit handler looks for it. {@code launchedWith}: the accelerator QEMU was just started
     * with, or null when it is re-attached (its command line then tells).
     */
    static RunningInstance attach(String instanceId, ProcessHandle process, InstanceFiles files,
                                  MetadataServer metadata, Listener listener, Accelerator launchedWith)
            throws IOException {
        RunningInstance running = new RunningInstance(instanceId, process, files, listener, launchedWith);
        running.cleanup.add("metadata server", metadata);
        running.metadata = metadata;
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
        running.listenerReady = true;
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

    /**
     * A loopback address that reaches {@code guestPort} of the guest over its link-local NIC: a forward of QEMU's
     * user network, added through QMP the first time it is asked for and kept while QEMU runs (after a re-attach,
     * QEMU's list of forwards says which exist). {@code protocol} is {@code tcp} or {@code udp}.
     */
    java.net.InetSocketAddress guestPort(String protocol, int guestPort) throws IOException {
        Integer known = forwards.get(protocol + "/" + guestPort); // each connection asks: no QMP round trip then
        if (known != null && alive()) {
            return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), known);
        }
        return addGuestPort(protocol, guestPort);
    }

    private synchronized java.net.InetSocketAddress addGuestPort(String protocol, int guestPort) throws IOException {
        Qmp connection = qmp;
        if (connection == null || !alive()) {
            throw new IOException("QEMU of " + instanceId + " is not running");
        }
        String key = protocol + "/" + guestPort;
        Integer port = QemuMachine.hostForwards(connection.human("info usernet", QMP_DEADLINE)).get(key);
        if (port == null) {
            String reply = connection.human("hostfwd_add net0 " + protocol + ":127.0.0.1:0-:" + guestPort,
                    QMP_DEADLINE).strip();
            if (!reply.isEmpty()) {
                throw new IOException("QEMU could not forward " + key + ": " + reply);
            }
            port = QemuMachine.hostForwards(connection.human("info usernet", QMP_DEADLINE)).get(key);
            if (port == null) {
                throw new IOException("QEMU lists no forward for " + key + " after adding it");
            }
        }
        forwards.put(key, port);
        return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
    }

    boolean sshReady() {
        return sshReady;
    }

    /**
     * Launch (QEMU's start) to the first SSH banner of a boot this engine started, in ms, given once: 0 when not
     * measured or already taken (a reboot's banner is not a launch's).
     */
    synchronized long takeBootMillis() {
        long millis = bootMillis;
        bootMillis = -1;
        return Math.max(0, millis);
    }

    boolean underKvm() {
        return underKvm;
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
            case "STOP", "RESUME", "GUEST_PANICKED" -> {
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
                    boolean shutdownBefore = shutdownSeen;
                    checkStatus();
                    shutdownSeen = "shutdown".equals(runStatus);
                    watchHealth(shutdownBefore);
                    // Every second while a KVM boot is watched: its silence deadline is counted in seconds.
                    nextStatus = System.nanoTime() + (watchingKvmBoot() ? 1_000_000_000L : STATUS_EVERY_NANOS);
                }
                if (probeWanted && !sshReady) {
                    if (SshBanner.answers("127.0.0.1", sshPort, 2000)) {
                        if (freshBoot && bootMillis == 0) {
                            bootMillis = Math.max(1, (System.nanoTime() - attachedNanos) / 1_000_000);
                        }
                        sshReady = true;
                        listener.sshReady(this);
                        continue;
                    }
                    Thread.sleep(PROBE_PERIOD_MS);
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

    private boolean watchingKvmBoot() {
        return underKvm && !sshReady && !failureReported;
    }

    private void watchHealth(boolean shutdownBefore) {
        if (failureReported) {
            return;
        }
        Duration sinceAttach = Duration.ofNanos(System.nanoTime() - attachedNanos);
        boolean watchSilence = underKvm && freshBoot && !sshReady;
        // The console log is looked at only while its silence matters, not at every status check of every instance.
        String failure = failure(runStatus, shutdownBefore, watchSilence,
                watchSilence ? consoleBytes() - consoleAtAttach : 0, sinceAttach);
        if (failure == null) {
            return;
        }
        failureReported = true;
        if (underKvm && !sshReady) {
            listener.kvmBootFailed(this, failure);
        } else {
            listener.halted(this, failure);
        }
    }

    /**
     * Why the virtual machine cannot go on by itself, or null while it can: QMP's {@code status} says it stopped on
     * an internal error (KVM's "emulation failure" leaves it so) or a kernel panic, or it stays shut down without
     * QEMU exiting ({@code shutdownBefore}: it was so at the previous look too); or, for a boot watched from its start
     * under KVM ({@code watchSilence}), the serial console has stayed empty ({@code consolePrinted} bytes since the
     * start) for {@link #KVM_SILENCE_DEADLINE}. A pure function, so every case is tested without QEMU.
     */
    static String failure(String status, boolean shutdownBefore, boolean watchSilence, long consolePrinted,
                          Duration sinceStart) {
        if ("internal-error".equals(status)) {
            return "the virtual machine stopped on an internal error (QEMU status internal-error)";
        }
        if ("guest-panicked".equals(status)) {
            return "the guest kernel panicked (QEMU status guest-panicked)";
        }
        if ("shutdown".equals(status) && shutdownBefore) {
            return "the guest shut down but QEMU did not exit (QEMU status shutdown)";
        }
        if (watchSilence && consolePrinted <= 0 && sinceStart.compareTo(KVM_SILENCE_DEADLINE) > 0) {
            return "the guest printed nothing on its serial console within " + KVM_SILENCE_DEADLINE.toSeconds()
                    + " s";
        }
        return null;
    }

    private long consoleBytes() {
        try {
            return java.nio.file.Files.size(files.consoleLog());
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether QMP says the virtual machine cannot go on (internal error, kernel panic): never shown running. */
    boolean halted() {
        String status = runStatus;
        return "internal-error".equals(status) || "guest-panicked".equals(status);
    }

    /** Asks QMP how the virtual machine is; a QEMU that does not answer is noted as such (it may be hung). */
    private void checkStatus() {
        String before = runStatus;
        try {
            runStatus = qmp.execute("query-status", Map.of(), STATUS_DEADLINE).path("status").asText("unknown");
        } catch (IOException e) {
            runStatus = alive() ? null : runStatus;
        }
        if (!java.util.Objects.equals(before, runStatus) && listenerReady) {
            listener.statusChanged(this);
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
    /** The engine's QMP connection to this QEMU (for its disks). */
    Qmp qmp() {
        return qmp;
    }

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
        if (endReason != null) {
            reason = endReason;
        } else if ("guest".equals(guestShutdown)) {
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

    /** Ends QEMU at once (as {@link #quit}); its exit is reported with {@code reason}. */
    void end(String reason) {
        endReason = reason;
        quit();
    }

    /** Kills QEMU and waits up to {@code wait} for it to be gone (after {@link #detach}: no exit is reported). */
    boolean killAndAwait(Duration wait) throws InterruptedException {
        process.destroyForcibly();
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
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

    /** The instance's metadata service while QEMU is held. */
    MetadataServer metadataServer() {
        return metadata;
    }

    /** Lets go of QEMU without stopping it: closes QMP and the metadata server, stops the watchers. */
    void detach() {
        detached = true;
        cleanup.release();
    }
}
