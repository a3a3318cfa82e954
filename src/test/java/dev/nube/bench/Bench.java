package dev.nube.bench;

import java.util.Map;
import java.util.TreeMap;

/** Entry point of {@code bench/run SUITE}: finds the suite and runs it. */
public final class Bench {
    /** A benchmark suite: prints what it measures, and as its last line {@code name: key=value ...}. */
    public interface Suite {
        String description();

        void run(String[] args) throws Exception;
    }

    private static final Map<String, Suite> SUITES = new TreeMap<>(Map.of(
            "api", new ApiBenchmark(),
            "store", new StoreBenchmark(),
            "console", new ConsoleBenchmark(),
            "functions", new FunctionsBenchmark(),
            "instances", new InstancesBenchmark(),
            "network", new NetworkBenchmark(),
            "storage", new StorageBenchmark(),
            "tables", new TablesBenchmark()));

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Suite suite = args.length == 0 ? null : SUITES.get(args[0]);
        if (suite == null) {
            System.err.println("usage: bench/run SUITE, where SUITE is one of:");
            SUITES.forEach((name, s) -> System.err.printf("  %-10s %s%n", name, s.description()));
            System.exit(2);
        }
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        suite.run(rest);
        System.exit(0);
    }
}
