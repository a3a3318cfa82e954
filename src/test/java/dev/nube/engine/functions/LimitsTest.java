package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.sandbox.EnvironmentState;
import dev.nube.engine.functions.sandbox.ExecutionEnvironment;
import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every limit, broken on purpose, in the strongest mode this machine offers (cgroup v1 here; a Debian guest runs it
 * under cgroup v2 as an ordinary user, see {@link EngineInGuest}).
 */
class LimitsTest extends SandboxTestBase {
    static final String ALLOCATE = """
            import time
            def lambda_handler(event, context):
                block = b"x" * (event["mb"] * 1024 * 1024)
                time.sleep(0.3)
                return len(block)
            """;
    /** Starts event["threads"] threads that sleep; says how far it got when refused. */
    static final String THREADS = """
            import threading, time
            def lambda_handler(event, context):
                started = 0
                try:
                    for _ in range(event["threads"]):
                        threading.Thread(target=time.sleep, args=(20,), daemon=True).start()
                        started += 1
                except RuntimeError as e:
                    return "refused after %d: %s" % (started, e)
                time.sleep(2)
                return "started %d" % started
            """;
    /**
     * Memory for the fork tests. Each forked Python costs ~0.8 MB of the memory limit (page tables, kernel stack,
     * pages copied on write), so at 512 MB the memory limit ends a fork bomb at ~600 processes, before the limit of
     * processes these tests are about.
     */
    static final int FORK_MEMORY_MB = 2048;
    /** How long an invocation or a wait here may take before the engine counts as broken: never a measured time. */
    static final long BOUND_SECONDS = 120;
    static Functions engineFunctions(FunctionsFixture fixture) {
        return (Functions) fixture.functions;
    }

    static ExecutionEnvironment environmentOf(FunctionsFixture fixture, String name) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            for (ExecutionEnvironment environment : engineFunctions(fixture).liveEnvironments()) {
                if (environment.config().functionName().equals(name)) {
                    return environment;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no environment of " + name + " appeared");
    }

    /** Invokes in the background, collects the environment's processes meanwhile, checks none is left after. */
    static InvocationResult invokeAndCheckNothingLeft(FunctionsFixture fixture, String name, String json)
            throws Exception {
        CompletableFuture<InvocationResult> result = CompletableFuture.supplyAsync(() -> fixture.invoke(name, json));
        ExecutionEnvironment environment = environmentOf(fixture, name);
        Set<Long> seen = new HashSet<>();
        InvocationResult done = sampleUntilDone(result, 100, () -> seen.addAll(environment.processes()));
        assertFalse(seen.isEmpty(), "the environment's processes were seen");
        assertNothingLeft(environment, seen);
        return done;
    }

    /** One round of sampling while an invocation runs. */
    interface Round {
        void run() throws Exception;
    }

    /** Runs {@code round} every {@code everyMs} until {@code invocation} ends; fails if it runs past the bound. */
    static InvocationResult sampleUntilDone(CompletableFuture<InvocationResult> invocation, long everyMs, Round round)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (!invocation.isDone()) {
            assertTrue(System.nanoTime() < deadline, "the invocation did not end within " + BOUND_SECONDS + " s");
            round.run();
            Thread.sleep(everyMs);
        }
        return invocation.get();
    }

    /** The environment is over and every process it had is gone. */
    static void assertNothingLeft(ExecutionEnvironment environment, Set<Long> seen) throws Exception {
        assertTrue(environment.state().terminal(), environment.state().toString());
        assertAllGone(seen);
        assertEquals(List.of(), environment.processes(), "processes still in the environment's limits");
    }

    /**
     * Every process is gone: exited, or a zombie its new parent has not reaped yet (the host's init reaps what
     * a killed pid namespace leaves). Waits a little, since SIGKILL takes effect asynchronously.
     */
    static void assertAllGone(Set<Long> pids) throws Exception {
        for (long pid : pids) {
            for (int i = 0; i < 200 && running(pid); i++) {
                Thread.sleep(50);
            }
            assertFalse(running(pid), "process " + pid + " was left running");
        }
    }

    private static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void anInfiniteLoopIsKilledAtItsTimeoutWithNothingLeftBehind() throws Exception {
        f.function(CreateFunctionRequest.of("loop", PYTHON).withTimeout(2), Map.of("lambda_function.py", """
                import subprocess
                def lambda_handler(event, context):
                    subprocess.Popen(["sleep", "1000"])  # a child too: the whole environment must go
                    while True:
                        pass
                """));
        InvocationResult result = invokeAndCheckNothingLeft(f, "loop", "{}");
        assertEquals("Sandbox.Timedout", result.error().type());
        assertTrue(result.error().message().endsWith(result.requestId() + " Task timed out after 2.00 seconds"),
                result.error().message());
        assertTrue(result.logTail().contains("Task timed out after 2.00 seconds"));
        assertEquals(2000.0, result.durationMs());
    }

