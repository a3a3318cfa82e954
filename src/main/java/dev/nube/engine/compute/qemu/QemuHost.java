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
    private static final java.util.Map<String, String> PC_MACHINES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.regex.Pattern PC_ALIAS = java.util.regex.Pattern.compile(
            "^pc\\s+.*\\(alias of ([A-Za-z0-9_.-]+)\\)");

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

    /**
     * The versioned machine type QEMU's {@code pc} stands for here (e.g. {@code pc-i440fx-7.2}), from
     * {@code -machine help}; asked once per binary. A saved guest is loaded only into the same machine type.
     */
    public String pcMachineType() throws IOException, InterruptedException {
        String known = PC_MACHINES.get(binary);
        if (known != null) {
            return known;
        }
        Commands.Result result = Commands.run(List.of(binary, "-machine", "help"), null, Duration.ofSeconds(30));
        String type = result.exit() == 0 ? pcAliasTarget(result.output()) : null;
        if (type == null) {
            throw new IOException("QEMU names no versioned machine type for pc (" + result.lastLine() + ")");
        }
        PC_MACHINES.put(binary, type);
        return type;
    }

    /** The target of the {@code pc} line of {@code -machine help}'s text ("pc  Standard PC ... (alias of X)"). */
    static String pcAliasTarget(String help) {
        for (String line : help.split("\n")) {
            java.util.regex.Matcher m = PC_ALIAS.matcher(line.strip());
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }
}
