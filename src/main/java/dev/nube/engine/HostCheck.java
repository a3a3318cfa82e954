package dev.nube.engine;

import dev.nube.engine.compute.network.addresses.PortMapping;
import dev.nube.engine.compute.qemu.Commands;
import dev.nube.engine.compute.qemu.QemuHost;
import dev.nube.engine.functions.RuntimeInfo;
import dev.nube.engine.functions.sandbox.SandboxMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this machine lets Nube do, found the way the console finds it: an engine opened on a temporary data folder
 * (deleted afterwards; the user's data folder is never opened) with the user's cache, whose remembered KVM verdicts
 * count. The verdicts are the engine's own (accelerator, sandbox, runtimes); this class only waits for them and adds
 * what the engine needs from the system to run guests at all. Not thread-safe; one check per call.
 */
public final class HostCheck {
    /** How long the KVM firmware probe may take before the check gives up on it (its own deadline is 5 s). */
    static final Duration PROBE_WAIT = Duration.ofSeconds(20);

    /**
     * The verdicts in lines for a terminal, what is weaker here than it could be, what is missing, and whether
     * instances and functions can run.
     */
    public record Report(List<String> verdicts, List<String> weaker, List<String> missing, boolean instancesCanRun,
                         boolean functionsCanRun) {
        public Report {
            verdicts = List.copyOf(verdicts);
            weaker = List.copyOf(weaker);
            missing = List.copyOf(missing);
        }

        /** True when instances and functions can both run here (perhaps more weakly than they could). */
        public boolean ready() {
            return instancesCanRun && functionsCanRun;
        }

        /** The report as printed by {@code nube --check}. */
        public String text() {
            StringBuilder out = new StringBuilder();
            verdicts.forEach(line -> out.append(line).append('\n'));
            list(out, "Weaker here", weaker);
            list(out, "Missing", missing);
            out.append('\n').append("Instances ").append(instancesCanRun ? "can run." : "cannot run.")
                    .append(" Functions ").append(functionsCanRun ? "can run." : "cannot run.").append('\n');
            return out.toString();
        }

        private static void list(StringBuilder out, String title, List<String> items) {
            if (!items.isEmpty()) {
                out.append('\n').append(title).append(":\n");
                items.forEach(item -> out.append("  - ").append(item).append('\n'));
            }
        }
    }

    private HostCheck() {
    }

    /** Checks this machine with its QEMU and /dev/kvm, keeping KVM verdicts in {@code cache}. */
    public static Report run(Path cache) throws IOException, InterruptedException {
        return run(cache, QemuHost.SYSTEM);
    }

    static Report run(Path cache, QemuHost qemu) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("nube-check-");
        try {
            try (Engine engine = Engine.open(home, cache, qemu)) {
                boolean answered = engine.awaitHostChecks(PROBE_WAIT);
                return report(engine, qemu, answered);
            }
        } finally {
            deleteTree(home);
        }
    }

    private static Report report(Engine engine, QemuHost qemu, boolean probeAnswered) throws InterruptedException {
        List<String> verdicts = new ArrayList<>();
        List<String> weaker = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        HostStatus status = engine.hostStatus();

        Optional<String> qemuVersion = qemu.installedVersion();
        boolean qemuImg = runs(List.of("qemu-img", "--version"));
        verdicts.add("QEMU:        " + qemuVersion.orElse("not found (" + qemu.binary() + ")")
                + (qemuImg ? "" : "; qemu-img not found"));
        verdicts.add("Accelerator: " + status.accelerator());
        if (qemuVersion.isEmpty()) {
            missing.add("QEMU (Debian package qemu-system-x86): instances cannot run");
        }
        if (!qemuImg) {
            missing.add("qemu-img (Debian package qemu-utils): instances cannot get their disks");
        }
        String kvm = engine.kvmProblem();
        if (!probeAnswered) {
            weaker.add("KVM: its probe did not answer within " + PROBE_WAIT.toSeconds() + " s; guests will run"
                    + " under TCG if it never does");
        } else if (kvm != null && qemuVersion.isPresent()) {
            weaker.add("KVM: " + kvm + ". Guests run under TCG (QEMU emulates the CPU), several times slower");
        }

        String ovmf = dev.nube.engine.compute.images.ImageImport.ovmfMissing();
        if (ovmf != null) {
            weaker.add("UEFI: " + ovmf + "; imported images that boot by UEFI only cannot be imported or started");
        }

        verdicts.add("Sandbox:     " + status.sandbox());
        String sandboxProblem = engine.functions().sandboxProblem();
        if (!sandboxProblem.isEmpty()) {
            missing.add("the functions sandbox: " + sandboxProblem);
        } else if (engine.functions().sandboxMode() == SandboxMode.WATCHDOG) {
            weaker.add("cgroups: no cgroup v2 subtree delegated to this user and no writable cgroup v1, so function"
                    + " memory is bounded per process (a data limit) and the process tree's memory and process count are"
                    + " sampled by a watchdog, rather than enforced by the kernel for the whole tree");
        }
        verdicts.add("Runtimes:    " + engine.functions().runtimes().stream().map(RuntimeInfo::displayName)
                .collect(Collectors.joining(", ")));

        PortMapping ports = PortMapping.ofThisProcess();
        int start = ports.unprivilegedPortStart();
        if (start <= 1 || ports.root()) { // port 0 is no port: 1 means every port
            verdicts.add("Ports:       this user may listen on any port");
        } else {
            verdicts.add("Ports:       this user may listen on ports from " + start + " up");
            weaker.add("unprivileged ports: ports below " + start + " need root here"
                    + " (net.ipv4.ip_unprivileged_port_start); instances' public ports below 1024 move to 10000 +"
                    + " port (SSH on 10022)");
        }
        engine.network().limits().forEach(limit -> weaker.add("networks: " + limit));
        return new Report(verdicts, weaker, missing, qemuVersion.isPresent() && qemuImg, sandboxProblem.isEmpty());
    }

    private static boolean runs(List<String> command) throws InterruptedException {
        try {
            return Commands.run(command, null, Duration.ofSeconds(30)).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