    @Test
    void aRuntimeThatNeverReadsItsLargeEventStillTimesOut() throws Exception {
        f.function(CreateFunctionRequest.of("deaf", CUSTOM).withTimeout(2), Map.of("bootstrap", """
                #!/usr/bin/python3
                import os, socket, time
                host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
                s = socket.create_connection((host, int(port)))
                s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                time.sleep(3600)  # asks for an event and never reads it
                """));
        String event = "{\"x\": \"" + "a".repeat(5_000_000) + "\"}";
        InvocationResult result = CompletableFuture.supplyAsync(() -> f.invoke("deaf", event))
                .get(120, TimeUnit.SECONDS); // a bound for a broken engine only, never a measured time
        assertEquals("Sandbox.Timedout", result.error().type(), result.payloadText());
        assertEquals(2000.0, result.durationMs());
    }

    @Test
    void memoryOverTheLimitIsKilledAndSixtyFourMegabytesUnderSucceeds() throws Exception {
        // A timeout for an emulated CPU too (a guest machine runs this class: see EngineInGuest).
        f.function(CreateFunctionRequest.of("memory", PYTHON).withMemory(256).withTimeout(60),
                Map.of("lambda_function.py", ALLOCATE));
        InvocationResult under = f.invoke("memory", "{\"mb\": 192}");
        assertNull(under.error(), under.payloadText());
        assertTrue(under.maxMemoryUsedMb() >= 192 && under.maxMemoryUsedMb() <= 256,
                "Max Memory Used close to the 192 MB allocated: " + under.maxMemoryUsedMb());
        InvocationResult over = invokeAndCheckNothingLeft(f, "memory", "{\"mb\": 400}");
        assertEquals("Runtime.ExitError", over.error().type());
        assertTrue(over.error().message().contains("Runtime exited with error: signal: killed (out of memory"),
                over.error().message());
        assertTrue(over.maxMemoryUsedMb() >= 250, "the peak reached the limit: " + over.maxMemoryUsedMb());
        assertTrue(f.invoke("memory", "{\"mb\": 10}").coldStart(), "the killed environment was discarded");
    }

    @Test
    void tmpHoldsFourHundredMegabytesButNotSixHundred() throws Exception {
        // tmpfs pages count against the memory cgroup, so the function gets room for them (AWS's /tmp is disk).
        f.function(CreateFunctionRequest.of("tmp", PYTHON).withMemory(1024).withTimeout(60),
                Map.of("lambda_function.py", """
                import os
                def lambda_handler(event, context):
                    chunk = b"t" * (1024 * 1024)
                    try:
                        with open("/tmp/fill", "wb") as out:
                            for _ in range(event["mb"]):
                                out.write(chunk)
                        return "wrote"
                    except OSError as e:
                        return os.strerror(e.errno)
                    finally:
                        if os.path.exists("/tmp/fill"):
                            os.remove("/tmp/fill")
                """));
        assertEquals("\"wrote\"", f.invoke("tmp", "{\"mb\": 400}").payloadText());
        assertEquals("\"No space left on device\"", f.invoke("tmp", "{\"mb\": 600}").payloadText());
    }

    @Test
    void devShmHoldsSixtyFourMegabytesAndTheRestOfDevIsReadOnly() throws Exception {
        f.function(CreateFunctionRequest.of("shm", PYTHON).withMemory(1024).withTimeout(60),
                Map.of("lambda_function.py", """
                import os
                def fill(path, mb):
                    chunk = b"s" * (1024 * 1024)
                    try:
                        with open(path, "wb") as out:
                            for _ in range(mb):
                                out.write(chunk)
                        return "wrote"
                    except OSError as e:
                        return os.strerror(e.errno)
                    finally:
                        if os.path.exists(path):
                            os.remove(path)
                def lambda_handler(event, context):
                    with open("/dev/null", "w") as null:
                        null.write("devices still work")
                    return {"small": fill("/dev/shm/f", 32), "big": fill("/dev/shm/f", 100),
                            "dev": fill("/dev/f", 100)}
                """));
        InvocationResult result = f.invoke("shm", "{}");
        assertNull(result.error(), result.payloadText());
        var out = Json.mapper().readTree(result.payload());
        assertEquals("wrote", out.get("small").asText());
        assertEquals("No space left on device", out.get("big").asText(), "/dev/shm is as small as its cap");
        assertEquals("Read-only file system", out.get("dev").asText(), "nothing to fill beside it");
    }

