package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.EngineException;
import dev.nube.engine.store.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real invocations in real sandboxes: runtimes, context, environment, errors, warm reuse, logs, versions. */
class InvocationTest extends SandboxTestBase {
    private static JsonNode json(InvocationResult result) throws Exception {
        return Json.mapper().readTree(result.payload());
    }

    @Test
    void pythonSeesItsContextAndEnvironmentAndReusesTheWarmEnvironment() throws Exception {
        f.function(CreateFunctionRequest.of("py-context", PYTHON).withMemory(192).withTimeout(7)
                .withEnvironment(Map.of("GREETING", "hola")), Map.of("lambda_function.py", """
                import os
                COUNT = 0
                def lambda_handler(event, context):
                    global COUNT
                    COUNT += 1
                    print("count", COUNT)
                    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                             "AWS_REGION", "AWS_EXECUTION_ENV", "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
                             "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "TZ",
                             "AWS_LAMBDA_INITIALIZATION_TYPE", "GREETING", "_X_AMZN_TRACE_ID", "HOME", "NUBE_HOME"]
                    return {"count": COUNT, "event": event, "env": {n: os.environ.get(n) for n in names},
                            "cwd": os.getcwd(), "uid": os.getuid(),
                            "context": {"function_name": context.function_name,
                                        "function_version": context.function_version,
                                        "invoked_function_arn": context.invoked_function_arn,
                                        "memory_limit_in_mb": context.memory_limit_in_mb,
                                        "aws_request_id": context.aws_request_id,
                                        "log_group_name": context.log_group_name,
                                        "log_stream_name": context.log_stream_name,
                                        "remaining": context.get_remaining_time_in_millis()}}
                """));
        InvocationResult first = f.invoke("py-context", "{\"n\": 1}");
        assertNull(first.error(), first.payloadText());
        JsonNode out = json(first);
        assertEquals(1, out.get("event").get("n").asInt());
        JsonNode env = out.get("env");
        assertEquals("py-context", env.get("AWS_LAMBDA_FUNCTION_NAME").asText());
        assertEquals("192", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText());
        assertEquals("$LATEST", env.get("AWS_LAMBDA_FUNCTION_VERSION").asText());
        assertEquals(REGION, env.get("AWS_REGION").asText());
        assertTrue(env.get("AWS_EXECUTION_ENV").asText().startsWith("AWS_Lambda_python3."));
        assertEquals("lambda_function.lambda_handler", env.get("_HANDLER").asText());
        assertEquals("/var/task", env.get("LAMBDA_TASK_ROOT").asText());
        assertEquals("/var/runtime", env.get("LAMBDA_RUNTIME_DIR").asText());
        assertTrue(env.get("AWS_LAMBDA_RUNTIME_API").asText().startsWith("127.0.0.1:"));
        assertEquals("/aws/lambda/py-context", env.get("AWS_LAMBDA_LOG_GROUP_NAME").asText());
        assertEquals(first.logStream(), env.get("AWS_LAMBDA_LOG_STREAM_NAME").asText());
        assertTrue(first.logStream().matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST][0-9a-f]{32}"), first.logStream());
        assertEquals(":UTC", env.get("TZ").asText());
        assertEquals("on-demand", env.get("AWS_LAMBDA_INITIALIZATION_TYPE").asText());
        assertEquals("hola", env.get("GREETING").asText());
        assertTrue(env.get("_X_AMZN_TRACE_ID").asText().startsWith("Root=1-"));
        assertTrue(env.get("NUBE_HOME").isNull() && env.get("HOME").isNull(), "a clean environment");
        assertEquals("/var/task", out.get("cwd").asText());
        assertEquals(993, out.get("uid").asInt());
        JsonNode context = out.get("context");
        assertEquals("py-context", context.get("function_name").asText());
        assertEquals("$LATEST", context.get("function_version").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:py-context",
                context.get("invoked_function_arn").asText());
        assertEquals("192", context.get("memory_limit_in_mb").asText());
        assertEquals(first.requestId(), context.get("aws_request_id").asText());
        assertEquals("/aws/lambda/py-context", context.get("log_group_name").asText());
        int remaining = context.get("remaining").asInt();
        assertTrue(remaining > 0 && remaining <= 7000, "remaining " + remaining);
        assertNotNull(first.initDurationMs(), "the first invocation is a cold start");

        InvocationResult second = f.invoke("py-context", "{}");
        assertEquals(2, json(second).get("count").asInt(), "the module-level counter proves the warm reuse");
        assertNull(second.initDurationMs(), "a warm start has no init duration");
        assertEquals(first.logStream(), second.logStream());

        f.functions.updateConfiguration(REGION, "py-context", ConfigurationChange.none()
                .environment(Map.of("GREETING", "adios")));
        InvocationResult third = f.invoke("py-context", "{}");
        assertEquals(1, json(third).get("count").asInt(), "a configuration change starts a new environment");
        assertEquals("adios", json(third).get("env").get("GREETING").asText());
    }

