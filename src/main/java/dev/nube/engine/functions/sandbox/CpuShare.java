package dev.nube.engine.functions.sandbox;

/**
 * CPU in proportion to memory, as Lambda gives it: 1,769 MB is one CPU, 128 MB about 7% of one. The numbers each
 * mechanism takes for a share: a CFS quota (cgroup v1 cpu.cfs_quota_us, v2 cpu.max) over a 100 ms period, a weight
 * against other work (v1 cpu.shares, v2 cpu.weight), and, with no cpu controller, a nice level. Stateless.
 */
public final class CpuShare {
    /** The memory size that gets one whole CPU. */
    public static final int ONE_CPU_MB = 1769;
    static final long PERIOD_MICROS = 100_000;

    private CpuShare() {
    }

    /** The CPUs a function of {@code memoryMb} gets. */
    public static double cpus(int memoryMb) {
        return memoryMb / (double) ONE_CPU_MB;
    }

    /** True when {@code cpus} is a cap on this machine (fewer CPUs than it has). */
    static boolean caps(double cpus) {
        return cpus > 0 && cpus < Runtime.getRuntime().availableProcessors();
    }

    /** The CFS quota per {@link #PERIOD_MICROS} period, or -1 for none (the kernel's minimum is 1 ms). */
    static long quotaMicros(double cpus) {
        return caps(cpus) ? Math.max(1000, Math.round(cpus * PERIOD_MICROS)) : -1;
    }

    /** cgroup v2 cpu.max: "quota period", or "max period" for no cap. */
    static String v2Max(double cpus) {
        long quota = quotaMicros(cpus);
        return (quota < 0 ? "max" : Long.toString(quota)) + " " + PERIOD_MICROS;
    }

    /** cgroup v1 cpu.shares (1,024 is the default, one CPU's worth). */
    static long v1Shares(double cpus) {
        return cpus > 0 ? Math.max(2, Math.round(1024 * cpus)) : 1024;
    }

    /** cgroup v2 cpu.weight (100 is the default, one CPU's worth). */
    static long v2Weight(double cpus) {
        return cpus > 0 ? Math.min(10_000, Math.max(1, Math.round(100 * cpus))) : 100;
    }

    /**
     * The nice level whose scheduler weight against a process at 0 is about {@code cpus} (each level is ~1.25x):
     * 12 for 128 MB, 0 from one CPU up. Only a priority: an idle CPU is used fully whatever the level.
     */
    static int niceLevel(double cpus) {
        if (cpus <= 0 || cpus >= 1) {
            return 0;
        }
        return (int) Math.min(19, Math.max(0, Math.round(Math.log(1 / cpus) / Math.log(1.25))));
    }
}
