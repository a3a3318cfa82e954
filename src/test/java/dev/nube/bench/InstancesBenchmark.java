package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.instances.SshBanner;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.compute.qemu.QemuMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Launch to SSH-ready through the engine (median of 5) beside a bare {@code qemu-system-x86_64} boot of the same
 * kernel, initramfs and disk to the same SSH banner in the same run, alternating the two; then stop and start times
 * and the resident memory of one running instance. The ratio is Nube's overhead.
 */
final class InstancesBenchmark implements Bench.Suite {
    private static final String REGION = "local-1";
    private static final long DEADLINE_MS = 300_000;

    @Override
    public String description() {
        return "launch to SSH-ready vs a bare QEMU boot of the same image, tiny and Debian; stop, start, RSS";
    }

    @Override
    public void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int debianRounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path home = Files.createTempDirectory("nube-bench-instances");
        try (Engine engine = Engine.open(home)) {
            InstanceService instances = engine.instances();
            instances.setRestoreLaunches(false); // the boots first; restore launches are measured on their own
            long t0 = System.nanoTime();
            Image image = engine.images().ensureTinyImage(REGION);
            System.out.printf("image ready in %d ms (cached builds are reused)%n", ms(t0));
            String key = engine.keyPairs().create(REGION, "bench", KeyType.ED25519, 0).keyPair().id();
            Path imageDir = home.resolve("regions/local-1/images").resolve(image.id());
            List<Double> nube = new ArrayList<>();
            List<Double> bare = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                bare.add((double) bareBoot(imageDir, home.resolve("bare-" + i)));
                long start = System.nanoTime();
                Instance launched = instances.run(REGION, RunRequest.of(image.id(), "t3.nano", key)).get(0);
                if (!instances.awaitState(REGION, launched.id(), InstanceState.RUNNING, DEADLINE_MS)) {
                    throw new IllegalStateException(launched.id() + " did not reach running");
                }
                nube.add((double) ms(start));
                System.out.printf("round %d: bare %.0f ms, nube %.0f ms%n", i + 1, bare.get(i), nube.get(i));
                if (i < rounds - 1) {
                    instances.terminate(REGION, launched.id());
                    continue;
                }
                Instance running = instances.get(REGION, launched.id());
                Thread.sleep(2000); // let the guest settle before reading its memory
                long rss = QemuMachine.rssMiB(running.pid());
                long stopStart = System.nanoTime();
                instances.stop(REGION, running.id());
                long stopMs = ms(stopStart);
                long startStart = System.nanoTime();
                instances.start(REGION, running.id());
                instances.awaitState(REGION, running.id(), InstanceState.RUNNING, DEADLINE_MS);
                long startMs = ms(startStart);
                instances.terminate(REGION, running.id());
                long[] many = batch(instances, image.id(), key, imageDir, home, batch);
                double[] restore = restores(instances, image.id(), key, imageDir, rounds);
                String noDebian = debianRounds < 1 ? "no rounds asked for"
                        : engine.images().whyCannotBuild(ImageService.DEBIAN_IMAGE_NAME);
                double[] debian = noDebian == null ? debian(engine, key, home, debianRounds)
                        : new double[] {Double.NaN, Double.NaN, Double.NaN};
                if (noDebian != null) {
                    System.out.println("Debian image not measured: " + noDebian);
                }
                Stats nubeStats = new Stats(nube.stream().mapToDouble(d -> d).toArray());
                Stats bareStats = new Stats(bare.stream().mapToDouble(d -> d).toArray());
                double n = nubeStats.median();
                double b = bareStats.median();
                // Under TCG a boot's speed varies with the emulated CPU's (some boots run uniformly slower), so a
                // median of few rounds can land in different groups for the two; the fastest of each compares
                // like with like.
                double nMin = nubeStats.percentile(0);
                double bMin = bareStats.percentile(0);
                System.out.printf("launch to SSH banner: median %.0f ms (Nube) vs %.0f ms (bare QEMU), fastest %.0f ms"
                        + " vs %.0f ms, %d rounds%n", n, b, nMin, bMin, rounds);
                System.out.printf("stop (clean power-off): %d ms; start to SSH: %d ms; RSS of a t3.nano: %d MiB%n",
                        stopMs, startMs, rss);
                System.out.printf("a batch of %d: RunInstances returned in %d ms, all running after %d ms (%d bare"
                        + " QEMUs started together: %d ms), all terminated in %d ms%n", batch, many[0], many[1], batch,
                        many[2], many[3]);
                System.out.printf("restore launch to SSH banner: median %.0f ms of %d (%.2f of the bare boot); template"
                        + " built in %.0f ms, %.0f MiB of memory state, %.1f MiB of disk overlay%n", restore[0], rounds,
                        restore[0] / b, restore[1], restore[2], restore[3]);
                System.out.printf("instances: launch_to_ssh_ms=%.0f bare_qemu_ms=%.0f ratio=%.2f launch_min_ms=%.0f"
                        + " bare_min_ms=%.0f min_ratio=%.2f rss_mb=%d stop_ms=%d start_to_ssh_ms=%d accel=%s"
                        + " batch%d_return_ms=%d batch%d_all_running_ms=%d batch%d_bare_ms=%d"
                        + " batch%d_terminate_ms=%d debian_launch_to_ssh_ms=%.0f debian_bare_ms=%.0f debian_ratio=%.2f"
                        + " debian_cloud_init_ms=%.0f restore_launch_to_ssh_ms=%.0f restore_ratio=%.2f"
                        + " template_build_ms=%.0f template_state_mb=%.0f template_disk_mb=%.1f%n",
                        n, b, n / b, nMin, bMin, nMin / bMin, rss, stopMs, startMs,
                        engine.hostStatus().accelerator().startsWith("KVM") ? "kvm" : "tcg", batch, many[0], batch,
                        many[1], batch, many[2], batch, many[3], debian[0], debian[1], debian[0] / debian[1],
                        debian[2], restore[0], restore[0] / b, restore[1], restore[2], restore[3]);
            }
        } finally {
            try (Stream<Path> walk = Files.walk(home)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Restore launches: the setting on, one launch boots and has the shape's template built in the background; once
     * it is there, {@code rounds} launches restore it, each timed from RunInstances to running (the SSH banner), as
     * the boots are. Returns the median in ms, the template's build time in ms, and its memory state and disk overlay
     * in MiB.
     */
    private static double[] restores(InstanceService instances, String imageId, String key, Path imageDir,
                                     int rounds) throws Exception {
        instances.setRestoreLaunches(true);
        Instance first = instances.run(REGION, RunRequest.of(imageId, "t3.nano", key)).get(0);
        Path template = null;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (template == null && System.nanoTime() < deadline) {
            Thread.sleep(200);
            if (Files.isDirectory(imageDir.resolve("templates"))) {
                try (Stream<Path> found = Files.list(imageDir.resolve("templates"))) {
                    template = found.filter(p -> Files.isRegularFile(p.resolve("template.json"))).findFirst()
                            .orElse(null);
                }
            }
        }
        if (template == null) {
            throw new IllegalStateException("no launch template was built; see " + imageDir);
        }
        instances.awaitState(REGION, first.id(), InstanceState.RUNNING, DEADLINE_MS);
        instances.terminate(REGION, first.id());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(template.resolve("template.json").toFile());
        double[] times = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            Instance launched = instances.run(REGION, RunRequest.of(imageId, "t3.nano", key)).get(0);
            if (!instances.awaitState(REGION, launched.id(), InstanceState.RUNNING, DEADLINE_MS)) {
                throw new IllegalStateException(launched.id() + " did not reach running");
            }
            times[i] = ms(start);
            System.out.printf("restore round %d: %.0f ms%n", i + 1, times[i]);
            instances.terminate(REGION, launched.id());
        }
        return new double[] {new Stats(times).median(), doc.path("buildMillis").asDouble(),
                Files.size(template.resolve("state")) / 1048576.0,
                Files.size(template.resolve("disk.qcow2")) / 1048576.0};
    }

    /**
     * The Debian image: launch to SSH banner and launch to cloud-init done (its status, asked over SSH with the
     * console's own SSH command) through the engine, beside a bare QEMU boot of the same kernel, initramfs and disk
     * to the same banner with cloud-init disabled on its command line (a bare QEMU has no metadata service to give it
     * anything; sshd then makes its host keys itself). Medians of {@code rounds}, alternating the two; in ms.
     */
    private static double[] debian(Engine engine, String key, Path home, int rounds) throws Exception {
        long t0 = System.nanoTime();
        Image image = engine.images().ensureImage(REGION, ImageService.DEBIAN_IMAGE_NAME);
        System.out.printf("Debian image ready in %d ms (cached builds are reused), %.0f MiB%n", ms(t0),
                image.sizeBytes() / 1048576.0);
        Path imageDir = home.resolve("regions/local-1/images").resolve(image.id());
        InstanceService instances = engine.instances();
        double[] ssh = new double[rounds];
        double[] bare = new double[rounds];
        double[] cloudInit = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long bareStart = System.nanoTime();
            try (BareQemu qemu = startBare(imageDir, home.resolve("debian-bare-" + i),
                    image.kernelArgs() + " cloud-init=disabled", "1024M")) {
                qemu.awaitBanner();
                bare[i] = ms(bareStart);
            }
            long start = System.nanoTime();
            Instance launched = instances.run(REGION, RunRequest.of(image.id(), "t3.micro", key)).get(0);
            try {
                if (!instances.awaitState(REGION, launched.id(), InstanceState.RUNNING, DEADLINE_MS)) {
                    throw new IllegalStateException(launched.id() + " did not reach running");
                }
                ssh[i] = ms(start);
                String command = instances.connectInfo(REGION, launched.id()).sshCommand()
                        .replaceFirst("^ssh ", "ssh -o BatchMode=yes -o ConnectTimeout=60 -o ServerAliveInterval=30 ")
                        + " 'cloud-init status --wait'";
                Process status = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                        .redirectOutput(home.resolve("cloud-init-" + i + ".txt").toFile()).start();
                if (!status.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)) {
                    status.destroyForcibly();
                    throw new IllegalStateException("cloud-init on " + launched.id() + " did not finish in time");
                }
                String out = Files.readString(home.resolve("cloud-init-" + i + ".txt"));
                if (status.exitValue() != 0 || !out.contains("status: done")) {
                    throw new IllegalStateException("cloud-init on " + launched.id() + " did not finish well: " + out);
                }
                cloudInit[i] = ms(start);
            } finally {
                instances.terminate(REGION, launched.id());
            }
            System.out.printf("debian round %d: bare %.0f ms, nube to SSH %.0f ms, to cloud-init done %.0f ms%n",
                    i + 1, bare[i], ssh[i], cloudInit[i]);
        }
        return new double[] {new Stats(ssh).median(), new Stats(bare).median(), new Stats(cloudInit).median()};
    }

    /**
     * {@code count} instances at once: how long RunInstances takes to answer, until all of them run, and until all
     * are terminated (each its own call, at once, as the console does), beside as many bare QEMUs started together
     * to the same SSH banner. Returns those four times in ms.
     */
    private static long[] batch(InstanceService instances, String imageId, String key, Path imageDir, Path home,
                                int count) throws Exception {
        List<BareQemu> bares = new ArrayList<>();
        long bareStart = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                bares.add(startBare(imageDir, home.resolve("batch-bare-" + i), QemuMachine.kernelCommandLine(),
                        "512M"));
            }
            for (BareQemu bare : bares) {
                bare.awaitBanner();
            }
        } finally {
            bares.forEach(BareQemu::close);
        }
        long bareMs = ms(bareStart);
        long start = System.nanoTime();
        List<Instance> launched = instances.run(REGION, RunRequest.of(imageId, "t3.nano", key).withCount(count));
        long returnMs = ms(start);
        for (Instance instance : launched) {
            if (!instances.awaitState(REGION, instance.id(), InstanceState.RUNNING, DEADLINE_MS)) {
                throw new IllegalStateException(instance.id() + " of the batch did not reach running");
            }
        }
        long allRunningMs = ms(start);
        long terminateStart = System.nanoTime();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(count);
        try {
            List<java.util.concurrent.Future<Instance>> done = new ArrayList<>();
            for (Instance instance : launched) {
                done.add(callers.submit(() -> instances.terminate(REGION, instance.id())));
            }
            for (java.util.concurrent.Future<Instance> each : done) {
                each.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        return new long[] {returnMs, allRunningMs, bareMs, ms(terminateStart)};
    }

    /** qemu-system-x86_64 with the same kernel, initramfs, disk and devices, timed from exec to the SSH banner. */
    private static long bareBoot(Path imageDir, Path work) throws IOException, InterruptedException {
        long start = System.nanoTime();
        try (BareQemu bare = startBare(imageDir, work, QemuMachine.kernelCommandLine(), "512M")) {
            bare.awaitBanner();
            return ms(start);
        }
    }

    /** A bare QEMU booting, and the loopback port its SSH answers on. */
    private record BareQemu(Process qemu, int port, Path work) implements AutoCloseable {
        void awaitBanner() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            while (!SshBanner.answers("127.0.0.1", port, 2000)) {
                if (System.nanoTime() > deadline || !qemu.isAlive()) {
                    throw new IllegalStateException("the bare QEMU boot did not reach SSH; see " + work);
                }
                Thread.sleep(150);
            }
        }

        @Override
        public void close() {
            qemu.destroyForcibly();
            try {
                qemu.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static BareQemu startBare(Path imageDir, Path work, String kernelArgs, String memory)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path disk = work.resolve("root.qcow2");
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "-b",
                imageDir.resolve(TinyImageBuilder.DISK).toString(), "-F", "qcow2", disk.toString()).inheritIO()
                .start().waitFor();
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process qemu = new ProcessBuilder(QemuMachine.BINARY, "-machine", "pc,accel=tcg", "-smp", "1", "-m", memory,
                "-nodefaults", "-no-user-config", "-display", "none",
                "-kernel", imageDir.resolve(TinyImageBuilder.KERNEL).toString(),
                "-initrd", imageDir.resolve(TinyImageBuilder.INITRD).toString(),
                "-append", kernelArgs,
                "-drive", "file=" + disk + ",if=virtio,format=qcow2",
                "-netdev", "user,id=net0,restrict=on,net=169.254.0.0/16,host=169.254.0.2,dhcpstart=169.254.0.15,"
                        + "hostfwd=tcp:127.0.0.1:" + port + "-:22,"
                        // The guest asks the metadata service at boot; here the relay finds nobody listening and
                        // the guest's request fails at once (without a relay it would wait for its timeouts).
                        + "guestfwd=tcp:169.254.169.254:80-cmd:busybox nc 127.0.0.1 " + closedPort(),
                "-device", "virtio-net-pci,netdev=net0", "-device", "virtio-rng-pci",
                "-serial", "file:" + work.resolve("console.log"))
                .redirectErrorStream(true).redirectOutput(work.resolve("qemu.log").toFile()).start();
        return new BareQemu(qemu, port, work);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
