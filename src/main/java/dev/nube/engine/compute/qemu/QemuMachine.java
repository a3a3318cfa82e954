package dev.nube.engine.compute.qemu;

import dev.nube.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One QEMU process for one instance: its command line, and the facts about it. QEMU is started with
 * {@code -daemonize}: it forks, calls setsid (its own session and process group, so it outlives the console and
 * ignores the console's signals) and writes its pid file; the process the JVM started exits once the machine is set
 * up. Stateless; safe from any thread.
 */
public final class QemuMachine {
    public static final String BINARY = "qemu-system-x86_64";
    /**
     * The guest's address on its first NIC, QEMU's user network (its DHCP lease), in EC2's link-local range: the way
     * the metadata service and the engine's forwards to guest ports reach it. Its own network is the second NIC.
     */
    public static final String GUEST_ADDRESS = "169.254.0.15";
    public static final String METADATA_ADDRESS = "169.254.169.254";
    private static final long START_DEADLINE_S = 60;
    /** OpenBSD netcat (Debian's netcat-openbsd): busybox's nc cannot connect to a unix socket. */
    static final String RELAY = "/bin/nc.openbsd";

    /**
     * What to run: everything QEMU needs to know, paths absolute. {@code kernel} and {@code initrd} are what QEMU
     * loads itself (direct kernel boot), {@code kernelArgs} the kernel's command line, null for
     * {@link #kernelCommandLine()}; a null {@code kernel} boots the root disk with its own boot loader instead, under
     * SeaBIOS (QEMU's default firmware) or, with {@code uefi}, under OVMF. {@code uefi} is null otherwise.
     */
    public record Spec(String binary, String instanceId, Accelerator accelerator, int vcpus, int memoryMiB, Path kernel,
                       Path initrd, String kernelArgs, Path rootDisk, Path qmpSocket, Path serialSocket, Path consoleLog, Path pidFile,
                       Path metadataSocket, int sshPort, Path vpcSocket, String vpcMac,
                       List<DataDisk> dataDisks, UefiFirmware uefi, Restorable restorable) {
        public Spec {
            dataDisks = List.copyOf(dataDisks);
            if (kernel != null && uefi != null) {
                throw new IllegalArgumentException("a guest boots either a kernel QEMU loads or its disk under UEFI");
            }
            if (restorable != null && (!dataDisks.isEmpty() || uefi != null)) {
                throw new IllegalArgumentException("only a guest without volumes or UEFI is saved and restored");
            }
        }

        /** A guest that is neither saved nor restored. */
        public Spec(String binary, String instanceId, Accelerator accelerator, int vcpus, int memoryMiB, Path kernel,
                    Path initrd, String kernelArgs, Path rootDisk, Path qmpSocket, Path serialSocket, Path consoleLog,
                    Path pidFile, Path metadataSocket, int sshPort, Path vpcSocket, String vpcMac,
                    List<DataDisk> dataDisks, UefiFirmware uefi) {
            this(binary, instanceId, accelerator, vcpus, memoryMiB, kernel, initrd, kernelArgs, rootDisk, qmpSocket,
                    serialSocket, consoleLog, pidFile, metadataSocket, sshPort, vpcSocket, vpcMac, dataDisks, uefi,
                    null);
        }

        /** True when the guest boots from its root disk with its own boot loader. */
        public boolean bootsFromDisk() {
            return kernel == null;
        }
    }

    /**
     * OVMF's UEFI firmware for one guest: its code ({@code OVMF_CODE_4M.fd}, shared and read-only) and the guest's
     * own copy of the variable store, where the firmware keeps its boot entries, written by the guest.
     */
    public record UefiFirmware(Path code, Path vars) {
    }

    /**
     * A guest whose memory is saved to a file and loaded by another QEMU: both command lines must make the same
     * machine, so the machine type is a versioned one ({@code pc-i440fx-7.2}, never the alias {@code pc}, which a
     * newer QEMU points elsewhere), and both carry a VM generation id device (a new id in each QEMU: the guest kernel
     * reseeds its random number generator when it changes), and a second serial port (the guest's ttyS1) on the
     * unix socket {@code wakeSocket}, where QEMU listens: the saved guest says there that it waits, and is woken
     * there once restored. {@code incomingState} is the saved state this QEMU loads at its start (it then stays
     * paused until told {@code cont}), or null for the QEMU that will be saved.
     */
    public record Restorable(String machineType, Path incomingState, Path wakeSocket) {
    }

    /** A volume attached besides the root disk: its id and qcow2 file (see {@link QemuBlock#options}). */
    public record DataDisk(String volumeId, Path file) {
    }

    private QemuMachine() {
    }

    /** The name every Nube QEMU carries ({@code -name}); also how a pid is recognised as the instance's. */
    public static String processName(String instanceId) {
        return "nube-" + instanceId;
    }

    /**
     * The guest's SMBIOS system UUID, also its serial number: as an EC2 instance's, it starts with "ec2" (cloud-init
     * takes that for EC2 and then uses its metadata service fully, session tokens included), followed by the
     * instance id's hex digits.
     */
    public static String systemUuid(String instanceId) {
        String hex = ("ec2" + instanceId.substring(instanceId.indexOf('-') + 1).toLowerCase(java.util.Locale.ROOT)
                + "0".repeat(32)).substring(0, 32);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    /** The kernel command line of Nube's tiny guests. */
    public static String kernelCommandLine() {
        return "console=ttyS0 panic=-1";
    }

    /** The full command line; {@code sshPort} 0 lets QEMU pick a free loopback port. */
    public static List<String> command(Spec spec) {
        List<String> c = new ArrayList<>(List.of(spec.binary(),
                "-name", processName(spec.instanceId()),
                "-machine", (spec.restorable() != null ? spec.restorable().machineType() : "pc") + ",accel="
                        + spec.accelerator().name(),
                "-smp", Integer.toString(spec.vcpus()),
                "-m", spec.memoryMiB() + "M",
                "-nodefaults", "-no-user-config", "-display", "none",
                "-smbios", "type=1,uuid=" + systemUuid(spec.instanceId()) + ",serial=" + systemUuid(spec.instanceId()),
                // The root disk is the first device made, so it is the first disk the guest finds (vda) whatever
                // volumes follow; its serial is its volume's id without the dash, as the other volumes' are. A guest
                // that boots from it has the firmware try it first.
                "-drive", "file=" + inOption(spec.rootDisk()) + ",if=none,id=root,format=qcow2,discard=unmap",
                "-device", "virtio-blk-pci,drive=root,serial=" + QemuBlock.diskName("vol-"
                        + spec.instanceId().substring(spec.instanceId().indexOf('-') + 1))
                        + (spec.bootsFromDisk() ? ",bootindex=0" : ""),
                "-netdev", "user,id=net0,restrict=on,net=169.254.0.0/16,host=169.254.0.2,dhcpstart=" + GUEST_ADDRESS
                        + ",hostfwd=tcp:127.0.0.1:" + spec.sshPort() + "-:22"
                        + ",guestfwd=tcp:" + METADATA_ADDRESS + ":80-cmd:"
                        + relayCommand(spec.metadataSocket()).replace(",", ",,"),
                "-device", "virtio-net-pci,netdev=net0",
                // The private network: QEMU listens, the engine's switch connects (and reconnects after a restart).
                "-netdev", "stream,id=vpc0,server=on,addr.type=unix,addr.path=" + inOption(spec.vpcSocket()),
                "-device", "virtio-net-pci,netdev=vpc0,mac=" + spec.vpcMac(),
                "-device", "virtio-rng-pci",
                "-chardev", "socket,id=serial0,path=" + inOption(spec.serialSocket()) + ",server=on,wait=off,logfile="
                        + inOption(spec.consoleLog()) + ",logappend=on",
                "-serial", "chardev:serial0",
                "-chardev", "socket,id=qmp0,path=" + inOption(spec.qmpSocket()) + ",server=on,wait=off",
                "-mon", "chardev=qmp0,mode=control",
                "-pidfile", spec.pidFile().toString(),
                "-daemonize"));
        if (spec.restorable() != null) {
            c.addAll(c.indexOf("-chardev"), List.of("-device", "vmgenid,guid=auto"));
            c.addAll(c.indexOf("-serial") + 2, List.of(
                    "-chardev", "socket,id=wake0,path=" + inOption(spec.restorable().wakeSocket()) + ",server=on,wait=off",
                    "-serial", "chardev:wake0"));
            if (spec.restorable().incomingState() != null) {
                // QEMU runs the command with /bin/sh: the path single-quoted.
                c.addAll(List.of("-incoming", "exec:cat '" + spec.restorable().incomingState().toString()
                        .replace("'", "'\\''") + "'"));
            }
        }
        int drive = c.indexOf("-drive");
        if (spec.bootsFromDisk()) {
            if (spec.uefi() != null) {
                c.addAll(drive, List.of(
                        "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + inOption(spec.uefi().code()),
                        "-drive", "if=pflash,format=raw,unit=1,file=" + inOption(spec.uefi().vars())));
            }
        } else {
            c.addAll(drive, List.of("-kernel", spec.kernel().toString(),
                    "-initrd", spec.initrd().toString(),
                    "-append", spec.kernelArgs() == null ? kernelCommandLine() : spec.kernelArgs()));
        }
        // After the root disk's device, so that it stays the guest's first disk.
        int at = c.indexOf("-netdev");
        for (DataDisk disk : spec.dataDisks()) {
            List<String> options = QemuBlock.options(disk.volumeId(), disk.file());
            c.addAll(at, options);
            at += options.size();
        }
        return c;
    }

    /**
     * A path as a value inside a QEMU option list ({@code file=PATH,if=virtio}): QEMU reads a comma as the end of
     * the value unless it is doubled. Paths given as whole arguments ({@code -kernel PATH}) are taken as they are.
     */
    static String inOption(Path path) {
        return path.toString().replace(",", ",,");
    }

    /**
     * The command QEMU runs for each connection the guest opens to the metadata address: OpenBSD netcat joins it to
     * the metadata service's unix socket. QEMU splits the command as a shell would (without running one), so the
     * path is single-quoted.
     */
    static String relayCommand(Path metadataSocket) {
        return RELAY + " -U '" + metadataSocket.toString().replace("'", "'\\''") + "'";
    }

    /** Why QEMU cannot relay the metadata service here, or null when it can. */
    public static String relayMissing() {
        return Files.isExecutable(Path.of(RELAY)) ? null : RELAY + " is missing (install the Debian package"
                + " netcat-openbsd): it relays each guest's metadata requests";
    }

    /**
     * Starts QEMU daemonized and returns its pid. {@code stderrLog} gets what QEMU printed before it detached;
     * its last line is the reason when the start fails.
     */
    public static long launch(Spec spec, Path stderrLog) throws IOException, InterruptedException {
        String missing = relayMissing();
        if (missing != null) {
            throw new IOException(missing);
        }
        Files.deleteIfExists(spec.pidFile());
        // Made owner-only before QEMU opens them: it keeps the mode of a file that is there.
        PrivateFiles.ensureFile(stderrLog);
        PrivateFiles.ensureFile(spec.consoleLog());
        Process parent = new ProcessBuilder(command(spec)).redirectErrorStream(true)
                .redirectOutput(stderrLog.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!parent.waitFor(START_DEADLINE_S, TimeUnit.SECONDS)) {
            parent.destroyForcibly();
            throw new IOException("QEMU did not start within " + START_DEADLINE_S + " s");
        }
        if (parent.exitValue() != 0) {
            throw new IOException("QEMU failed to start: " + lastLine(stderrLog));
        }
        return find(spec.pidFile(), spec.instanceId()).map(ProcessHandle::pid)
                .orElseThrow(() -> new IOException("QEMU started but left no running process ("
                        + lastLine(stderrLog) + ")"));
    }

    /**
     * The live QEMU of {@code instanceId}: the pid in {@code pidFile}, alive, and its command line carrying the
     * instance's {@link #processName} (so a reused pid is never mistaken for it).
     */
    public static Optional<ProcessHandle> find(Path pidFile, String instanceId) {
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> isInstanceProcess(pid, instanceId));
    }

    private static boolean isInstanceProcess(long pid, String instanceId) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return cmdline.contains("\0" + processName(instanceId) + "\0") || cmdline.contains(processName(instanceId)
                    + ",");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the QEMU of {@code pid} runs its guest under KVM (read from its command line). */
    public static boolean runsUnderKvm(long pid) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8);
            return cmdline.contains("accel=kvm");
        } catch (IOException e) {
            return false;
        }
    }

    /** Resident memory of a process in MiB (from /proc), or -1. */
    public static long rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The last line of what QEMU printed to {@code file} (its own log), or "no output". */
    public static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
        } catch (IOException e) {
            return "no output";
        }
        return "no output";
    }

    /** The host port forwarded to the guest's port 22, read from {@code info usernet}; 0 if none is listed. */
    public static int sshPort(String usernet) {
        return hostForwards(usernet).getOrDefault("tcp/22", 0);
    }

    /**
     * The forwards QEMU's user network holds, read from {@code info usernet}: host port by {@code tcp/GUESTPORT} or
     * {@code udp/GUESTPORT} (the first listed where there are two).
     */
    public static java.util.Map<String, Integer> hostForwards(String usernet) {
        java.util.Map<String, Integer> forwards = new java.util.HashMap<>();
        for (String line : usernet.split("\r?\n")) {
            String[] f = line.trim().split("\\s+");
            // Protocol[State] FD SrcAddr SrcPort DstAddr DstPort RecvQ SendQ
            if (f.length >= 6 && f[0].endsWith("[HOST_FORWARD]")) {
                String protocol = f[0].substring(0, f[0].indexOf('[')).toLowerCase(java.util.Locale.ROOT);
                try {
                    forwards.putIfAbsent(protocol + "/" + Integer.parseInt(f[5]), Integer.parseInt(f[3]));
                } catch (NumberFormatException e) {
                    // not a forward line after all
                }
            }
        }
        return forwards;
    }
}
