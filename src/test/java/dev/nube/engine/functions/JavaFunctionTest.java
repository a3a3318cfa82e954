package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.JAVA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.store.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Java functions in real sandboxes on the system JDK 17 (java17): Nube's runtime client loading handlers of each
 * kind Lambda accepts, mapping events and results with Jackson, reporting errors as Lambda's Java runtime does, and a
 * 128 MB function. The handlers are compiled here once, into one code tree every function of the class shares.
 */
class JavaFunctionTest extends SandboxTestBase {
    private static final Map<String, String> SOURCES = Map.of(
            "example/Greeting.java", """
                    package example;
                    public class Greeting {
                        public String name;
                        public int times;
                    }
                    """,
            "example/Answer.java", """
                    package example;
                    public class Answer {
                        private final String message;
                        public Answer(String message) { this.message = message; }
                        public String getMessage() { return message; }
                        public int getLength() { return message.length(); }
                    }
                    """,
            "example/Pojo.java", """
                    package example;
                    import com.amazonaws.services.lambda.runtime.Context;
                    import com.amazonaws.services.lambda.runtime.RequestHandler;
                    public class Pojo implements RequestHandler<Greeting, Answer> {
                        @Override
                        public Answer handleRequest(Greeting greeting, Context context) {
                            context.getLogger().log("greeting " + greeting.name);
                            return new Answer("hello ".repeat(greeting.times) + greeting.name);
                        }
                    }
                    """,
            "example/Streams.java", """
                    package example;
                    import com.amazonaws.services.lambda.runtime.Context;
                    import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
                    import java.io.*;
                    import java.nio.charset.StandardCharsets;
                    public class Streams implements RequestStreamHandler {
                        @Override
                        public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
                            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                            out.write(("{\\"upper\\": " + text.toUpperCase() + "}").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    """,
            "example/Fails.java", """
                    package example;
                    import java.util.Map;
                    public class Fails {
                        public String explode(Map<String, Object> event) {
                            return deeper((String) event.get("what"));
                        }
                        private String deeper(String what) {
                            throw new IllegalStateException("bad " + what);
                        }
                    }
                    """,
            "example/Plain.java", """
                    package example;
                    import com.amazonaws.services.lambda.runtime.Context;
                    import java.util.*;
                    public class Plain {
                        public static int twice(int n) { return 2 * n; }
                        public Map<String, Object> timing(Map<String, Object> event, Context context) throws Exception {
                            int first = context.getRemainingTimeInMillis();
                            Thread.sleep(120);
                            int second = context.getRemainingTimeInMillis();
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("first", first);
                            out.put("second", second);
                            out.put("requestId", context.getAwsRequestId());
                            out.put("function", context.getFunctionName());
                            out.put("version", context.getFunctionVersion());
                            out.put("arn", context.getInvokedFunctionArn());
                            out.put("group", context.getLogGroupName());
                            out.put("stream", context.getLogStreamName());
                            out.put("memory", context.getMemoryLimitInMB());
                            out.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
                            out.put("javaVersion", System.getProperty("java.version"));
                            return out;
                        }
                        public String useLibrary(String name) { return lib.Shout.shout(name); }
                        public int fill() {
                            List<byte[]> chunks = new ArrayList<>();
                            while (true) {
                                byte[] chunk = new byte[16 << 20];
                                Arrays.fill(chunk, (byte) 1);
                                chunks.add(chunk);
                            }
                        }
                    }
                    """);
    private static final String LIBRARY = """
            package lib;
            public class Shout {
                public static String shout(String s) { return s.toUpperCase() + "!"; }
            }
            """;
    private static Map<String, byte[]> classes;
    private static byte[] libraryJar;

    @BeforeAll
    static void compileHandlers() throws IOException {
        assumeTrue(JAVA != null, "no JDK 17 under /usr/lib/jvm");
        assertTrue(f.functions.runtimes().stream().anyMatch(r -> r.id().equals(JAVA)), "java17 is offered");
        Path work = dir.resolve("compile");
        Map<String, byte[]> library = JavaSources.compile(work.resolve("lib"), Map.of("lib/Shout.java", LIBRARY), List.of());
        libraryJar = JavaSources.zip(library);
        Files.write(work.resolve("shout.jar"), libraryJar);
        classes = JavaSources.compile(work.resolve("handlers"), SOURCES, List.of(work.resolve("shout.jar")));
    }

    /** A java17 function of the shared classes (and lib/shout.jar) with {@code handler}. */
    private static void function(String name, String handler, int memoryMb) throws IOException {
        function(name, handler, memoryMb, Map.of());
    }