    @Test
    void openFilesStopAtOneThousandTwentyFour() throws Exception {
        f.python("files", """
                import os
                def lambda_handler(event, context):
                    held = []
                    try:
                        while len(held) < 5000:
                            held.append(open("/dev/null"))
                        return {"opened": len(held), "error": None}
                    except OSError as e:
                        return {"opened": len(held), "error": os.strerror(e.errno)}
                    finally:
                        for handle in held:
                            handle.close()
                """);
        InvocationResult result = f.invoke("files", "{}");
        assertNull(result.error(), result.payloadText());
        var out = Json.mapper().readTree(result.payload());
        assertEquals("Too many open files", out.get("error").asText());
        int opened = out.get("opened").asInt();
        assertTrue(opened > 1000 && opened < 1024, "RLIMIT_NOFILE 1024, less what the runtime holds: " + opened);
    }

    @Test
    void anInitLongerThanTenSecondsIsStoppedWithNothingLeftBehind() throws Exception {
        f.function(CreateFunctionRequest.of("slow-init", PYTHON).withTimeout(60), Map.of("lambda_function.py", """
                import time
                time.sleep(60)  # module level: the init phase
                def lambda_handler(event, context):
                    return "never"
                """));
        InvocationResult result = invokeAndCheckNothingLeft(f, "slow-init", "{}");
        assertEquals("Sandbox.Timedout", result.error().type(), result.payloadText());
        assertEquals("Init timed out after 10.00 seconds", result.error().message());
        assertEquals(Double.valueOf(Invoker.INIT_LIMIT_MS), result.durationMs());
    }

    @Test
    void codeIsReadOnlyAndTheHomeAndDataFolderAreNotVisible() throws Exception {
        f.python("isolation", """
                import os
                def attempt(action):
                    try:
                        action()
                        return "allowed"
                    except OSError as e:
                        return os.strerror(e.errno)
                def lambda_handler(event, context):
                    return {"write_task": attempt(lambda: open("/var/task/new.py", "w")),
                            "home": attempt(lambda: os.listdir(event["home"])),
                            "data": attempt(lambda: os.listdir(event["data"])),
                            "hostname": os.uname().nodename, "pid": os.getpid(),
                            "tmp": attempt(lambda: open("/tmp/ok", "w").close())}
                """);
        String home = System.getProperty("user.home");
        InvocationResult result = f.invoke("isolation", Json.mapper().writeValueAsString(Map.of("home", home,
                "data", f.engine.home().toString())));
        var out = Json.mapper().readTree(result.payload());
        assertEquals("Read-only file system", out.get("write_task").asText());
        assertEquals("No such file or directory", out.get("home").asText(), "the user's home " + home);
        assertEquals("No such file or directory", out.get("data").asText(), "Nube's data folder");
        assertEquals("allowed", out.get("tmp").asText());
        assertEquals("localhost", out.get("hostname").asText());
        assertTrue(out.get("pid").asInt() < 10, "a pid namespace of its own: pid " + out.get("pid"));
    }

    @Test
    void aForkBombIsContainedAndTheHostStaysResponsive() throws Exception {
        f.function(CreateFunctionRequest.of("forkbomb", PYTHON).withTimeout(6).withMemory(FORK_MEMORY_MB),
                Map.of("lambda_function.py", """
                import os, time
                def lambda_handler(event, context):
                    while True:
                        try:
                            if os.fork() == 0:
                                while True:
                                    time.sleep(1)
                        except OSError:
                            time.sleep(0.001)
                """));
        CompletableFuture<InvocationResult> result = CompletableFuture.supplyAsync(() -> f.invoke("forkbomb", "{}"));
        ExecutionEnvironment environment = environmentOf(f, "forkbomb");
        AtomicInteger most = new AtomicInteger();
        Set<Long> seen = new HashSet<>();
        List<Long> hostCommandMillis = new ArrayList<>();
        InvocationResult done = sampleUntilDone(result, 200, () -> {
            List<Long> processes = environment.processes();
            seen.addAll(processes);
            most.accumulateAndGet(processes.size(), Math::max);
            long t0 = System.nanoTime();
            Process probe = new ProcessBuilder("/bin/true").start();
            assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "the host can still start a process");
            hostCommandMillis.add((System.nanoTime() - t0) / 1_000_000);
        });

