package dev.nube.engine.compute.qemu;

import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.UnreadableDocumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Decides which accelerator each guest runs on, and remembers why. The setting ({@link AcceleratorMode}) is kept in
 * the data folder; the verdicts on this host's KVM in the cache, one per QEMU (binary and version) and guest kernel
 * (release), since a KVM that runs one kernel may stop another and a new QEMU may behave differently. In
 * {@link AcceleratorMode#AUTO} a guest gets KVM only when the firmware probe passed and the verdict for its kernel
 * says KVM runs it; an unknown verdict is found out first by the kernel probe ({@link KvmProbes}), once. A guest that
 * fails under KVM anyway is reported with {@link #kvmFailed}, which records the verdict for later launches.
 *
 * <p>Thread-safe. {@link #forGuest} may block for a probe (up to {@link KvmProbes#KERNEL_DEADLINE}); probes of one
 * kernel run one at a time, others wait for the verdict. {@code report} hears the status bar's text whenever it
 * changes, on whichever thread changed it.
 */
public final class Accelerators implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Accelerators.class.getName());

    /** A guest kernel as the verdicts know it: its file, and its release (null when unknown). */
    public record GuestKernelFile(Path file, String release) {
    }

    /** Whether KVM ran a guest kernel, why not, and when that was found. */
    public record Verdict(boolean works, String reason, Instant checkedAt) {
    }

    /** The verdicts file: one verdict per QEMU and kernel. */
    record Verdicts(Map<String, Verdict> verdicts) {
        Verdicts {
            verdicts = verdicts == null ? Map.of() : Map.copyOf(verdicts);
        }
    }

    /** The compute settings file of the data folder. */
    record Settings(AcceleratorMode accelerator) {
        Settings {
            accelerator = accelerator == null ? AcceleratorMode.AUTO : accelerator;
        }
    }

    private final QemuHost host;
    private final KvmProbes probes;
    private final Path verdictFile;
    private final Path settingsFile;
    private final Consumer<String> report;
    private final CompletableFuture<String> firmwareProblem = new CompletableFuture<>();
    private final Map<String, Object> probeLocks = new ConcurrentHashMap<>();
    private final Object fileLock = new Object();
    /** The verdicts found by this engine, kept even when the file cannot be written. */
    private final Map<String, Verdict> found = new ConcurrentHashMap<>();
    private volatile AcceleratorMode mode;
    private volatile String qemuVersion;
    /** The kernel whose verdict the status bar shows: the one checked or launched last. */
    private volatile String shownKey;
    /** How a disk-booted image's verdict is named in place of a kernel's release (its key holds this). */
    public static final String DISK_BOOTED = "disk-booted image ";
    private volatile boolean checking;
    private volatile Thread background;

    /**
     * {@code verdictFile} is in the cache ({@code kvm-verdicts.json}), {@code settingsFile} in the data folder
     * ({@code config/compute.json}), {@code work} holds the probe firmware. The firmware probe starts at once, in the
     * background.
     */
    public Accelerators(QemuHost host, Path work, Path verdictFile, Path settingsFile, Consumer<String> report) {
        this.host = host;
        this.probes = new KvmProbes(host, work);
        this.verdictFile = verdictFile;
        this.settingsFile = settingsFile;
        this.report = report;
        AcceleratorMode stored;
        try {
            stored = DocumentStore.read(settingsFile, Settings.class).map(Settings::accelerator)
                    .orElse(AcceleratorMode.AUTO);
        } catch (UnreadableDocumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the compute settings are unreadable; using automatic: "
                    + e.getMessage());
            stored = AcceleratorMode.AUTO;
        }
        this.mode = stored;
        Thread probe = new Thread(() -> {
            try {
                firmwareProblem.complete(probes.firmwareProblem());
            } catch (RuntimeException e) {
                firmwareProblem.complete("KVM probe failed: " + e);
            }
            publish();
        }, "kvm probe");
        probe.setDaemon(true);
        probe.start();
    }

    public QemuHost host() {
        return host;
    }

    public AcceleratorMode mode() {
        return mode;
    }

    /** Changes the setting (saved in the data folder); applies to guests started from now on. */
    public void setMode(AcceleratorMode value) {
        DocumentStore.write(settingsFile, new Settings(value));
        mode = value;
        publish();
    }

    /**
     * The accelerator for a guest of {@code kernel}: may wait for the firmware probe and run the kernel probe. Throws
     * when the setting asks for KVM and KVM cannot be used at all here.
     */
    public Accelerator forGuest(GuestKernelFile kernel) throws IOException, InterruptedException {
        Accelerator settled = settledWithoutVerdict();
        if (settled != null) {
            return settled;
        }
        Verdict verdict = verdictFor(kernel);
        return verdict.works() ? Accelerator.KVM : Accelerator.tcg(failedText(verdict));
    }

    /**
     * What the setting and the firmware probe decide for any guest, or null when, in the automatic mode with a
     * usable KVM, the guest's verdict decides. Throws when the setting asks for KVM and KVM cannot be used at all.
     */
    private Accelerator settledWithoutVerdict() throws IOException, InterruptedException {
        AcceleratorMode m = mode;
        if (m == AcceleratorMode.TCG) {
            return Accelerator.tcg("chosen in settings");
        }
        String problem = firmwareProblem();
        if (problem != null) {
            if (m == AcceleratorMode.KVM) {
                throw new IOException("the accelerator is set to KVM, but KVM cannot be used here: " + problem);
            }
            return Accelerator.tcg(problem);
        }
        return m == AcceleratorMode.KVM ? new Accelerator("kvm", "KVM (chosen in settings)") : null;
    }

    /**
     * The accelerator for a guest that boots from its own disk ({@code disk}: the image's disk file, named by the
     * image as its release): its kernel is inside the disk, where the kernel probe cannot load it, so no probe runs.
     * In the automatic mode it gets KVM only when the firmware probe passed (KVM runs guest code on this host at all)
     * and the verdict for this image says KVM works, or before there is one the newest verdict on this QEMU for a
     * guest kernel Nube probed says so; with neither, TCG: a KVM never seen running a real kernel here is not trusted
     * with a guest whose hang could go unnoticed once its firmware has printed.
     * Under KVM its boot is watched as any guest's, and one that fails is restarted under TCG with the verdict for
     * the image recorded ({@link #kvmFailed}), so later launches of the image go straight to TCG. The settings' TCG
     * and KVM apply as to any guest.
     */
    public Accelerator forDiskBootedGuest(GuestKernelFile disk) throws IOException, InterruptedException {
        Accelerator settled = settledWithoutVerdict();
        if (settled != null) {
            return settled;
        }
        Verdict verdict = readVerdicts().verdicts().get(key(disk));
        if (verdict == null) {
            verdict = latestForThisQemu();
        }
        if (verdict == null) {
            return Accelerator.tcg("KVM has not yet run a guest kernel here (launch one of Nube's images to try it)");
        }
        return verdict.works() ? Accelerator.KVM : Accelerator.tcg(failedText(verdict));
    }

    /** Starts finding out the verdict for {@code kernel} in the background, where it is unknown and matters. */
    public void checkInBackground(GuestKernelFile kernel) {
        if (mode != AcceleratorMode.AUTO || background != null) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                if (firmwareProblem() == null) {
                    verdictFor(kernel);
                }
            } catch (InterruptedException e) {
                // the engine closed
            }
        }, "kvm kernel probe");
        thread.setDaemon(true);
        background = thread;
        thread.start();
    }

    /** Records that a guest of {@code kernel} failed under KVM ({@code reason}), so later guests go to TCG. */
    public void kvmFailed(GuestKernelFile kernel, String reason) {
        String key = key(kernel);
        store(key, new Verdict(false, reason, Instant.now()));
        if (!key.contains(DISK_BOOTED)) { // one imported image's failure says nothing of the guest kernels'
            shownKey = key;
        }
        publish();
    }

    /** The verdict recorded for {@code kernel} with this QEMU, if any. */
    public java.util.Optional<Verdict> verdict(GuestKernelFile kernel) {
        return java.util.Optional.ofNullable(readVerdicts().verdicts().get(key(kernel)));
    }

    /** What the status bar says: the accelerator guests get now, and why. */
    public String describe() {
        AcceleratorMode m = mode;
        if (m == AcceleratorMode.TCG) {
            return Accelerator.tcg("chosen in settings").description();
        }
        if (!firmwareProblem.isDone()) {
            return "checking KVM";
        }
        String problem = firmwareProblem.join();
        if (m == AcceleratorMode.KVM) {
            return problem == null ? "KVM (chosen in settings)" : "KVM chosen in settings, but unusable: " + problem;
        }
        if (problem != null) {
            return Accelerator.tcg(problem).description();
        }
        if (checking) {
            return "checking that KVM runs the guest kernel";
        }
        String key = shownKey;
        Verdict verdict = key == null ? latestForThisQemu() : readVerdicts().verdicts().get(key);
        if (verdict == null) {
            return "KVM, not yet tried with a guest kernel (the first launch checks it)";
        }
        return verdict.works() ? Accelerator.KVM.description() : Accelerator.tcg(failedText(verdict)).description();
    }

    /**
     * Waits at most {@code timeout} for the firmware probe that starts with this object; true when it has answered.
     */
    public boolean awaitFirmwareProbe(java.time.Duration timeout) throws InterruptedException {
        try {
            firmwareProblem.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /**
     * Why guests do not get KVM here, as far as known now: the firmware probe's problem, or a failed verdict on the
     * guest kernel the status bar shows (or, before one was checked, the newest on this QEMU). Null when they get KVM,
     * when the setting is not automatic, or while the probe has not answered.
     */
    public String kvmProblem() {
        if (mode != AcceleratorMode.AUTO || !firmwareProblem.isDone()) {
            return null;
        }
        String problem = firmwareProblem.join();
        if (problem != null) {
            return problem;
        }
        String key = shownKey;
        Verdict verdict = key == null ? latestForThisQemu() : readVerdicts().verdicts().get(key);
        return verdict != null && !verdict.works() ? failedText(verdict) : null;
    }

    /**
     * Before any kernel of this data folder was checked: the newest verdict on this QEMU (from any data folder) for a
     * guest kernel Nube probed or booted (not an imported image's, whose failure may be the image's own).
     */
    private Verdict latestForThisQemu() {
        String prefix = qemuKey() + " | ";
        return readVerdicts().verdicts().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .filter(e -> !e.getKey().contains(DISK_BOOTED))
                .map(Map.Entry::getValue).max(java.util.Comparator.comparing(Verdict::checkedAt)).orElse(null);
    }

    private static String failedText(Verdict verdict) {
        return "KVM failed to run the guest kernel: " + verdict.reason();
    }

    private String firmwareProblem() throws InterruptedException {
        try {
            return firmwareProblem.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return "KVM probe failed: " + e.getCause();
        }
    }

    private Verdict verdictFor(GuestKernelFile kernel) throws InterruptedException {
        String key = key(kernel);
        synchronized (probeLocks.computeIfAbsent(key, k -> new Object())) {
            Verdict known = readVerdicts().verdicts().get(key);
            if (known != null) {
                shownKey = key;
                publish();
                return known;
            }
            checking = true;
            publish();
            try {
                long start = System.nanoTime();
                String problem = probes.kernelProblem(kernel.file());
                Verdict verdict = new Verdict(problem == null, problem, Instant.now());
                LOG.log(System.Logger.Level.INFO, "kernel probe of " + key + " took "
                        + (System.nanoTime() - start) / 1_000_000 + " ms: " + (problem == null ? "KVM runs it"
                        : problem));
                store(key, verdict);
                shownKey = key;
                return verdict;
            } finally {
                checking = false;
                publish();
            }
        }
    }

    /** This QEMU in the verdicts' keys: its binary and version. */
    private String qemuKey() {
        String version = qemuVersion;
        if (version == null) {
            version = host.version();
            qemuVersion = version;
        }
        return host.binary() + " | " + version;
    }

    private String key(GuestKernelFile kernel) {
        String release = kernel.release();
        if (release == null || release.isBlank()) {
            try {
                release = "kernel of " + Files.size(kernel.file()) + " bytes";
            } catch (IOException e) {
                release = kernel.file().toString();
            }
        }
        return qemuKey() + " | " + release;
    }

    /** The verdicts in the file (other engines' too), with this engine's own over them. */
    private Verdicts readVerdicts() {
        Map<String, Verdict> all = new TreeMap<>();
        try {
            DocumentStore.read(verdictFile, Verdicts.class).ifPresent(v -> all.putAll(v.verdicts()));
        } catch (UnreadableDocumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the KVM verdicts are unreadable; checking again: " + e.getMessage());
        }
        all.putAll(found);
        return new Verdicts(all);
    }

    /** Keeps a verdict; one that cannot be saved (cache full or read-only) is logged and found out again later. */
    private void store(String key, Verdict verdict) {
        synchronized (fileLock) {
            found.put(key, verdict);
            Map<String, Verdict> all = new TreeMap<>(readVerdicts().verdicts());
            try {
                DocumentStore.write(verdictFile, new Verdicts(all));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the KVM verdict for " + key + " could not be saved: "
                        + e.getMessage());
            }
        }
    }

    private void publish() {
        report.accept(describe());
    }

    /** Ends every probe still running (none outlives the engine). */
    @Override
    public void close() {
        probes.close();
        Thread thread = background;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
