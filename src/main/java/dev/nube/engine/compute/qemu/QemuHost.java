package dev.nube.engine.compute.qemu;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The QEMU this engine runs guests with and the KVM device it may use: the system's by default; tests give a
 * stand-in that misbehaves as a broken host does.
 */
public record QemuHost(String binary, Path kvmDevice) {
    public static final QemuHost SYSTEM = new QemuHost(QemuMachine.BINARY, Path.of("/dev/kvm"));

    private static final String UNKNOWN = "unknown QEMU";

    /** QEMU's version line when {@code --version} works, empty when QEMU is missing or broken here. */
    public java.util.Optional<String> installedVersion() {
        String version = version();
        return version.startsWith(UNKNOWN) ? java.util.Optional.empty() : java.util.Optional.of(version);
    }

    /** QEMU's first line of {@code --version} (e.g. "QEMU emulator version 7.2.22 (...)"), or why it is unknown. */
    public String version() {
        try {
            Commands.Result result = Commands.run(List.of(binary, "--version"), null, Duration.ofSeconds(30));
            String first = result.output().strip().split("\n")[0].strip();
            return result.exit() == 0 && !first.isEmpty() ? first : UNKNOWN + " (" + result.lastLine() + ")";
        } catch (IOException e) {
            return UNKNOWN + " (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN + " (interrupted)";
        }
    }
}
