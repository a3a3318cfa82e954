package dev.nube.engine.compute.instances;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The instance type presets and this machine's capacity to run them. Immutable. */
final class InstanceTypes {
    static final List<InstanceType> ALL = List.of(
            new InstanceType("t3.nano", 1, 512),
            new InstanceType("t3.micro", 1, 1024),
            new InstanceType("t3.small", 1, 2048),
            new InstanceType("t3.medium", 2, 4096),
            new InstanceType("t3.large", 2, 8192),
            new InstanceType("t3.xlarge", 4, 16384),
            new InstanceType("t3.2xlarge", 8, 32768));

    private final int hostCpus;
    private final long hostMemoryMiB;

    InstanceTypes(int hostCpus, long hostMemoryMiB) {
        this.hostCpus = hostCpus;
        this.hostMemoryMiB = hostMemoryMiB;
    }

    static InstanceTypes ofThisMachine() {
        return new InstanceTypes(Runtime.getRuntime().availableProcessors(), meminfoMiB("MemTotal"));
    }

    int hostCpus() {
        return hostCpus;
    }

    long hostMemoryMiB() {
        return hostMemoryMiB;
    }

    Optional<InstanceType> find(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Null when the type fits this machine, else why not. */
    String whyNotFits(InstanceType type) {
        if (type.vcpus() > hostCpus) {
            return type.name() + " needs " + type.vcpus() + " vCPUs; this machine has " + hostCpus + ".";
        }
        if (hostMemoryMiB > 0 && type.memoryMiB() > hostMemoryMiB) {
            return type.name() + " needs " + type.memoryMiB() / 1024.0 + " GiB of memory; this machine has "
                    + String.format("%.1f", hostMemoryMiB / 1024.0) + " GiB.";
        }
        return null;
    }

    /** A /proc/meminfo value in MiB, or -1. */
    static long meminfoMiB(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
