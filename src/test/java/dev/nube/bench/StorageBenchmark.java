package dev.nube.bench;

import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.VmTestSupport;
import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotState;
import dev.nube.engine.compute.storage.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Snapshots and copies of the same 1 GiB of written (incompressible) data, beside bare baselines in the same run:
 * a snapshot of a volume no guest runs (qemu-img's compressed copy, then its checksum) against a plain
 * {@code qemu-img convert} to the same compressed qcow2 format; a copy of that snapshot to another region (a kernel
 * copy read back and summed at the destination, then made durable) against a plain {@code cp} followed by
 * {@code sync} of the copy (a copy as durable as Nube's; {@code cp} alone is printed too). Dirty pages are written
 * out before each timed step, so that no step pays for the one before, and the two copies take turns going first. Also a snapshot of the same volume while
 * a running guest has it attached (QEMU's backup job), and the hot-plug of a volume into a running guest: the
 * attach call, and until the guest lists the disk. Each is the median of ROUNDS runs (default 3).
 */
final class StorageBenchmark implements Bench.Suite {
    private static final String REGION = VmTestSupport.REGION;
    private static final String OTHER = "bench-local-2";

    @Override
    public String description() {
        return "snapshot, cross-region copy and hot-plug vs qemu-img convert and cp";
    }

    @Override
    public void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path home = Files.createTempDirectory("nube-bench-storage");
        try (VmTestSupport vm = new VmTestSupport(home)) {
            vm.engine.regions().create(OTHER, null);
            Volume volume = vm.engine.volumes().create(REGION, 2, null, "bench");
            Path disk = home.resolve("regions").resolve(REGION).resolve("volumes").resolve(volume.id())
                    .resolve("disk.qcow2");
            Path raw = home.resolve("data.raw");
            EngineTestSupport.run(List.of("dd", "if=/dev/urandom", "of=" + raw, "bs=1M", "count=1024",
                    "status=none"));
            Files.delete(disk);
            EngineTestSupport.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                    disk.toString()));
            EngineTestSupport.run(List.of("qemu-img", "resize", "-q", "-f", "qcow2", disk.toString(), "2G"));
            Files.delete(raw);
            System.out.println("1 GiB of random data written into a 2 GiB volume; " + rounds + " rounds");

            double[] snap = new double[rounds];
            double[] convert = new double[rounds];
            double[] copy = new double[rounds];
            double[] cp = new double[rounds];
            double[] cpOnly = new double[rounds];
            String lastSnapshot = null;
            for (int i = 0; i < rounds; i++) {
                Path bare = home.resolve("bare-" + i + ".qcow2");
                flush();
                long t0 = System.nanoTime();
                EngineTestSupport.run(List.of("qemu-img", "convert", "-c", "-f", "qcow2", "-O", "qcow2", "-o",
                        "compression_type=zstd", disk.toString(), bare.toString()));
                convert[i] = seconds(t0);

                flush();
                t0 = System.nanoTime();
                Snapshot s = vm.engine.snapshots().create(REGION, volume.id(), "bench " + i);
                awaitCompleted(vm, REGION, s.id());
                snap[i] = seconds(t0);
                lastSnapshot = s.id();

                Path file = home.resolve("regions").resolve(REGION).resolve("snapshots").resolve(s.id())
                        .resolve("snapshot.qcow2");
                // The two copies take turns going first, so that neither always meets the disk the other left.
                Snapshot c = null;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn + i) % 2 == 0) {
                        flush();
                        t0 = System.nanoTime();
                        EngineTestSupport.run(List.of("cp", file.toString(), home.resolve("cp-" + i).toString()));
                        cpOnly[i] = seconds(t0);
                        EngineTestSupport.run(List.of("sync", home.resolve("cp-" + i).toString()));
                        cp[i] = seconds(t0);
                    } else {
                        flush();
                        t0 = System.nanoTime();
                        c = vm.engine.snapshots().copy(REGION, s.id(), OTHER, "");
                        awaitCompleted(vm, OTHER, c.id());
                        copy[i] = seconds(t0);
                    }
                }
                System.out.printf("round %d: snapshot %.2f s (qemu-img convert %.2f s), copy %.2f s (cp + sync %.2f s,"
                        + " cp %.2f s)%n", i + 1, snap[i], convert[i], copy[i], cp[i], cpOnly[i]);
                Files.delete(bare);
                Files.delete(home.resolve("cp-" + i));
                vm.engine.snapshots().delete(OTHER, c.id());
                if (i < rounds - 1) {
                    vm.engine.snapshots().delete(REGION, s.id());
                }
            }

            Instance guest = vm.launch();
            double[] attach = new double[rounds];
            double[] seen = new double[rounds];
            double[] live = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                Volume empty = vm.engine.volumes().create(REGION, 1, null, "hotplug " + i);
                String serial = empty.id().replace("-", "");
                long t0 = System.nanoTime();
                vm.engine.volumes().attach(REGION, empty.id(), guest.id(), null);
                attach[i] = (System.nanoTime() - t0) / 1e6;
                EngineTestSupport.waitUntil("the guest lists the disk", 60, () -> vm.ssh(guest.id(),
                        "cat /sys/block/vd*/serial 2>/dev/null").contains(serial));
                seen[i] = (System.nanoTime() - t0) / 1e6;
                vm.engine.volumes().detach(REGION, empty.id());
                vm.engine.volumes().delete(REGION, empty.id());
            }
            vm.engine.volumes().attach(REGION, volume.id(), guest.id(), null);
            for (int i = 0; i < rounds; i++) {
                flush();
                long t0 = System.nanoTime();
                Snapshot s = vm.engine.snapshots().create(REGION, volume.id(), "live " + i);
                awaitCompleted(vm, REGION, s.id());
                live[i] = seconds(t0);
                vm.engine.snapshots().delete(REGION, s.id());
            }

            Stats sn = new Stats(snap);
            Stats cv = new Stats(convert);
            Stats co = new Stats(copy);
            Stats c = new Stats(cp);
            Stats hp = new Stats(attach);
            System.out.printf("snapshot (volume not in use): median %.2f s; qemu-img convert -c: %.2f s%n",
                    sn.median(), cv.median());
            System.out.printf("snapshot (attached to a running guest, QEMU backup job): median %.2f s%n",
                    new Stats(live).median());
            System.out.printf("copy to another region (checked, durable): median %.2f s; cp + sync: %.2f s; cp alone:"
                    + " %.2f s (ratio %.2f)%n", co.median(), c.median(), new Stats(cpOnly).median(),
                    co.median() / new Stats(cpOnly).median());
            System.out.printf("hot-plug: attach call median %.0f ms; until the guest lists the disk %.0f ms%n",
                    hp.median(), new Stats(seen).median());
            System.out.printf("storage: snapshot_ratio=%.2f copy_ratio=%.2f hotplug_ms=%.0f%n",
                    sn.median() / cv.median(), co.median() / c.median(), hp.median());
            vm.engine.snapshots().delete(REGION, lastSnapshot);
        } finally {
            try (var walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Writes out every dirty page (untimed), so that the next step starts on a quiet disk. */
    private static void flush() throws Exception {
        EngineTestSupport.run(List.of("sync"));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void awaitCompleted(VmTestSupport vm, String region, String id) throws Exception {
        EngineTestSupport.waitUntil(id + " completes", 600,
                () -> vm.engine.snapshots().get(region, id).state() == SnapshotState.COMPLETED);
    }
}
