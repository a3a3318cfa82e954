package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.images.tiny.TinyImageBuilder;
import dev.nube.engine.compute.qemu.KvmProbes;
import dev.nube.engine.compute.qemu.QemuHost;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Console start-up: time from JVM start to the first frame (the window showing "Opening ...") and to the console
 * ready (engine open, dashboard built), for the real console on an existing data folder, beside a bare JavaFX window
 * started the same way in the same run. Both run headless (Monocle, software rendering), so the numbers leave out
 * a real display's work but compare like with like.
 *
 * <p>{@code bench/run console ROUNDS LAUNCHER} times an installed command instead (e.g. {@code /usr/bin/nube}, the
 * Debian package's), beside the source build started by {@code java} on the same display ({@code $DISPLAY}), both
 * with {@code --data-dir} on one data folder.
 */
final class ConsoleBenchmark implements Bench.Suite {
    private static final Pattern CONSOLE = Pattern.compile("startup: first frame (\\d+) ms, console ready (\\d+) ms");
    private static final Pattern BARE = Pattern.compile("bare first frame (\\d+) ms");

    @Override
    public String description() {
        return "console first frame and ready time vs a bare JavaFX window";
    }

    @Override
    public void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (args.length > 1) {
            installed(rounds, args[1]);
            return;
        }
        Path home = Files.createTempDirectory("nube-bench-console");
        long[] first = new long[rounds];
        long[] ready = new long[rounds];
        long[] bare = new long[rounds];
        launch("dev.nube.Launcher", home, CONSOLE); // creates the data folder; not measured
        for (int i = 0; i < rounds; i++) {
            Matcher console = launch("dev.nube.Launcher", home, CONSOLE);
            first[i] = Long.parseLong(console.group(1));
            ready[i] = Long.parseLong(console.group(2));
            bare[i] = Long.parseLong(launch(BareFxApp.class.getName(), home, BARE).group(1));
            System.out.printf("round %d: console first frame %d ms, ready %d ms; bare window %d ms%n", i + 1,
                    first[i], ready[i], bare[i]);
        }
        double firstMedian = new Stats(toDoubles(first)).median();
        double readyMedian = new Stats(toDoubles(ready)).median();
        double bareMedian = new Stats(toDoubles(bare)).median();
        long[] probes = kvmProbes(home);
        System.out.printf("console: first_frame_ms=%.0f ready_ms=%.0f bare_first_frame_ms=%.0f ratio=%.2f"
                        + " kvm_firmware_probe_ms=%d kvm_kernel_probe_ms=%d%n",
                firstMedian, readyMedian, bareMedian, firstMedian / bareMedian, probes[0], probes[1]);
    }

    /** The installed {@code launcher} beside the source build, both on the display {@code $DISPLAY}. */
    private static void installed(int rounds, String launcher) throws Exception {
        if (System.getenv("DISPLAY") == null) {
            throw new IllegalStateException("timing an installed launcher needs a display: set DISPLAY (Xvfb will do)");
        }
        Path home = Files.createTempDirectory("nube-bench-console");
        List<String> source = new ArrayList<>(javaCommand());
        source.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.nube.Launcher"));
        List<String> installed = List.of(launcher);
        long[] first = new long[rounds];
        long[] ready = new long[rounds];
        long[] sourceFirst = new long[rounds];
        long[] sourceReady = new long[rounds];
        launch(installed, home, CONSOLE); // creates the data folder; not measured
        for (int i = 0; i < rounds; i++) {
            Matcher a = launch(installed, home, CONSOLE);
            first[i] = Long.parseLong(a.group(1));
            ready[i] = Long.parseLong(a.group(2));
            Matcher b = launch(source, home, CONSOLE);
            sourceFirst[i] = Long.parseLong(b.group(1));
            sourceReady[i] = Long.parseLong(b.group(2));
            System.out.printf("round %d: %s first frame %d ms, ready %d ms; source build %d ms, ready %d ms%n", i + 1,
                    launcher, first[i], ready[i], sourceFirst[i], sourceReady[i]);
        }
        double firstMedian = new Stats(toDoubles(first)).median();
        double sourceMedian = new Stats(toDoubles(sourceFirst)).median();
        System.out.printf("console: installed_first_frame_ms=%.0f installed_ready_ms=%.0f source_first_frame_ms=%.0f"
                        + " source_ready_ms=%.0f ratio=%.2f%n", firstMedian, new Stats(toDoubles(ready)).median(),
                sourceMedian, new Stats(toDoubles(sourceReady)).median(), firstMedian / sourceMedian);
    }

    /**
     * What the accelerator checks cost on this machine, once each: the firmware probe (every engine start, in the
     * background) and the kernel probe with the cached tiny image's kernel (once per QEMU and kernel, before the
     * first launch; -1 without a cached image). Each says what it found.
     */
    private static long[] kvmProbes(Path home) throws Exception {
        try (KvmProbes probes = new KvmProbes(QemuHost.SYSTEM, home.resolve("probe"))) {
            long t0 = System.nanoTime();
            String firmware = probes.firmwareProblem();
            long firmwareMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("KVM firmware probe: " + firmwareMs + " ms, " + (firmware == null ? "KVM answers"
                    : firmware));
            Path images = Engine.defaultCache(System.getenv()).resolve("images");
            Path kernel = null;
            if (Files.isDirectory(images)) {
                try (var builds = Files.list(images)) {
                    kernel = builds.map(b -> b.resolve(TinyImageBuilder.KERNEL)).filter(Files::isRegularFile)
                            .findFirst().orElse(null);
                }
            }
            if (kernel == null) {
                System.out.println("KVM kernel probe: no cached guest kernel (launch an instance once)");
                return new long[] {firmwareMs, -1};
            }
            long t1 = System.nanoTime();
            String problem = probes.kernelProblem(kernel);
            long kernelMs = (System.nanoTime() - t1) / 1_000_000;
            System.out.println("KVM kernel probe: " + kernelMs + " ms, " + (problem == null ? "KVM runs the guest"
                    + " kernel" : "KVM failed to run the guest kernel: " + problem));
            return new long[] {firmwareMs, kernelMs};
        }
    }

    private static double[] toDoubles(long[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** This JVM's java, with the flags this Java version needs. */
    private static List<String> javaCommand() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        return command;
    }

    /** Starts a JVM on {@code mainClass} headless, waits for the line matching {@code pattern}, then ends it. */
    private static Matcher launch(String mainClass, Path home, Pattern pattern) throws Exception {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dglass.platform=Monocle",
                "-Dmonocle.platform=Headless", "-Dprism.order=sw", "-Dprism.text=t2k", "-Djava.awt.headless=true",
                mainClass));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("NUBE_HOME", home.toString());
        return awaitLine(builder.start(), mainClass, pattern);
    }

    /** Starts {@code command} with {@code --data-dir home}, waits for the line matching {@code pattern}, ends it. */
    private static Matcher launch(List<String> command, Path home, Pattern pattern) throws Exception {
        List<String> withHome = new ArrayList<>(command);
        withHome.addAll(List.of("--data-dir", home.toString()));
        return awaitLine(new ProcessBuilder(withHome).redirectErrorStream(true).start(), command.get(0), pattern);
    }

    private static Matcher awaitLine(Process process, String what, Pattern pattern) throws Exception {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            }
            throw new IllegalStateException(what + " ended without printing its start-up time");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
