package dev.nube.engine.compute.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which accelerator guests run on, decided once per engine start. KVM is used only when a tiny guest really runs on
 * it before a deadline: on some machines /dev/kvm exists and guests hang. The probe guest is a 64 KiB firmware whose
 * reset vector writes one character to the serial port and halts. Otherwise TCG, with the reason.
 */
public record Accelerator(String name, String description) {
    public static final Duration PROBE_DEADLINE = Duration.ofSeconds(5);

    public boolean isKvm() {
        return name.equals("kvm");
    }

    /** Probes KVM with {@code qemu} (the qemu-system-x86_64 binary), using {@code work} for the probe's files. */
    public static Accelerator probe(String qemu, Path work) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return tcg("no /dev/kvm on this machine");
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return tcg("no permission to use /dev/kvm (join the kvm group)");
        }
        Process process = null;
        try {
            Files.createDirectories(work);
            Path firmware = work.resolve("kvm-probe.bin");
            Files.write(firmware, firmware());
            process = new ProcessBuilder(List.of(qemu, "-machine", "pc,accel=kvm", "-nodefaults", "-no-user-config",
                    "-display", "none", "-bios", firmware.toString(), "-serial", "stdio", "-m", "16"))
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            long deadline = System.nanoTime() + PROBE_DEADLINE.toNanos();
            InputStream in = process.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (System.nanoTime() < deadline) {
                while (in.available() > 0) {
                    int c = in.read();
                    if (c == 'K') {
                        return new Accelerator("kvm", "KVM (hardware virtualisation)");
                    }
                    seen.append((char) c);
                }
                if (!process.isAlive() && in.available() == 0) {
                    return tcg("KVM probe failed: " + seen.toString().strip());
                }
                Thread.sleep(20);
            }
            return tcg("KVM probe timed out after " + PROBE_DEADLINE.toSeconds() + " s");
        } catch (IOException e) {
            return tcg("KVM probe could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tcg("KVM probe interrupted");
        } finally {
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static Accelerator tcg(String why) {
        return new Accelerator("tcg", "TCG (" + why + ")");
    }

    /** 64 KiB of firmware: at the reset vector, {@code mov al,'K'; mov dx,0x3f8; out dx,al; cli; hlt}. */
    static byte[] firmware() {
        byte[] bios = new byte[64 * 1024];
        byte[] code = {(byte) 0xb0, 'K', (byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xee, (byte) 0xfa, (byte) 0xf4};
        System.arraycopy(code, 0, bios, 0xfff0, code.length);
        return bios;
    }
}
