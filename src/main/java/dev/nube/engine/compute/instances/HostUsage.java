package dev.nube.engine.compute.instances;

/**
 * This machine's capacity and what is in use, for the dashboard: CPUs and memory of the host, the share of CPU busy
 * right now (0..1, or -1 when unknown), memory in use on the host, and the vCPUs and memory given to instances that
 * have a QEMU process.
 */
public record HostUsage(int hostCpus, long hostMemoryMiB, double hostCpuLoad, long hostMemoryUsedMiB,
                        int instanceVcpus, long instanceMemoryMiB) {
}
