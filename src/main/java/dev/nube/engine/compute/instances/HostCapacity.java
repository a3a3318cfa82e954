package dev.nube.engine.compute.instances;

import java.util.Map;
import java.util.function.LongFunction;

/**
 * This machine's CPUs and memory as instances use them: what running instances take, plus what launches and starts
 * under way have reserved, so that two of them cannot both take the last of it. Thread-safe: a check and its
 * reservation happen under one lock.
 */
final class HostCapacity {
    private final InstanceTable table;
    private final Object lock = new Object();
    /** The instance types against this machine; tests may give it a smaller machine (set before any launch). */
    volatile InstanceTypes types = InstanceTypes.ofThisMachine();
    /** Memory promised to launches and starts under way whose QEMU is not attached yet. */
    private long reservedMiB;

    HostCapacity(InstanceTable table) {
        this.table = table;
    }

    /**
     * Checks a launch against the memory in use ({@code check} throws when it does not fit) and reserves what it
     * needs, in one step; the caller {@link #release releases} each instance's share once its QEMU runs or failed.
     */
    LaunchPlan reserveForLaunch(LongFunction<LaunchPlan> check) {
        synchronized (lock) {
            LaunchPlan plan = check.apply(memoryInUseMiB());
            reservedMiB += (long) plan.type().memoryMiB() * plan.count();
            return plan;
        }
    }

    /**
     * Reserves {@code memoryMiB} for starting an instance, or refuses with {@code InsufficientInstanceCapacity} as
     * RunInstances does. The caller {@link #release releases} it once the QEMU runs (or did not start).
     */
    void reserveToStart(String id, int memoryMiB) {
        synchronized (lock) {
            long inUse = memoryInUseMiB();
            if (types.hostMemoryMiB() > 0 && inUse + memoryMiB > types.hostMemoryMiB()) {
                throw new dev.nube.engine.EngineException("InsufficientInstanceCapacity", "Instance " + id + " needs "
                        + memoryMiB + " MiB of memory; running instances already have " + inUse + " MiB of this"
                        + " machine's " + types.hostMemoryMiB() + " MiB.");
            }
            reservedMiB += memoryMiB;
        }
    }

    void release(long memoryMiB) {
        synchronized (lock) {
            reservedMiB -= memoryMiB;
        }
    }

    /** Memory of the running instances and of the launches and starts under way. */
    long memoryInUseMiB() {
        synchronized (lock) {
            return usage().instanceMemoryMiB() + reservedMiB;
        }
    }

    /** The machine's CPUs, load and memory, and what the attached instances were given of them. */
    HostUsage usage() {
        double load = -1;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            load = os.getCpuLoad();
        }
        long total = InstanceTypes.meminfoMiB("MemTotal");
        long available = InstanceTypes.meminfoMiB("MemAvailable");
        int vcpus = 0;
        long memory = 0;
        for (Map.Entry<String, RunningInstance> entry : table.running.entrySet()) {
            String[] parts = entry.getKey().split("/", 2);
            try {
                InstanceRecord record = table.record(parts[0], parts[1]);
                vcpus += record.vcpus();
                memory += record.memoryMiB();
            } catch (dev.nube.engine.EngineException e) {
                // the region or instance went away meanwhile
            }
        }
        return new HostUsage(types.hostCpus(), total, load, total < 0 || available < 0 ? -1 : total - available, vcpus,
                memory);
    }
}
