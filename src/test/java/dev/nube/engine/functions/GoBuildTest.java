package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Go functions built on Deploy, for real: the Go blueprint built with /usr/bin/go into bootstrap and invoked in the
 * sandbox; a compile error failing the build at its line while the previous bootstrap keeps answering; a prebuilt
 * bootstrap deployed as it is; and a machine without Go. go's build cache is Nube's cache's (NUBE_CACHE), shared by
 * every build here: only the first build of net/http on an empty cache is slow.
 */
class GoBuildTest extends SandboxTestBase {
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private AutoCloseable subscription;

    @BeforeEach
    void listen() {
        subscription = f.deployOutput(output);
    }

    @AfterEach
    void stopListening() throws Exception {
        subscription.close();
    }

    private static FunctionConfiguration fromGoBlueprint(String name) {
        return f.functions.create(REGION, CreateFunctionRequest.of(name, CUSTOM).withBlueprint(Runtimes.GO_HELLO));
    }

    private static List<String> files(String name) {
        return f.code.files(REGION, name, null).stream().map(CodeEntry::path).toList();
    }

    private static String text(String name, String path) {
        return new String(f.code.readFile(REGION, name, null, path), StandardCharsets.UTF_8);
    }

    @Test
    void theGoBlueprintIsBuiltIntoBootstrapOnDeployAndAnswers() {
        fromGoBlueprint("go-hello");
        assertEquals(List.of("go.mod", "main.go"), files("go-hello"), "the blueprint is sources only");
        assertTrue(text("go-hello", "go.mod").contains("\ngo 1.19\n"));
        InvocationResult unbuilt = f.invoke("go-hello", "{}");
        assertEquals("Runtime.InvalidEntrypoint", unbuilt.error() == null ? null : unbuilt.error().type(),
                unbuilt.payloadText());
        assertTrue(unbuilt.payloadText().contains("Go sources: Deploy builds them into bootstrap."),
                unbuilt.payloadText());

        CodeBuildResult built = f.code.build(REGION, "go-hello");

        assertEquals(CodeBuildResult.Status.BUILT, built.status(), String.join("\n", output));
        assertEquals(List.of("bootstrap"), built.outputs());
        assertTrue(output.contains("go-hello: $ /usr/bin/go build -trimpath -o bootstrap ."), String.join("\n",
                output));
        assertTrue(output.stream().anyMatch(l -> l.matches("go-hello: Built bootstrap \\([0-9]+ KB\\) into the code"
                + " in [0-9]+ s\\.")), String.join("\n", output));
        assertEquals(List.of("bootstrap", "go.mod", "main.go"), files("go-hello"));
        InvocationResult result = f.invoke("go-hello", "{\"who\": \"tester\"}");
        assertNull(result.error(), result.payloadText());
        assertEquals("{\"event\":{\"who\":\"tester\"},\"message\":\"Hello from Go!\"}", result.payloadText());

        output.clear();
        assertEquals(CodeBuildResult.Status.UNCHANGED, f.code.build(REGION, "go-hello").status(),
                "the same sources build the same bytes: no change, no new revision");
        FunctionVersion version = f.functions.publishVersion(REGION, "go-hello", "built");
        assertEquals("{\"event\":{},\"message\":\"Hello from Go!\"}", f.functions.invoke(REGION, "go-hello",
                InvokeRequest.of("{}").qualified(version.version())).payloadText(), "the version has the bootstrap");
    }

    @Test
    void aCompileErrorFailsTheBuildAtItsLineAndThePreviousBootstrapKeepsAnswering() {
        fromGoBlueprint("go-broken");
        f.code.build(REGION, "go-broken");
        byte[] before = f.code.readFile(REGION, "go-broken", null, "bootstrap");
        List<String> lines = new ArrayList<>(text("go-broken", "main.go").lines().toList());
        int line = lines.indexOf("\t\t\"message\": \"Hello from Go!\",") + 1;
        assertTrue(line > 0, "the blueprint's greeting line");
        lines.set(line - 1, "\t\t\"message\": greeting,");
        f.code.writeFile(REGION, "go-broken", "main.go", (String.join("\n", lines) + "\n").getBytes(
                StandardCharsets.UTF_8));

        CodeBuildFailed failed = assertThrows(CodeBuildFailed.class, () -> f.code.build(REGION, "go-broken"));

        assertEquals(List.of(new BuildProblem("main.go", line, 14, "undefined: greeting")), failed.problems());
        assertTrue(failed.getMessage().startsWith("go build found an error: main.go:" + line + ":14: undefined:"
                + " greeting."), failed.getMessage());
        assertTrue(failed.getMessage().contains("previous bootstrap was kept and keeps running"), failed.getMessage());
        assertTrue(output.contains("go-broken: ./main.go:" + line + ":14: undefined: greeting"), String.join("\n",
                output));
        assertArrayEquals(before, f.code.readFile(REGION, "go-broken", null, "bootstrap"), "the bootstrap is kept");
        assertEquals("{\"event\":{},\"message\":\"Hello from Go!\"}", f.invoke("go-broken", "{}").payloadText());
    }