    @Test
    void aRunningInvocationsLinesCanBeReadBeforeItEnds() throws Exception {
        f.function(CreateFunctionRequest.of("py-progress", PYTHON).withTimeout(60),
                java.util.Map.of("lambda_function.py", """
                        import time
                        def lambda_handler(event, context):
                            print("step one done", flush=True)
                            time.sleep(event.get("sleep", 0))
                            return "ok"
                        """));
        f.invoke("py-progress", "{}"); // warm: the next one runs in an environment that waits between invocations
        java.util.concurrent.CompletableFuture<InvocationResult> running = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> f.invoke("py-progress", "{\"sleep\": 6}"));
        // The line reaches the log within ms; 4 s is far below the 6 s the invocation sleeps after printing it.
        waitUntil("the running invocation's line in the log", 4, () -> f.monitor.logEvents(REGION, "py-progress",
                LogQuery.last(1)).stream().anyMatch(e -> e.message().equals("step one done")));
        assertTrue(!running.isDone(), "read while the invocation still ran");
        running.get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void logsReadAsCloudWatchShowsThem() throws Exception {
        f.python("py-logs", """
                import logging
                logger = logging.getLogger()
                logger.setLevel(logging.INFO)
                def lambda_handler(event, context):
                    print("plain line")
                    logger.info("via logging")
                    return "ok"
                """);
        InvocationResult result = f.invoke("py-logs", "{}");
        String[] lines = result.logTail().split("\n");
        String id = result.requestId();
        assertEquals("START RequestId: " + id + " Version: $LATEST", lines[0]);
        assertEquals("plain line", lines[1]);
        assertTrue(lines[2].matches("\\[INFO]\t\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\t" + id + "\tvia logging"), lines[2]);
        assertEquals("END RequestId: " + id, lines[3]);
        assertTrue(lines[4].matches("REPORT RequestId: " + id + "\tDuration: [0-9.]+ ms\tBilled Duration: \\d+ ms"
                + "\tMemory Size: 128 MB\tMax Memory Used: \\d+ MB\tInit Duration: [0-9.]+ ms"), lines[4]);
        assertEquals((long) Math.ceil(result.durationMs()), result.billedDurationMs());
        assertTrue(result.maxMemoryUsedMb() > 3 && result.maxMemoryUsedMb() < 128, "measured, not the size: "
                + result.maxMemoryUsedMb());

        List<LogStream> streams = f.monitor.logStreams(REGION, "py-logs");
        assertEquals(result.logStream(), streams.get(0).name());
        List<LogEvent> found = f.monitor.logEvents(REGION, "py-logs", LogQuery.last(10).containing("VIA LOGGING"));
        assertEquals(1, found.size());
        List<LogEvent> lastTwo = f.monitor.logEvents(REGION, "py-logs", LogQuery.last(2));
        assertTrue(lastTwo.get(1).message().startsWith("REPORT RequestId: " + id));
        assertTrue(f.monitor.logEvents(REGION, "py-logs", LogQuery.last(10).since(Instant.now().plusSeconds(60)))
                .isEmpty());
        List<MetricPoint> points = f.monitor.metrics(REGION, "py-logs", Instant.now().minusSeconds(300),
                Instant.now(), Duration.ofMinutes(5));
        assertEquals(1, points.stream().mapToLong(MetricPoint::invocations).sum());
        assertEquals(1, f.functions.list(REGION).items().stream().filter(s -> s.configuration().name()
                .equals("py-logs")).findFirst().orElseThrow().invocations24h());
    }

