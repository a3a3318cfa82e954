package dev.nube.engine.compute.qemu;

import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The two ways Nube asks whether KVM can run guests here. The firmware probe is cheap (a 64 KiB firmware writes one
 * character and halts) and finds a missing, forbidden or hanging /dev/kvm. It cannot find a KVM that runs that
 * firmware yet stops or hangs a real kernel (nested virtualisation often does: "KVM internal error ... emulation
 * failure"), so the kernel probe boots the guest's own kernel without a root file system: a kernel that gets as far
 * as looking for its root (and panics, which ends QEMU) ran its whole start-up under KVM.
 *
 * <p>Every probe QEMU is a child of this JVM, killed at its deadline, by {@link #close()} and, should the JVM exit
 * first, by a shutdown hook. The firmware probe's QEMU also ends by itself; a kernel probe on a KVM that hangs does
 * not, so a JVM killed outright (SIGKILL) during one leaves it running until it is killed. Thread-safe: probes may
 * run at once.
 */
public final class KvmProbes implements AutoCloseable {
    /** How long the firmware probe may take; a KVM that cannot run one instruction in this time hangs. */
    public static final Duration FIRMWARE_DEADLINE = Duration.ofSeconds(5);
    /** How long a kernel under KVM may stay silent: a working KVM prints its first lines within a second. */
    public static final Duration SILENCE_DEADLINE = Duration.ofSeconds(8);
    /** How long the kernel probe may take in all. */
    public static final Duration KERNEL_DEADLINE = Duration.ofSeconds(30);
    /** Lines a kernel prints once its start-up is done and it looks for its root file system. */
    private static final List<String> REACHED_ROOT = List.of("VFS: Unable to mount root fs", "Kernel panic",
            "Run /init", "Freeing unused kernel");
    static final String FIRMWARE_SAYS = "~K~";
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "kvm probe cleanup"));
    }

    private final QemuHost host;
    private final Path work;
    private final Set<Process> mine = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** {@code work} holds the firmware file. */
    public KvmProbes(QemuHost host, Path work) {
        this.host = host;
        this.work = work;
    }

    /** Null when /dev/kvm can be opened, else why not. */
    public String deviceProblem() {
        Path kvm = host.kvmDevice();
        if (!Files.exists(kvm)) {
            return "no " + kvm + " on this machine";
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return "no permission to use " + kvm + " (join the kvm group)";
        }
        return null;
    }

    /** Null when KVM runs the probe firmware before the deadline, else why not. */
    public String firmwareProblem() {
        String device = deviceProblem();
        if (device != null) {
            return device;
        }
        try {
            PrivateFiles.createDirectories(work);
            Path firmware = work.resolve("kvm-probe.bin");
            PrivateFiles.write(firmware, firmware());
            Run run = run(List.of("-bios", firmware.toString(), "-m", "16",
                    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"), FIRMWARE_DEADLINE,
                    out -> out.contains(FIRMWARE_SAYS));
            return switch (run.outcome()) {
                case REACHED -> null;
                case EXITED -> "KVM probe failed: " + run.lastLine();
                case SILENT, DEADLINE -> "KVM probe timed out after " + FIRMWARE_DEADLINE.toSeconds() + " s";
                case INTERNAL_ERROR -> "KVM probe stopped: " + run.internalError();
                case CANCELLED -> "KVM probe cancelled";
            };
        } catch (IOException e) {
            return "KVM probe could not run: " + e.getMessage();
        }
    }

    /**
     * Null when {@code kernel} (a vmlinux or bzImage) starts up under KVM up to looking for its root file system,
     * else why not, in words that finish "KVM failed to run the guest kernel: ...".
     */
    public String kernelProblem(Path kernel) throws InterruptedException {
        try {
            Run run = run(List.of("-kernel", kernel.toString(), "-append", "console=ttyS0 panic=-1", "-m", "256",
                    "-no-reboot"), KERNEL_DEADLINE, out -> REACHED_ROOT.stream().anyMatch(out::contains));
            return switch (run.outcome()) {
                case REACHED -> null;
                case INTERNAL_ERROR -> run.internalError();
                case SILENT -> "the kernel printed nothing within " + SILENCE_DEADLINE.toSeconds() + " s";
                case DEADLINE -> "the kernel did not finish starting within " + KERNEL_DEADLINE.toSeconds() + " s";
                case EXITED -> "QEMU ended before the kernel had started (" + run.lastLine() + ")";
                case CANCELLED -> throw new InterruptedException("the kernel probe was cancelled");
            };
        } catch (IOException e) {
            return "the kernel probe could not run: " + e.getMessage();
        }
    }

    /** How a probe ended. */
    enum Outcome { REACHED, INTERNAL_ERROR, SILENT, DEADLINE, EXITED, CANCELLED }

    /** What a probe saw: how it ended, and everything QEMU and the guest printed. */
    record Run(Outcome outcome, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines.length == 0 || lines[lines.length - 1].isBlank() ? "no output" : lines[lines.length - 1];
        }

        /** QEMU's words after "KVM internal error", e.g. "emulation failure". */
        String internalError() {
            String[] lines = output.split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].contains("KVM internal error")) {
                    return i + 1 < lines.length && !lines[i + 1].isBlank() ? lines[i + 1].strip()
                            : lines[i].strip();
                }
            }
            return "KVM internal error";
        }
    }

    /** Reads what a probe prints until {@code reached} holds for it, QEMU ends, or a deadline passes. */
    private Run run(List<String> machine, Duration deadline, java.util.function.Predicate<String> reached)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(host.binary(), "-name", "nube-kvm-probe",
                "-machine", "pc,accel=kvm", "-nodefaults", "-no-user-config", "-display", "none",
                "-serial", "stdio"));
        command.addAll(machine);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // Registered before the closed check: close() either sees this process or this thread sees closed.
        LIVE.add(process);
        mine.add(process);
        try {
            if (closed) {
                return new Run(Outcome.CANCELLED, "");
            }
            InputStream in = process.getInputStream();
            StringBuilder out = new StringBuilder();
            byte[] buffer = new byte[4096];
            long start = System.nanoTime();
            while (true) {
                if (closed) {
                    return new Run(Outcome.CANCELLED, out.toString());
                }
                int available = in.available();
                if (available > 0) {
                    int n = in.read(buffer, 0, Math.min(buffer.length, available));
                    out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    String text = out.toString();
                    if (text.contains("KVM internal error")) {
                        Thread.sleep(100); // the reason follows on the next line
                        drain(in, out);
                        return new Run(Outcome.INTERNAL_ERROR, out.toString());
                    }
                    if (reached.test(text)) {
                        return new Run(Outcome.REACHED, text);
                    }
                    continue;
                }
                long elapsed = System.nanoTime() - start;
                if (!process.isAlive()) {
                    drain(in, out);
                    if (closed) {
                        return new Run(Outcome.CANCELLED, out.toString()); // ended by close(), not by itself
                    }
                    Outcome outcome = reached.test(out.toString()) ? Outcome.REACHED
                            : out.toString().contains("KVM internal error") ? Outcome.INTERNAL_ERROR : Outcome.EXITED;
                    return new Run(outcome, out.toString());
                }
                if (guestSilent(out) && elapsed > Math.min(SILENCE_DEADLINE.toNanos(), deadline.toNanos())) {
                    return new Run(Outcome.SILENT, out.toString());
                }
                if (elapsed > deadline.toNanos()) {
                    return new Run(Outcome.DEADLINE, out.toString());
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(Outcome.CANCELLED, "");
        } finally {
            end(process);
        }
    }

    /** Whether nothing but QEMU's own warnings has been printed (the guest said nothing yet). */
    private static boolean guestSilent(StringBuilder out) {
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank() && !line.startsWith("qemu-system")) {
                return false;
            }
        }
        return true;
    }

    private static void drain(InputStream in, StringBuilder out) throws IOException {
        byte[] buffer = new byte[4096];
        int available;
        while ((available = in.available()) > 0) {
            int n = in.read(buffer, 0, Math.min(buffer.length, available));
            out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
    }

    private void end(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mine.remove(process);
        LIVE.remove(process);
    }

    /** Ends every probe still running and refuses new ones; returns once they are gone. */
    @Override
    public void close() {
        closed = true;
        for (Process process : List.copyOf(mine)) {
            end(process);
        }
    }

    /**
     * 64 KiB of firmware that writes {@value #FIRMWARE_SAYS} to the serial port and then ends QEMU through its
     * isa-debug-exit device (so a probe QEMU ends by itself, even if the engine is killed before it can end it): at
     * the reset vector a jump to 0xf000, and there {@code mov al,'~'; mov dx,0x3f8; out dx,al; mov al,'K';
     * out dx,al; mov al,'~'; out dx,al; mov al,0; out 0xf4,al; cli; hlt}. Three characters, so that a "K" in QEMU's
     * own messages ("KVM ...") is not taken for the guest's.
     */
    static byte[] firmware() {
        byte[] bios = new byte[64 * 1024];
        byte[] code = {(byte) 0xb0, '~', (byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xee, (byte) 0xb0, 'K', (byte) 0xee,
            (byte) 0xb0, '~', (byte) 0xee, (byte) 0xb0, 0x00, (byte) 0xe6, (byte) 0xf4, (byte) 0xfa, (byte) 0xf4};
        System.arraycopy(code, 0, bios, 0xf000, code.length);
        int jump = (0xf000 - (0xfff0 + 3)) & 0xffff; // jmp rel16, relative to the next instruction
        bios[0xfff0] = (byte) 0xe9;
        bios[0xfff1] = (byte) jump;
        bios[0xfff2] = (byte) (jump >> 8);
        return bios;
    }
}