    @Test
    void aFileNameIsNeverTakenForGosFlags() throws Exception {
        fromGoBlueprint("go-flags");
        f.code.delete(REGION, "go-flags", "go.mod"); // no module: go is given the root's .go files by name
        Path marker = Files.createTempDirectory("go-flags").resolve("ran");
        // Were the name a flag, go would run "sh evil.go" for each of its tools, outside the sandbox.
        f.code.writeFile(REGION, "go-flags", "-toolexec=sh evil.go", "package main\n".getBytes(StandardCharsets.UTF_8));
        f.code.writeFile(REGION, "go-flags", "evil.go", ("package main\ntouch " + marker + "\n")
                .getBytes(StandardCharsets.UTF_8));
        CodeBuildFailed failed = assertThrows(CodeBuildFailed.class, () -> f.code.build(REGION, "go-flags"));
        assertFalse(Files.exists(marker), "go ran a command the code's file names chose");
        assertTrue(failed.getMessage().endsWith(" The function has no bootstrap yet."), failed.getMessage());
        assertTrue(output.stream().anyMatch(l -> l.contains("./-toolexec=sh evil.go")), String.join("\n", output));
    }

    @Test
    void aReplacementOutsideTheCodeIsRefusedAtItsLine() throws Exception {
        fromGoBlueprint("go-replace");
        Path elsewhere = Files.createTempDirectory("go-elsewhere");
        f.code.writeFile(REGION, "go-replace", "go.mod", ("module example.com/hello\n\ngo 1.19\n\nreplace (\n"
                + "\texample.com/inside => ./lib\n\texample.com/host => " + elsewhere + "\n)\n")
                .getBytes(StandardCharsets.UTF_8));
        CodeBuildFailed failed = assertThrows(CodeBuildFailed.class, () -> f.code.build(REGION, "go-replace"));
        assertEquals(List.of(new BuildProblem("go.mod", 7, 1, "replace points outside the code: " + elsewhere)),
                failed.problems(), failed.getMessage());
        assertTrue(GoBuild.replacementsOutside(Files.createTempDirectory("go-none")).isEmpty(), "no go.mod: none");
    }

    @Test
    void aHandlersErrorIsAnsweredAsLambdasErrorJson() {
        fromGoBlueprint("go-error");
        String source = text("go-error", "main.go");
        String failing = source.replace("\treturn map[string]any{", "\treturn nil, fmt.Errorf(\"no greeting for %v\","
                + " event[\"who\"])\n\treturn map[string]any{");
        assertTrue(!failing.equals(source), "the handler's return line");
        f.code.writeFile(REGION, "go-error", "main.go", failing.getBytes(StandardCharsets.UTF_8));
        assertEquals(CodeBuildResult.Status.BUILT, f.code.build(REGION, "go-error").status(), String.join("\n",
                output));

        InvocationResult result = f.invoke("go-error", "{\"who\": \"tester\"}");

        assertEquals(new FunctionError(FunctionError.UNHANDLED, "errorString", "no greeting for tester", List.of()),
                result.error(), result.payloadText());
    }

    @Test
    void aPrebuiltBootstrapWithoutGoSourcesIsDeployedAsItIs() {
        f.functions.create(REGION, CreateFunctionRequest.of("own-bootstrap", CUSTOM)); // a bootstrap of its own
        assertEquals(List.of("bootstrap"), files("own-bootstrap"));
        InvocationResult first = f.invoke("own-bootstrap", "{\"n\": 1}");
        assertNull(first.error(), first.payloadText());
        byte[] before = f.code.readFile(REGION, "own-bootstrap", null, "bootstrap");

        CodeBuildResult result = f.code.build(REGION, "own-bootstrap");

        assertEquals(CodeBuildResult.Status.NONE, result.status());
        assertTrue(output.isEmpty(), String.join("\n", output));
        assertArrayEquals(before, f.code.readFile(REGION, "own-bootstrap", null, "bootstrap"));
        InvocationResult after = f.invoke("own-bootstrap", "{\"n\": 1}");
        assertNull(after.error(), after.payloadText());
        assertEquals(first.payloadText(), after.payloadText());
    }

    @Test
    void withoutGoTheBuildSaysToInstallGolangGoAndChangesNothing() {
        fromGoBlueprint("go-missing");
        FunctionCodeFiles noGo = new FunctionCodeFiles((Functions) f.engine.functions(),
                ZipPackages.MAX_UNZIPPED_BYTES, dir.resolve("no-such-go"));

        CodeBuildFailed failed = assertThrows(CodeBuildFailed.class, () -> noGo.build(REGION, "go-missing"));

        assertTrue(failed.getMessage().startsWith("Go is not installed (" + dir.resolve("no-such-go") + ", Debian's"
                + " golang-go package)"), failed.getMessage());
        assertTrue(failed.problems().isEmpty());
        assertFalse(files("go-missing").contains("bootstrap"), "nothing was built");
    }

    @Test
    void goErrorsAreReadAsProblemsOfTheCodesFiles() {
        Path sources = Path.of("/tmp/work/code");
        assertEquals(List.of(new BuildProblem("main.go", 12, 5, "undefined: foo"),
                new BuildProblem("util/strings.go", 3, 0, "expected 'package', found 'EOF'"),
                new BuildProblem("go.mod", 3, 0, "unknown directive: foo")), GoBuild.problems(List.of(
                        "# example.com/hello", "./main.go:12:5: undefined: foo", "./main.go:12:5: undefined: foo",
                        "util/strings.go:3: expected 'package', found 'EOF'", "go: errors parsing go.mod:",
                        "/tmp/work/code/go.mod:3: unknown directive: foo",
                        "/usr/lib/go-1.19/src/net/http/server.go:1:1: not the person's"), sources));
    }
}