    @Test
    void withoutATailTheCallReturnsAndTheLogKeepsItsOrder() throws Exception {
        f.python("py-order", """
                def lambda_handler(event, context):
                    for i in range(3):
                        print("py", event["n"], i)
                    return event["n"]
                """);
        f.node("node-order", """
                exports.handler = async (event) => {
                  for (let i = 0; i < 3; i++) process.stdout.write(`node ${event.n} ${i}\\n`);
                  return event.n;
                };
                """);
        for (String name : List.of("py-order", "node-order")) {
            String prefix = name.startsWith("py") ? "py" : "node";
            List<String> ids = new java.util.ArrayList<>();
            for (int n = 0; n < 20; n++) {
                InvocationResult result = f.functions.invoke(REGION, name,
                        InvokeRequest.of("{\"n\": " + n + "}").withoutLogTail());
                assertNull(result.error(), result.payloadText());
                assertEquals(Integer.toString(n), result.payloadText());
                assertEquals("", result.logTail(), "no tail asked for");
                ids.add(result.requestId());
            }
            waitUntil("the last REPORT of " + name, 30, () -> f.monitor.logEvents(REGION, name, LogQuery.last(1))
                    .stream().anyMatch(e -> e.message().startsWith("REPORT RequestId: " + ids.get(19))));
            List<String> log = f.monitor.logEvents(REGION, name, LogQuery.last(1000)).stream().map(LogEvent::message)
                    .toList();
            List<String> expected = new java.util.ArrayList<>();
            for (int n = 0; n < 20; n++) {
                expected.add("START RequestId: " + ids.get(n) + " Version: $LATEST");
                for (int i = 0; i < 3; i++) {
                    expected.add(prefix + " " + n + " " + i);
                }
                expected.add("END RequestId: " + ids.get(n));
                expected.add("REPORT");
            }
            assertEquals(expected, log.stream().map(line -> line.startsWith("REPORT") ? "REPORT" : line).toList());
        }
    }