    private static void function(String name, String handler, int memoryMb, Map<String, String> environment)
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(classes);
        files.put("lib/shout.jar", libraryJar);
        Path zip = dir.resolve(name + ".zip");
        Files.write(zip, JavaSources.zip(files));
        f.functions.create(REGION, CreateFunctionRequest.of(name, JAVA).withHandler(handler).withMemory(memoryMb)
                .withTimeout(10).withEnvironment(environment), zip);
    }

    private static JsonNode json(InvocationResult result) throws IOException {
        return Json.mapper().readTree(result.payload());
    }

    @Test
    void aRequestHandlerMapsPojosInAndOut() throws Exception {
        function("java-pojo", "example.Pojo", 256);
        InvocationResult result = f.invoke("java-pojo", "{\"name\": \"Ada\", \"times\": 2, \"unknown\": true}");
        assertNull(result.error(), result.payloadText() + result.logTail());
        JsonNode out = json(result);
        assertEquals("hello hello Ada", out.get("message").asText());
        assertEquals(15, out.get("length").asInt());
        assertTrue(result.logTail().contains("greeting Ada"), result.logTail());
        assertNotNull(result.initDurationMs());
        InvocationResult warm = f.invoke("java-pojo", "{\"name\": \"Bo\", \"times\": 1}");
        assertEquals("hello Bo", json(warm).get("message").asText(), warm.payloadText());
        assertNull(warm.initDurationMs(), "the same JVM answers again");
    }

    @Test
    void aRequestStreamHandlerReadsAndWritesTheBytes() throws Exception {
        function("java-streams", "example.Streams", 256);
        InvocationResult result = f.invoke("java-streams", "\"quiet\"");
        assertNull(result.error(), result.payloadText() + result.logTail());
        assertEquals("QUIET", json(result).get("upper").asText());
    }

    @Test
    void anExceptionIsReportedWithItsClassNameAndFrames() throws Exception {
        function("java-fails", "example.Fails::explode", 256);
        InvocationResult result = f.invoke("java-fails", "{\"what\": \"news\"}");
        assertEquals(FunctionError.UNHANDLED, result.functionError());
        assertEquals("java.lang.IllegalStateException", result.error().type());
        assertEquals("bad news", result.error().message());
        assertEquals(List.of("example.Fails.deeper(Fails.java:8)", "example.Fails.explode(Fails.java:5)"),
                result.error().stackTrace(), "the function's frames only");
        assertTrue(result.logTail().contains("java.lang.IllegalStateException: bad news"), result.logTail());
        assertTrue(result.logTail().contains("\tat example.Fails.deeper(Fails.java:8)"), result.logTail());
    }

    @Test
    void aMissingClassOrMethodIsAnInitError() throws Exception {
        function("java-missing", "example.Missing::handleRequest", 256);
        InvocationResult missing = f.invoke("java-missing", "{}");
        assertNotNull(missing.error(), missing.payloadText());
        assertEquals("java.lang.ClassNotFoundException", missing.error().type());
        assertEquals("Class not found: example.Missing", missing.error().message());
        assertTrue(missing.logTail().contains("Class not found: example.Missing"), missing.logTail());

        function("java-no-method", "example.Plain::nothing", 256);
        InvocationResult noMethod = f.invoke("java-no-method", "{}");
        assertNotNull(noMethod.error(), noMethod.payloadText());
        assertEquals("No public method named nothing with appropriate method signature found on class example.Plain",
                noMethod.error().message());
    }

    @Test
    void a128MbFunctionAnswersAndSeesItsContext() throws Exception {
        function("java-small", "example.Plain::timing", 128);
        InvocationResult result = f.invoke("java-small", "{}");
        assertNull(result.error(), result.payloadText() + result.logTail());
        JsonNode out = json(result);
        int first = out.get("first").asInt();
        int second = out.get("second").asInt();
        assertTrue(first > 0 && first <= 10_000, "within the 10 s timeout: " + first);
        assertTrue(second < first, first + " then " + second);
        assertEquals(result.requestId(), out.get("requestId").asText());
        assertEquals("java-small", out.get("function").asText());
        assertEquals("$LATEST", out.get("version").asText());
        assertTrue(out.get("arn").asText().endsWith(":function:java-small"), out.get("arn").asText());
        assertEquals("/aws/lambda/java-small", out.get("group").asText());
        assertEquals(result.logStream(), out.get("stream").asText());
        assertEquals(128, out.get("memory").asInt());
        assertTrue(out.get("maxHeapMb").asInt() < 128, "the heap fits in the function's memory: " + out);
        assertTrue(out.get("javaVersion").asText().startsWith("17"), out.toString());
        assertTrue(result.maxMemoryUsedMb() <= 128, "Max Memory Used " + result.maxMemoryUsedMb());

    }

    @Test
    void a128MbFunctionStartsUnderTheWatchdogsDataLimit() throws Exception {
        // Without a writable cgroup each process's private writable memory is bounded (RLIMIT_DATA): the JVM's
        // heap, metaspace, code cache and thread stacks must fit in it with the flags Nube gives a 128 MB function.
        SandboxMode before = f.functions.sandboxMode();
        f.functions.updateSettings(f.functions.settings().withSandboxMode(SandboxMode.WATCHDOG));
        try {
            assertEquals(SandboxMode.WATCHDOG, f.functions.sandboxMode());
            function("java-watchdog", "example.Pojo", 128);
            InvocationResult result = f.invoke("java-watchdog", "{\"name\": \"Wd\", \"times\": 1}");
            assertNull(result.error(), result.payloadText() + result.logTail());
            assertEquals("hello Wd", json(result).get("message").asText());
            function("java-watchdog-fill", "example.Plain::fill", 128);
            InvocationResult full = f.invoke("java-watchdog-fill", "{}");
            assertNotNull(full.error(), full.payloadText());
            assertEquals("java.lang.OutOfMemoryError", full.error().type(), "the heap ran out before the memory: "
                    + full.payloadText() + full.logTail());
        } finally {
            f.functions.updateSettings(f.functions.settings().withSandboxMode(before));
        }
    }

    @Test
    void deployCompilesTheBlueprintAndACompileErrorKeepsTheDeployedClasses() throws Exception {
        // Created with the defaults (128 MB, 3 s, a CPU share from the memory): the blueprint must answer in them.
        f.functions.create(REGION, CreateFunctionRequest.of("java-built", JAVA));
        assertEquals(List.of("example/Hello.java"), sourceFiles("java-built"), "the hello world blueprint");
        InvocationResult notBuilt = f.invoke("java-built", "{}");
        assertEquals("java.lang.ClassNotFoundException", notBuilt.error().type(), notBuilt.payloadText());
        assertTrue(notBuilt.error().message().startsWith("Class not found: example.Hello (the code has its source,"
                + " example/Hello.java, but not its compiled class"), notBuilt.error().message());
        CodeBuildResult built = f.code.build(REGION, "java-built");
        assertEquals(CodeBuildResult.Status.BUILT, built.status());
        assertTrue(f.code.readFile(REGION, "java-built", null, JavaBuild.JAR).length > 0);
        InvocationResult hello = f.invoke("java-built", "{\"a\": 1}");
        assertNull(hello.error(), hello.payloadText() + hello.logTail());
        assertEquals("{\"a\":1}", hello.payloadText());
        assertTrue(hello.logTail().contains("Hello from Nube! Received event: {a=1}"), hello.logTail());

        String source = new String(f.code.readFile(REGION, "java-built", null, "example/Hello.java"),
                StandardCharsets.UTF_8);
        String broken = source.replace("return event;", "return event.nope();");
        int line = (int) broken.lines().takeWhile(l -> !l.contains("nope")).count() + 1;
        f.code.writeFile(REGION, "java-built", "example/Hello.java", broken.getBytes(StandardCharsets.UTF_8));
        CodeBuildFailed refused = assertThrows(CodeBuildFailed.class, () -> f.code.build(REGION, "java-built"));
        assertEquals(1, refused.problems().size(), refused.problems().toString());
        BuildProblem problem = refused.problems().get(0);
        assertEquals("example/Hello.java", problem.file());
        assertEquals(line, problem.line());
        assertTrue(problem.message().startsWith("cannot find symbol; symbol: method nope()"), problem.message());
        assertTrue(refused.getMessage().startsWith("javac found an error: example/Hello.java:" + line + ":"),
                refused.getMessage());
        InvocationResult still = f.invoke("java-built", "{\"b\": 2}");
        assertEquals("{\"b\":2}", still.payloadText(), "the classes deployed before still run: " + still.logTail());
    }

    private static List<String> sourceFiles(String name) {
        return f.code.files(REGION, name, null).stream().filter(e -> !e.directory()).map(CodeEntry::path).toList();
    }

    @Test
    void libJarsStaticMethodsAndTheFunctionsJavaToolOptions() throws Exception {
        function("java-lib", "example.Plain::useLibrary", 256);
        InvocationResult result = f.invoke("java-lib", "\"quiet\"");
        assertNull(result.error(), result.payloadText() + result.logTail());
        assertEquals("\"QUIET!\"", result.payloadText());

        function("java-static", "example.Plain::twice", 256);
        assertEquals("42", f.invoke("java-static", "21").payloadText(), "a static method, an int in and out");

        function("java-options", "example.Plain::timing", 256, Map.of("JAVA_TOOL_OPTIONS", "-Xmx40m"));
        InvocationResult options = f.invoke("java-options", "{}");
        assertNull(options.error(), options.payloadText() + options.logTail());
        assertTrue(json(options).get("maxHeapMb").asInt() <= 40, "the function's own -Xmx wins: " + options.payloadText());
    }
}
