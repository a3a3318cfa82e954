package dev.nube.engine.compute.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for qemu-system-x86_64 in a test folder: a shell script that behaves as a host's KVM does (runs the
 * probe firmware, stops a kernel with "emulation failure", stays silent), records each call's arguments in
 * {@code calls} and the pid of its last kernel probe in {@code probe.pid}, so a test can see what was asked and that
 * nothing is left running.
 */
final class FakeQemu {
    /** How the fake's kernel probe behaves. */
    enum Kernel { BOOTS, EMULATION_FAILURE, SILENT }

    private final Path dir;
    final Path binary;
    final Path kvmDevice;

    FakeQemu(Path dir, Kernel kernel) throws IOException {
        this.dir = dir;
        this.binary = dir.resolve("qemu-fake");
        this.kvmDevice = Files.writeString(dir.resolve("kvm"), "");
        String onKernel = switch (kernel) {
            case BOOTS -> "printf 'Linux version 6.1.0\\nVFS: Unable to mount root fs\\nKernel panic\\n'; exit 0";
            case EMULATION_FAILURE -> "printf 'Linux version 6.1.0\\n'; "
                    + "printf 'KVM internal error. Suberror: 1\\nemulation failure\\n' >&2; exec sleep 600";
            case SILENT -> "exec sleep 600";
        };
        Files.writeString(binary, "#!/bin/bash\n"
                + "cd '" + dir + "'\n"
                + "if [ \"$1\" = --version ]; then echo 'QEMU emulator version 7.2.99 (fake)'; exit 0; fi\n"
                + "echo \"$*\" >> calls\n"
                + "case \" $* \" in\n"
                + "  *' -bios '*) printf '~K~'; exec sleep 600 ;;\n"
                + "  *' -kernel '*) echo $$ > probe.pid; " + onKernel + " ;;\n"
                + "esac\n"
                + "exit 1\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
    }

    QemuHost host() {
        return new QemuHost(binary.toString(), kvmDevice);
    }

    List<String> calls() throws IOException {
        Path calls = dir.resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    long kernelProbes() throws IOException {
        return calls().stream().filter(c -> c.contains("-kernel")).count();
    }

    /** The last kernel probe's process, if it still runs. */
    Optional<ProcessHandle> lastProbe() throws IOException {
        Path pid = dir.resolve("probe.pid");
        return Files.exists(pid) ? ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
                .filter(ProcessHandle::isAlive) : Optional.empty();
    }
}
