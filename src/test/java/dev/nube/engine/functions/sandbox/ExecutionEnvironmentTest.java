package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.functions.runtime.RuntimeApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One real environment driven directly, without the invoker: how it answers the engine's calls in each state. */
@Tag("sandbox")
class ExecutionEnvironmentTest {
    /** Answers one invocation, then exits: it is gone right after the answer. */
    private static final String ANSWER_THEN_EXIT = """
            import os, urllib.request
            api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
            with urllib.request.urlopen(api + "next") as r:
                rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
                r.read()
            urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=b'"done"')).read()
            os._exit(0)
            """;

    @TempDir
    Path dir;
    Sandbox sandbox;
    ExecutorService connections;
    final List<String> lines = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        sandbox = Sandbox.detect(Optional.empty());
        connections = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        connections.shutdownNow();
        sandbox.close();
    }

    private ExecutionEnvironment start(String id, String script) throws Exception {
        Path code = Files.createDirectories(dir.resolve(id));
        Files.writeString(code.resolve("runtime.py"), script);
        Files.createDirectories(dir.resolve("run"));
        SandboxSpec spec = new SandboxSpec(code, code, Map.of("PATH", "/usr/bin:/bin"),
                List.of("/usr/bin/python3", "/var/task/runtime.py"), SandboxSpec.DEFAULT_TMP_BYTES);
        return ExecutionEnvironment.start(id, new EnvironmentConfig("fn", "$LATEST", 128, "stream", spec), sandbox,
                dir.resolve("run"), connections, (millis, text) -> lines.add(text));
    }

    private static RuntimeApi.NextInvocation event(String requestId) {
        return new RuntimeApi.NextInvocation(requestId, System.currentTimeMillis() + 60_000, "arn", "Root=1-0-0",
                null, null, "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void completeAndTimeOutSayWhetherTheyHappenedInsteadOfThrowing() throws Exception {
        ExecutionEnvironment environment = start("answer-then-exit", ANSWER_THEN_EXIT);
        environment.ready().get(30, TimeUnit.SECONDS);
        assertFalse(environment.timeOut(), "a deadline that passes as init ends does not kill a READY environment");
        assertEquals(EnvironmentState.READY, environment.state());

        RuntimeOutcome outcome = environment.invoke(event("req-1")).get(30, TimeUnit.SECONDS);
        assertInstanceOf(RuntimeOutcome.Response.class, outcome);
        assertEquals(0, environment.closed().get(30, TimeUnit.SECONDS), "the runtime exits after answering");
        assertFalse(environment.complete(), "an environment that exited before its invocation completed");
        assertFalse(environment.timeOut(), "nothing left to time out");
        assertEquals(EnvironmentState.FAILED, environment.state());
        assertEquals(0, environment.exit().exitCode());
        assertTrue(environment.processes().isEmpty());
    }
}