    @Test
    void aFailedInitCountsAsAnInvocationAndAnError() throws Exception {
        f.python("py-count", "def lambda_handler(e, c):\n    return 1\n");
        assertNull(f.invoke("py-count", "{}").error());
        f.code.writeFile(REGION, "py-count", "lambda_function.py",
                "raise Exception('no init')\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("Exception", f.invoke("py-count", "{}").error().type());
        f.code.writeFile(REGION, "py-count", "lambda_function.py", "import no_such_module\n"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("Runtime.ImportModuleError", f.invoke("py-count", "{}").error().type());
        List<MetricPoint> points = f.monitor.metrics(REGION, "py-count", Instant.now().minusSeconds(300),
                Instant.now(), Duration.ofMinutes(5));
        assertEquals(3, points.stream().mapToLong(MetricPoint::invocations).sum());
        assertEquals(2, points.stream().mapToLong(MetricPoint::errors).sum());
        FunctionSummary summary = f.functions.list(REGION).items().stream().filter(s -> s.configuration().name()
                .equals("py-count")).findFirst().orElseThrow();
        assertEquals(3, summary.invocations24h());
        assertEquals(2, summary.errors24h());
    }

    @Test
    void aFunctionCannotEndOrFakeTheReadingOfItsOutput() throws Exception {
        // The markers the log reader once used were made from the environment's id, which the function can see.
        f.python("py-markers", """
                import os, sys
                def lambda_handler(event, context):
                    env = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"].rsplit("]", 1)[1]
                    if event.get("forge"):
                        sys.stdout.write("\\0nube-sync-" + env + "\\n\\0nube-stop-" + env + "\\n")
                    print("line", event["n"], flush=True)
                    return event["n"]
                """);
        InvocationResult forged = f.invoke("py-markers", "{\"n\": 1, \"forge\": true}");
        assertNull(forged.error(), forged.payloadText());
        assertTrue(forged.logTail().contains("line 1\n"), forged.logTail());
        for (int n = 2; n <= 3; n++) {
            InvocationResult later = f.invoke("py-markers", "{\"n\": " + n + "}");
            assertNull(later.error(), later.payloadText());
            assertNull(later.initDurationMs(), "the same environment");
            assertTrue(later.logTail().contains("line " + n + "\n"), "its output is still read: " + later.logTail());
        }
    }

    @Test
    void nodeRunsAsyncAndCallbackHandlersWithItsContext() throws Exception {
        f.node("node-context", """
                let count = 0;
                exports.handler = async (event, context) => {
                  count++;
                  console.log('hello', event.who);
                  return { count, name: context.functionName, version: context.functionVersion,
                           arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, id: context.awsRequestId,
                           group: context.logGroupName, stream: context.logStreamName,
                           remaining: context.getRemainingTimeInMillis(),
                           waits: context.callbackWaitsForEmptyEventLoop, exec: process.env.AWS_EXECUTION_ENV };
                };
                """);
        InvocationResult first = f.invoke("node-context", "{\"who\":\"node\"}");
        JsonNode out = json(first);
        assertEquals("node-context", out.get("name").asText());
        assertEquals("$LATEST", out.get("version").asText());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:node-context", out.get("arn").asText());
        assertEquals("128", out.get("memory").asText());
        assertEquals(first.requestId(), out.get("id").asText());
        assertEquals("/aws/lambda/node-context", out.get("group").asText());
        assertEquals(first.logStream(), out.get("stream").asText());
        assertTrue(out.get("remaining").asInt() > 0);
        assertTrue(out.get("waits").asBoolean());
        assertTrue(out.get("exec").asText().startsWith("AWS_Lambda_nodejs"));
        assertTrue(first.logTail().contains("\t" + first.requestId() + "\tINFO\thello node"), first.logTail());
        assertEquals(2, json(f.invoke("node-context", "{}")).get("count").asInt());

        f.node("node-callback", """
                exports.handler = (event, context, callback) => {
                  // With callbackWaitsForEmptyEventLoop the response waits for this timer.
                  setTimeout(() => console.log('timer done'), 200);
                  if (event.fail) { callback(new Error('told to fail')); return; }
                  callback(null, { ok: true });
                };
                """);
        InvocationResult ok = f.invoke("node-callback", "{}");
        assertEquals("{\"ok\":true}", ok.payloadText());
        assertTrue(ok.logTail().indexOf("timer done") < ok.logTail().indexOf("END RequestId"), ok.logTail());
        InvocationResult handled = f.invoke("node-callback", "{\"fail\":true}");
        assertEquals(FunctionError.HANDLED, handled.functionError());
        assertEquals("Error", handled.error().type());
        assertEquals("told to fail", handled.error().message());
        assertTrue(handled.error().stackTrace().get(0).startsWith("Error: told to fail"));
    }

    /**
     * Each invocation's trace id is in the handler's environment, as AWS's runtimes put it there, but never through
     * setenv(3): glibc keeps every value it was given, so a warm runtime would grow by one per invocation.
     */
    @Test
    void eachInvocationsTraceIdIsInTheEnvironmentWithoutSetenv() throws Exception {
        f.python("py-trace", """
                import ctypes, os
                getenv = ctypes.CDLL(None).getenv
                getenv.restype = ctypes.c_char_p
                def lambda_handler(event, context):
                    return {"environ": os.environ.get("_X_AMZN_TRACE_ID"), "getenv": os.getenv("_X_AMZN_TRACE_ID"),
                            "listed": "_X_AMZN_TRACE_ID" in dict(os.environ),
                            "libc": getenv(b"_X_AMZN_TRACE_ID") is not None}
                """);
        f.node("node-trace", """
                const { execFileSync } = require('child_process');
                exports.handler = async () => ({
                  environ: process.env._X_AMZN_TRACE_ID,
                  listed: '_X_AMZN_TRACE_ID' in process.env && Object.keys(process.env).includes('_X_AMZN_TRACE_ID'),
                  child: execFileSync('/usr/bin/printenv', ['_X_AMZN_TRACE_ID']).toString().trim(),
                  libc: '_X_AMZN_TRACE_ID' in process.report.getReport().environmentVariables,
                });
                """);
        for (String name : List.of("py-trace", "node-trace")) {
            JsonNode first = json(f.invoke(name, "{}"));
            JsonNode second = json(f.invoke(name, "{}"));
            for (JsonNode out : List.of(first, second)) {
                assertTrue(out.get("environ").asText().startsWith("Root=1-"), name + ": " + out);
                assertTrue(out.get("listed").asBoolean(), name + ": " + out);
                assertFalse(out.get("libc").asBoolean(), name + ": set in the C library's environment: " + out);
            }
            assertNotEquals(first.get("environ"), second.get("environ"), name + ": one trace id per invocation");
            assertEquals(first.get("environ").asText(), first.has("getenv") ? first.get("getenv").asText()
                    : first.get("child").asText(), name + ": " + first);
        }
    }

    @Test
    void aCustomRuntimeBootstrapSpeaksTheRuntimeApi() throws Exception {
        f.function(CreateFunctionRequest.of("custom-echo", CUSTOM), Map.of("bootstrap", """
                #!/usr/bin/python3
                import json, os, urllib.request
                api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
                while True:
                    with urllib.request.urlopen(api + "next") as r:
                        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
                        deadline = int(r.headers["Lambda-Runtime-Deadline-Ms"])
                        arn = r.headers["Lambda-Runtime-Invoked-Function-Arn"]
                        event = json.loads(r.read())
                    print("custom runtime got", event, flush=True)
                    body = json.dumps({"echo": event, "arn": arn, "deadline": deadline}).encode()
                    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body)).read()
                """));
        InvocationResult result = f.invoke("custom-echo", "{\"x\":[1,2]}");
        assertNull(result.error(), result.payloadText());
        JsonNode out = json(result);
        assertEquals("[1,2]", out.get("echo").get("x").toString());
        assertEquals("arn:aws:lambda:local-1:000000000000:function:custom-echo", out.get("arn").asText());
        assertTrue(out.get("deadline").asLong() > System.currentTimeMillis());
        assertTrue(result.logTail().contains("custom runtime got {'x': [1, 2]}"), result.logTail());
    }

    @Test
    void theSystemsJavaStartsInACustomRuntime() throws Exception {
        // Debian's JDK reads java.security and the rest from /etc/java-NN-openjdk: shown read-only in the sandbox.
        f.function(CreateFunctionRequest.of("custom-java", CUSTOM).withMemory(512), Map.of("bootstrap", """
                #!/usr/bin/python3
                import json, os, subprocess, urllib.request
                api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
                java = subprocess.run(["java", "-Xshare:auto", "-XX:+UseSerialGC", "-XshowSettings:security:properties",
                                       "-version"], capture_output=True, text=True)
                while True:
                    with urllib.request.urlopen(api + "next") as r:
                        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
                    body = json.dumps({"exit": java.returncode, "out": java.stderr + java.stdout}).encode()
                    urllib.request.urlopen(urllib.request.Request(api + rid + "/response", data=body)).read()
                """));
        InvocationResult result = f.invoke("custom-java", "{}");
        assertNull(result.error(), result.payloadText());
        JsonNode out = json(result);
        assertEquals(0, out.get("exit").asInt(), out.get("out").asText());
        assertTrue(out.get("out").asText().contains("jdk.tls.disabledAlgorithms"), out.get("out").asText());
    }

    @Test
    void errorsAreReportedAsAwsDoes() throws Exception {
        f.python("py-raise", "def lambda_handler(event, context):\n    raise ValueError('bad value')\n");
        InvocationResult raised = f.invoke("py-raise", "{}");
        assertEquals(FunctionError.UNHANDLED, raised.functionError());
        assertEquals("ValueError", raised.error().type());
        assertEquals("bad value", raised.error().message());
        assertEquals(1, raised.error().stackTrace().size(), "the handler's frame only: " + raised.error().stackTrace());
        assertTrue(raised.error().stackTrace().get(0).startsWith("  File \"/var/task/lambda_function.py\", line 2,"
                + " in lambda_handler"), raised.error().stackTrace().get(0));
        assertTrue(raised.logTail().contains("[ERROR] ValueError: bad value"), raised.logTail());
        assertEquals("bad value", json(raised).get("errorMessage").asText());

        f.python("py-import", "import no_such_module\ndef lambda_handler(e, c):\n    return 1\n");
        InvocationResult imported = f.invoke("py-import", "{}");
        assertEquals("Runtime.ImportModuleError", imported.error().type());
        assertTrue(imported.error().message().startsWith("Unable to import module 'lambda_function': No module"),
                imported.error().message());
        assertNotNull(imported.initDurationMs());

        f.python("py-syntax", "def lambda_handler(e, c)\n    return 1\n");
        assertEquals("Runtime.UserCodeSyntaxError", f.invoke("py-syntax", "{}").error().type());

        f.function(CreateFunctionRequest.of("py-nohandler", PYTHON).withHandler("lambda_function.missing"),
                Map.of("lambda_function.py", "def lambda_handler(e, c):\n    return 1\n"));
        InvocationResult missing = f.invoke("py-nohandler", "{}");
        assertEquals("Runtime.HandlerNotFound", missing.error().type());
        assertEquals("Handler 'missing' missing on module 'lambda_function'", missing.error().message());

        f.node("node-throw", "exports.handler = async () => { throw new TypeError('nope'); };");
        InvocationResult thrown = f.invoke("node-throw", "{}");
        assertEquals(FunctionError.UNHANDLED, thrown.functionError());
        assertEquals("TypeError", thrown.error().type());
        f.node("node-syntax", "exports.handler = async () => { return 1 ;;; ) };");
        assertEquals("Runtime.UserCodeSyntaxError", f.invoke("node-syntax", "{}").error().type());
        f.function(CreateFunctionRequest.of("node-import", NODE).withHandler("app.handler"),
                Map.of("index.js", "exports.handler = async () => 1;"));
        assertEquals("Runtime.ImportModuleError", f.invoke("node-import", "{}").error().type());
        f.node("node-nohandler", "exports.other = async () => 1;");
        assertEquals("Runtime.HandlerNotFound", f.invoke("node-nohandler", "{}").error().type());

        f.python("py-exit", "import os\ndef lambda_handler(e, c):\n    os._exit(3)\n");
        InvocationResult exited = f.invoke("py-exit", "{}");
        assertEquals("Runtime.ExitError", exited.error().type());
        assertTrue(exited.error().message().endsWith("Runtime exited with error: exit status 3"),
                exited.error().message());
        assertNotNull(f.invoke("py-exit", "{}").initDurationMs(), "after a crash the next invocation is cold");
    }

    @Test
    void failedInvocationsLeaveNoLogFileOpen() throws Exception {
        FunctionConfiguration crash = f.python("py-crash", "import os\ndef lambda_handler(e, c):\n    os._exit(3)\n");
        FunctionConfiguration slow = f.function(CreateFunctionRequest.of("py-slow", PYTHON).withTimeout(1),
                Map.of("lambda_function.py", "import time\ndef lambda_handler(e, c):\n    time.sleep(30)\n"));
        FunctionConfiguration badInit = f.python("py-bad-init", "raise Exception('no init')\n");
        assertEquals("Runtime.ExitError", f.invoke("py-crash", "{}").error().type());
        assertEquals("Sandbox.Timedout", f.invoke("py-slow", "{}").error().type());
        assertNotNull(f.invoke("py-bad-init", "{}").error());
        for (FunctionConfiguration function : List.of(crash, slow, badInit)) {
            Path logs = ((Functions) f.functions).repository().folder(function).resolve("logs").toRealPath();
            // The environment closes its stream on its way out, which may come just after the result.
            List<Path> open = openFilesUnder(logs);
            for (int i = 0; i < 100 && !open.isEmpty(); i++) {
                Thread.sleep(100);
                open = openFilesUnder(logs);
            }
            assertEquals(List.of(), open, function.name() + ": END and REPORT came after the stream was closed");
            assertTrue(f.monitor.logEvents(REGION, function.name(), LogQuery.last(1)).get(0).message()
                    .startsWith("REPORT RequestId: "), "and were written all the same");
        }
    }

    /** Files under {@code folder} that this JVM holds open (from /proc/self/fd). */
    private static List<Path> openFilesUnder(Path folder) throws java.io.IOException {
        List<Path> open = new java.util.ArrayList<>();
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Path target = java.nio.file.Files.readSymbolicLink(fd);
                    if (target.startsWith(folder)) {
                        open.add(target);
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        }
        return open;
    }

    @Test
    void payloadsOverSixMegabytesAreRefused() throws Exception {
        f.python("py-big", """
                def lambda_handler(event, context):
                    return "x" * event.get("size", 0)
                """);
        byte[] tooBig = ("\"" + "a".repeat(InvokeRequest.MAX_PAYLOAD_BYTES) + "\"").getBytes(StandardCharsets.UTF_8);
        EngineException refused = assertThrows(EngineException.class, () -> f.functions.invoke(REGION, "py-big",
                new InvokeRequest(null, InvocationType.REQUEST_RESPONSE, tooBig, null)));
        assertEquals("RequestTooLargeException", refused.code());
        EngineException notJson = assertThrows(EngineException.class, () -> f.invoke("py-big", "{oops"));
        assertEquals("InvalidRequestContentException", notJson.code());

        InvocationResult fine = f.invoke("py-big", "{\"size\": 6000000}");
        assertNull(fine.error());
        assertEquals(6_000_002, fine.payload().length);
        InvocationResult large = f.invoke("py-big", "{\"size\": 7000000}");
        assertEquals("Function.ResponseSizeTooLarge", large.error().type());
        assertNull(f.invoke("py-big", "{\"size\": 3}").error(), "the environment survives a refused response");
    }

    @Test
    void eventInvocationsAreQueuedAndRetriedTwiceAndDryRunOnlyChecks() throws Exception {
        f.functions.updateSettings(f.functions.settings().withAsyncRetryDelays(List.of(Duration.ofMillis(100),
                Duration.ofMillis(100))));
        f.python("py-async", "def lambda_handler(event, context):\n    print('attempt')\n    raise Exception('always')\n");
        InvocationResult accepted = f.functions.invoke(REGION, "py-async", InvokeRequest.of("{}")
                .as(InvocationType.EVENT));
        assertEquals(202, accepted.statusCode());
        // The event leaves the queue when its last try ends and no retry is scheduled: nothing can run after that.
        waitUntil("the event's tries are over", 60, () -> ((Functions) f.functions).queuedEvents() == 0);
        assertEquals(3, f.monitor.logEvents(REGION, "py-async", LogQuery.last(100).containing("attempt")).size(),
                "one attempt and two retries");
        List<LogEvent> starts = f.monitor.logEvents(REGION, "py-async", LogQuery.last(100).containing("START"));
        assertEquals(3, starts.size());
        for (LogEvent start : starts) {
            assertEquals("START RequestId: " + accepted.requestId() + " Version: $LATEST", start.message(),
                    "every attempt runs under the id the caller got, as on AWS");
        }
        assertEquals(204, f.functions.invoke(REGION, "py-async", InvokeRequest.of("{}").as(InvocationType.DRY_RUN))
                .statusCode());
    }

    @Test
    void publishedVersionsRunTheirOwnCode() throws Exception {
        f.python("py-versions", "def lambda_handler(e, c):\n    return 'one'\n");
        FunctionVersion v1 = f.functions.publishVersion(REGION, "py-versions", "first");
        assertEquals("1", v1.version());
        f.code.writeFile(REGION, "py-versions", "lambda_function.py",
                "def lambda_handler(e, c):\n    return 'two'\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("\"two\"", f.invoke("py-versions", "{}").payloadText());
        InvocationResult old = f.functions.invoke(REGION, "py-versions", InvokeRequest.of("{}").qualified("1"));
        assertEquals("\"one\"", old.payloadText());
        assertEquals("1", old.executedVersion());
        assertTrue(old.logStream().contains("/[1]"), old.logStream());
        assertTrue(new String(f.code.readFile(REGION, "py-versions", "1", "lambda_function.py"),
                StandardCharsets.UTF_8).contains("'one'"));
    }
}