        assertTrue(most.get() <= SandboxSpec.MAX_PROCESSES, "contained by the pids limit: " + most + " processes");
        assertFalse(hostCommandMillis.isEmpty(), "the host was probed while the bomb ran");
        long slowest = hostCommandMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        // Milliseconds on a host that stays usable; seconds only on one the bomb starved.
        assertTrue(slowest < 5000, "the host stayed responsive: the slowest /bin/true took " + slowest + " ms of "
                + hostCommandMillis);
        // Which limit ends the bomb depends on the machine: the pids limit holds it until the deadline, unless its
        // processes outgrow the memory first. Either way the result says which.
        String outcome = done.error() == null ? "no error: " + done.payloadText()
                : done.error().type() + ": " + done.error().message();
        if (outcome.startsWith("Sandbox.Timedout")) {
            assertTrue(outcome.endsWith(done.requestId() + " Task timed out after 6.00 seconds"), outcome);
            assertEquals(6000.0, done.durationMs());
            assertTrue(most.get() > 100, "the bomb ran until the deadline: " + most + " processes at most");
        } else {
            assertTrue(outcome.startsWith("Runtime.ExitError") && outcome.contains(
                    "Runtime exited with error: signal: killed (out of memory: the function used more than its "
                    + FORK_MEMORY_MB + " MB"), outcome);
            assertTrue(done.maxMemoryUsedMb() >= FORK_MEMORY_MB - 20, "the peak reached the limit: "
                    + done.maxMemoryUsedMb());
        }
        assertNothingLeft(environment, seen);
        f.python("after-bomb", "def lambda_handler(e, c):\n    return 'fine'\n");
        assertEquals("\"fine\"", f.invoke("after-bomb", "{}").payloadText());
    }

    @Test
    void aRuntimeThatExitsOnceAForkIsRefusedSaysItReachedTheProcessLimit() throws Exception {
        f.function(CreateFunctionRequest.of("fork-then-exit", PYTHON).withTimeout(60).withMemory(FORK_MEMORY_MB),
                Map.of("lambda_function.py", """
                import os, time
                def lambda_handler(event, context):
                    try:
                        while True:
                            if os.fork() == 0:
                                time.sleep(60)
                                os._exit(0)
                    except OSError:
                        os._exit(1)  # gives up, and the runtime with it
                """));
        InvocationResult result = invokeAndCheckNothingLeft(f, "fork-then-exit", "{}");
        assertEquals("Runtime.ExitError", result.error().type(), result.payloadText());
        assertTrue(result.error().message().endsWith("Runtime exited with error: exit status 1 (the function reached"
                + " its limit of 1,024 processes and threads)"), result.error().message());
    }

    @Test
    void beyondTheConcurrencyTheNextInvocationIsThrottledAtOnce() throws Exception {
        FunctionSettings before = f.functions.settings();
        f.functions.updateSettings(before.withRegionConcurrency(4));
        try {
            f.function(CreateFunctionRequest.of("sleeper", PYTHON).withTimeout(30), Map.of("lambda_function.py",
                    "import time\ndef lambda_handler(event, context):\n    time.sleep(event['s'])\n"
                    + "    return 'slept'\n"));
            List<CompletableFuture<InvocationResult>> running = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                running.add(CompletableFuture.supplyAsync(() -> f.invoke("sleeper", "{\"s\": 4}")));
            }
            waitUntil("4 invocations run", BOUND_SECONDS, () -> engineFunctions(f).running(REGION, "sleeper") == 4);
            EngineException throttled = assertThrows(EngineException.class, () -> f.invoke("sleeper", "{\"s\": 0}"));
            assertEquals("TooManyRequestsException", throttled.code());
            for (CompletableFuture<InvocationResult> invocation : running) {
                assertEquals("\"slept\"", invocation.get(120, TimeUnit.SECONDS).payloadText());
            }
            var throttles = f.monitor.metrics(REGION, "sleeper", java.time.Instant.now().minusSeconds(600),
                    java.time.Instant.now(), java.time.Duration.ofMinutes(15));
            assertEquals(1, throttles.stream().mapToLong(MetricPoint::throttles).sum());

            f.python("reserved", "import time\ndef lambda_handler(event, context):\n    time.sleep(event['s'])\n");
            f.functions.putReservedConcurrency(REGION, "reserved", 1);
            CompletableFuture<InvocationResult> one = CompletableFuture.supplyAsync(() -> f.invoke("reserved",
                    "{\"s\": 2}"));
            waitUntil("the reserved function runs", BOUND_SECONDS,
                    () -> engineFunctions(f).running(REGION, "reserved") == 1);
            assertEquals("TooManyRequestsException", assertThrows(EngineException.class,
                    () -> f.invoke("reserved", "{\"s\": 0}")).code());
            assertEquals("ResourceConflictException", assertThrows(EngineException.class,
                    () -> f.functions.delete(REGION, "reserved")).code(), "no delete while it runs");
            assertNull(one.get(120, TimeUnit.SECONDS).error());
            f.functions.delete(REGION, "reserved");
        } finally {
            f.functions.updateSettings(before);
        }
    }

    @Test
    void concurrentColdStartsAllSucceed() throws Exception {
        f.python("burst", "import time\ndef lambda_handler(event, context):\n    time.sleep(0.5)\n    return 1\n");
        AtomicInteger ok = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(CompletableFuture.runAsync(() -> {
                if (f.invoke("burst", "{}").error() == null) {
                    ok.incrementAndGet();
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        assertEquals(12, ok.get());
    }

    @Test
    void aChangedColdStartLimitAppliesToTheRunningEngine() throws Exception {
        FunctionSettings before = f.functions.settings();
        ColdStartSlots slots = engineFunctions(f).coldStarts();
        // Runtimes started ahead would see a copy of the code taken at the start, not the gate made later.
        f.functions.updateSettings(before.withColdStartLimit(1).withPrestarted(0));
        try {
            Path firstGate = gatedFunction("gated-1");
            Path secondGate = gatedFunction("gated-2");
            List<CompletableFuture<InvocationResult>> firsts = invokeInBackground("gated-1", 3);
            waitUntil("one start under way and two waiting at a limit of 1", 60,
                    () -> starting("gated-1") == 1 && slots.waiting() == 2);

            f.functions.updateSettings(before.withColdStartLimit(3).withPrestarted(0));
            waitUntil("the two waiting starts to go at a limit of 3", 60, () -> starting("gated-1") == 3);
            assertEquals(0, slots.waiting());

            f.functions.updateSettings(before.withColdStartLimit(1).withPrestarted(0));
            List<CompletableFuture<InvocationResult>> seconds = invokeInBackground("gated-2", 2);
            waitUntil("both new starts to wait behind the three under way", 60, () -> slots.waiting() == 2);
            Files.createFile(firstGate);
            for (CompletableFuture<InvocationResult> invocation : firsts) {
                assertEquals("\"started\"", invocation.get(120, TimeUnit.SECONDS).payloadText());
            }
            waitUntil("one new start under way and the other still waiting at a limit of 1", 60,
                    () -> starting("gated-2") == 1 && slots.waiting() == 1);
            assertEquals(1, slots.inUse());

            Files.createFile(secondGate);
            for (CompletableFuture<InvocationResult> invocation : seconds) {
                assertEquals("\"started\"", invocation.get(120, TimeUnit.SECONDS).payloadText());
            }
        } finally {
            f.functions.updateSettings(before);
        }
    }

    /**
     * A function whose init waits until a file named {@code go} appears in its code folder, so the test decides when
     * its cold starts end; returns where to create that file. The code folder is bound into the sandbox as it is on
     * the host (when no runtime was started ahead, whose /var/task is filled at its start), and the file is put
     * there behind the service's back so that no code change stops the environments.
     */
    private static Path gatedFunction(String name) {
        FunctionConfiguration function = f.function(CreateFunctionRequest.of(name, PYTHON).withTimeout(60),
                Map.of("lambda_function.py", """
                        import os, time
                        while not os.path.exists("/var/task/go"):
                            time.sleep(0.02)
                        def lambda_handler(event, context):
                            return "started"
                        """));
        return engineFunctions(f).repository().codeDir(function).resolve("go");
    }

    /** Invokes {@code count} times at once, each on a thread of its own (the invocations block until they end). */
    private static List<CompletableFuture<InvocationResult>> invokeInBackground(String name, int count) {
        List<CompletableFuture<InvocationResult>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(CompletableFuture.supplyAsync(() -> f.invoke(name, "{}"),
                    task -> new Thread(task, "invoke-" + name).start()));
        }
        return all;
    }

    /** Environments of a function in their init now. */
    private static long starting(String name) {
        return engineFunctions(f).liveEnvironments().stream()
                .filter(e -> e.config().functionName().equals(name) && e.state() == EnvironmentState.STARTING)
                .count();
    }

    @Test
    void theSandboxModeIsReportedForTheStatusBar() {
        // cgroup v1 on these machines; a guest with cgroup v2 delegated by systemd runs this class too
        SandboxMode expected = SandboxMode.valueOf(System.getProperty(GuestLimits.EXPECTED_MODE, "CGROUP_V1"));
        assertEquals(expected, f.functions.sandboxMode(), f.functions.sandboxDescription());
        assertTrue(f.engine.hostStatus().sandbox().startsWith("bubblewrap"), f.engine.hostStatus().sandbox());
    }
}
