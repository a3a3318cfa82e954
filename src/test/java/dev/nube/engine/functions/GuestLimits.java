package dev.nube.engine.functions;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Run inside a guest machine by the Debian image's tests (see {@link EngineInGuest}), as an ordinary user in a cgroup systemd delegated:
 * <ul>
 * <li>{@code run METHOD...}: runs those tests of {@link LimitsTest} and prints a line per test ("PASS name" or
 * "FAIL name: why"), then, with the engine closed, this JVM's cgroup and every cgroup of Nube's left under the
 * one it started in ("CGROUP path", "LEFT path"). Exits 0 when every test passed.</li>
 * <li>{@code hold}: opens an engine, starts an invocation that sleeps, prints "HOLDING" with the environment's
 * processes, and waits to be killed.</li>
 * <li>{@code describe}: detects the sandbox as the engine does and prints "MODE mode" and "STATUS text" (what the
 * status bar shows).</li>
 * </ul>
 */
public final class GuestLimits {
    /** The sandbox mode {@link LimitsTest} expects, when not cgroup v1. */
    public static final String EXPECTED_MODE = "nube.test.expectedSandboxMode";

    private GuestLimits() {
    }

    public static void main(String[] args) throws Exception {
        Path mount = Path.of("/sys/fs/cgroup");
        String started = ownCgroup();
        if (args.length > 0 && args[0].equals("hold")) {
            hold();
            return;
        }
        if (args.length > 0 && args[0].equals("describe")) {
            var sandbox = dev.nube.engine.functions.sandbox.Sandbox.detect(java.util.Optional.empty());
            System.out.println("MODE " + sandbox.mode());
            System.out.println("STATUS " + sandbox.describe());
            sandbox.close();
            System.out.println("CGROUP " + ownCgroup());
            return;
        }
        List<String> failed = new ArrayList<>();
        var request = LauncherDiscoveryRequestBuilder.request();
        for (int i = 1; i < args.length; i++) {
            request.selectors(selectMethod(LimitsTest.class, args[i]));
        }
        LauncherFactory.create().execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                String name = test.getDisplayName();
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.println((test.isTest() ? "PASS " : "DONE ") + name);
                } else {
                    String why = result.getThrowable().map(Throwable::toString).orElse(result.getStatus().name());
                    System.out.println("FAIL " + name + ": " + why.replace('\n', ' '));
                    failed.add(name);
                }
            }
        });
        System.out.println("CGROUP " + ownCgroup());
        for (Path left : leftovers(mount.resolve(started.substring(1)))) {
            System.out.println("LEFT " + left);
        }
        System.out.flush();
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    /** This process's cgroup v2 path, e.g. "/user.slice/.../run-r1.scope". */
    private static String ownCgroup() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3)).findFirst().orElseThrow();
    }

    /** Every cgroup of Nube's (named nube-...) under {@code cgroup}. */
    private static List<Path> leftovers(Path cgroup) throws IOException {
        try (Stream<Path> all = Files.walk(cgroup)) {
            return all.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("nube-")).toList();
        }
    }

    private static void hold() throws Exception {
        FunctionsFixture fixture = new FunctionsFixture(Files.createTempDirectory("nube-hold"));
        fixture.function(CreateFunctionRequest.of("held", TestRuntimes.PYTHON).withTimeout(300),
                Map.of("lambda_function.py", """
                        import subprocess, time
                        def lambda_handler(event, context):
                            subprocess.Popen(["sleep", "1000"])
                            time.sleep(280)
                        """));
        CompletableFuture.runAsync(() -> fixture.invoke("held", "{}"));
        var environment = LimitsTest.environmentOf(fixture, "held");
        for (int i = 0; i < 600 && environment.processes().size() < 3; i++) {
            Thread.sleep(100);
        }
        System.out.println("HOLDING " + environment.processes().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(" ")));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
