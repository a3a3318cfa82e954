package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.nube.engine.EngineException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dependencies installed on Deploy, for real: npm from its registry, pip from a wheel in the code and against
 * indexes it cannot reach; then real invocations import them and zip exports carry them.
 */
class DependenciesTest extends SandboxTestBase {
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

    private static final String USES_IS_NUMBER = """
            const isNumber = require('is-number');
            exports.handler = async () => ({ five: isNumber(5), word: isNumber('five') });
            """;

    private static String packageJson(String name, String dependency, String version) {
        return "{\"name\": \"" + name + "\", \"version\": \"1.0.0\", \"dependencies\": {\"" + dependency + "\": \""
                + version + "\"}, \"devDependencies\": {\"is-odd\": \"3.0.1\"}}\n";
    }

    private static void write(String function, String path, String text) {
        f.code.writeFile(REGION, function, path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> zipEntries(String function, String qualifier, Path dir) throws IOException {
        Path zip = dir.resolve(function + "-" + qualifier + ".zip");
        f.code.exportZip(REGION, function, qualifier, zip);
        try (ZipFile file = new ZipFile(zip.toFile())) {
            return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void aPackageJsonsDependenciesAreInstalledRequiredByInvocationsAndExported() throws Exception {
        f.function(CreateFunctionRequest.of("node-deps", NODE), Map.of("index.js", USES_IS_NUMBER,
                "package.json", packageJson("node-deps", "is-number", "7.0.0")));
        assertTrue(f.invoke("node-deps", "{}").payloadText().contains("Cannot find module 'is-number'"),
                "nothing is installed before Deploy");

        DependencyInstall install = f.code.installDependencies(REGION, "node-deps");

        assertEquals(DependencyInstall.Status.INSTALLED, install.status());
        assertEquals("npm", install.tool());
        assertTrue(output.stream().anyMatch(l -> l.startsWith("node-deps: $ /usr/bin/npm install --omit=dev")),
                String.join("\n", output));
        assertTrue(output.stream().anyMatch(l -> l.matches("node-deps: added 1 package.*")), String.join("\n",
                output));
        assertTrue(output.stream().anyMatch(l -> l.matches("node-deps: Installed node_modules, package-lock.json"
                + " \\([0-9]+ KB\\) in the code in [0-9]+ s\\.")), String.join("\n", output));
        InvocationResult result = f.invoke("node-deps", "{}");
        assertNull(result.error(), result.payloadText());
        assertEquals("{\"five\":true,\"word\":false}", result.payloadText());
        List<String> files = f.code.files(REGION, "node-deps", null).stream().map(CodeEntry::path).toList();
        assertTrue(files.contains("node_modules/is-number/index.js"), files.toString());
        assertTrue(files.contains("package-lock.json"), files.toString());
        assertFalse(files.stream().anyMatch(p -> p.startsWith("node_modules/is-odd")), "--omit=dev: " + files);
        assertTrue(zipEntries("node-deps", "$LATEST", dir).contains("node_modules/is-number/index.js"));

        FunctionVersion version = f.functions.publishVersion(REGION, "node-deps", "with is-number");
        assertTrue(zipEntries("node-deps", version.version(), dir).contains("node_modules/is-number/index.js"));
        assertEquals("{\"five\":true,\"word\":false}", f.functions.invoke(REGION, "node-deps",
                InvokeRequest.of("{}").qualified(version.version())).payloadText());

        output.clear();
        assertEquals(DependencyInstall.Status.UP_TO_DATE, f.code.installDependencies(REGION, "node-deps").status(),
                "an unchanged package.json is not installed again");
        assertTrue(output.stream().noneMatch(l -> l.contains("$ /usr/bin/npm")), String.join("\n", output));

        f.code.delete(REGION, "node-deps", "node_modules/is-number/index.js");
        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "node-deps").status(),
                "a tree partly deleted in the editor is installed again");
        assertTrue(f.code.files(REGION, "node-deps", null).stream().anyMatch(e -> e.path().equals(
                "node_modules/is-number/index.js")));
        f.code.writeFile(REGION, "node-deps", "node_modules/is-number/package.json", "{}".getBytes(
                StandardCharsets.UTF_8));
        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "node-deps").status(),
                "an installed file edited in the editor is installed again");
        assertEquals(DependencyInstall.Status.UP_TO_DATE, f.code.installDependencies(REGION, "node-deps").status());

        f.code.delete(REGION, "node-deps", "node_modules");
        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "node-deps").status(),
                "a tree deleted in the editor is installed again");
        assertNull(f.invoke("node-deps", "{}").error());
    }

    @Test
    void noInstallScriptRunsAndTheToolGetsOnlyAMinimalEnvironment() {
        f.function(CreateFunctionRequest.of("node-scripts", NODE), Map.of("index.js", USES_IS_NUMBER,
                "package.json", "{\"name\": \"node-scripts\", \"version\": \"1.0.0\", \"scripts\":"
                        + " {\"preinstall\": \"touch " + dir.resolve("preinstall-ran") + "\", \"postinstall\": \"touch "
                        + dir.resolve("postinstall-ran") + "\"}}\n"));

        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "node-scripts").status());

        assertEquals("node-scripts: Install scripts are not run (--ignore-scripts): packages that build themselves"
                + " when installed will not work.", output.get(0));
        assertFalse(Files.exists(dir.resolve("preinstall-ran")), "the preinstall script was not run");
        assertFalse(Files.exists(dir.resolve("postinstall-ran")), "the postinstall script was not run");

        Map<String, String> environment = new java.util.HashMap<>(Map.of("SECRET_TOKEN", "x", "PATH", "/opt/bin"));
        Dependencies.toolEnvironment(environment, Map.of("PATH", "/opt/bin", "AWS_SECRET_ACCESS_KEY", "k",
                "https_proxy", "http://proxy:3128", "HOME", "/root"), Path.of("/cache/dependencies-home"));
        assertEquals(Map.of("PATH", "/usr/bin:/opt/bin", "HOME", "/cache/dependencies-home", "https_proxy",
                "http://proxy:3128", "GIT_TERMINAL_PROMPT", "0", "npm_config_update_notifier", "false",
                "npm_config_progress", "false", "PIP_NO_INPUT", "1"), environment);
    }

    @Test
    void aPackageTheRegistryDoesNotHaveIsAClearErrorAndTheCodeStaysAsItWas() throws Exception {
        f.function(CreateFunctionRequest.of("node-missing", NODE), Map.of("index.js", USES_IS_NUMBER,
                "package.json", packageJson("node-missing", "is-number", "^7.0.0")));
        f.code.installDependencies(REGION, "node-missing");
        FunctionVersion version = f.functions.publishVersion(REGION, "node-missing", "works");
        String lock = new String(f.code.readFile(REGION, "node-missing", null, "package-lock.json"),
                StandardCharsets.UTF_8);
        write("node-missing", "package.json", packageJson("node-missing", "nube-no-such-package-4f1c9e2a", "1.0.0"));

        EngineException failed = assertThrows(EngineException.class, () -> f.code.installDependencies(REGION,
                "node-missing"));

        assertEquals("npm install failed: the registry has no package 'nube-no-such-package-4f1c9e2a' (404 Not Found"
                + " - GET https://registry.npmjs.org/nube-no-such-package-4f1c9e2a); the function's code was not"
                + " changed.", failed.getMessage());
        assertTrue(output.stream().anyMatch(l -> l.contains("npm error code E404")), String.join("\n", output));
        assertEquals(lock, new String(f.code.readFile(REGION, "node-missing", null, "package-lock.json"),
                StandardCharsets.UTF_8));
        assertTrue(f.code.files(REGION, "node-missing", null).stream().anyMatch(e -> e.path().equals(
                "node_modules/is-number/index.js")), "the installed tree stays");
        assertEquals("{\"five\":true,\"word\":false}", f.functions.invoke(REGION, "node-missing",
                InvokeRequest.of("{}").qualified(version.version())).payloadText());
        assertEquals("{\"five\":true,\"word\":false}", f.invoke("node-missing", "{}").payloadText());
        try (var left = Files.list(f.engine.functions() instanceof Functions fs ? fs.repository().folder(
                fs.get(REGION, "node-missing")) : dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("dependencies-")
                    || p.getFileName().toString().equals(CodeJournal.FOLDER)), "no work folder is left");
        }
    }

    /** A wheel of one module, {@code nubedemo}, that pip installs without any index. */
    private static byte[] wheel() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            Map<String, String> files = new java.util.LinkedHashMap<>();
            files.put("nubedemo/__init__.py", "def greet(name):\n    return 'hello ' + name\n");
            files.put("nubedemo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: nubedemo\nVersion: 1.0\n");
            files.put("nubedemo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: nube-test\nRoot-Is-Purelib:"
                    + " true\nTag: py3-none-any\n");
            files.put("nubedemo-1.0.dist-info/RECORD", "nubedemo/__init__.py,,\nnubedemo-1.0.dist-info/METADATA,,\n"
                    + "nubedemo-1.0.dist-info/WHEEL,,\nnubedemo-1.0.dist-info/RECORD,,\n");
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void requirementsAreInstalledInTheCodesRootWhereThePythonRuntimeImportsThem() throws Exception {
        f.function(CreateFunctionRequest.of("py-deps", PYTHON), Map.of("lambda_function.py",
                "import nubedemo\ndef lambda_handler(e, c):\n    return nubedemo.greet('deps')\n",
                "requirements.txt", "./wheels/nubedemo-1.0-py3-none-any.whl\n"));
        f.code.saveFiles(REGION, "py-deps", Map.of("wheels/nubedemo-1.0-py3-none-any.whl", wheel()));

        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "py-deps").status());

        assertEquals("\"hello deps\"", f.invoke("py-deps", "{}").payloadText());
        List<String> files = f.code.files(REGION, "py-deps", null).stream().map(CodeEntry::path).toList();
        assertTrue(files.contains("nubedemo/__init__.py") && files.contains("nubedemo-1.0.dist-info/METADATA"),
                files.toString());
        assertTrue(zipEntries("py-deps", "$LATEST", dir).contains("nubedemo/__init__.py"));

        write("py-deps", "requirements.txt", "# nothing any more\n");
        assertEquals(DependencyInstall.Status.INSTALLED, f.code.installDependencies(REGION, "py-deps").status());
        files = f.code.files(REGION, "py-deps", null).stream().map(CodeEntry::path).toList();
        assertFalse(files.stream().anyMatch(p -> p.startsWith("nubedemo")), "a dropped requirement is removed: "
                + files);
        assertTrue(files.contains("lambda_function.py") && files.contains("wheels/nubedemo-1.0-py3-none-any.whl"));

        write("py-deps", "requirements.txt", "./wheels/nubedemo-1.0-py3-none-any.whl\n");
        write("py-deps", "nubedemo/__init__.py", "# the person's own\n");
        EngineException clash = assertThrows(EngineException.class, () -> f.code.installDependencies(REGION,
                "py-deps"));
        assertEquals("pip installs 'nubedemo', which is already a file or folder of the function's code; rename"
                + " yours or remove that requirement. The function's code was not changed.", clash.getMessage());
        assertEquals("# the person's own\n", new String(f.code.readFile(REGION, "py-deps", null,
                "nubedemo/__init__.py"), StandardCharsets.UTF_8));
    }

    @Test
    void anIndexPipCannotReachIsSaidPlainly() {
        f.function(CreateFunctionRequest.of("py-unreachable", PYTHON), Map.of("lambda_function.py",
                "def lambda_handler(e, c):\n    return 1\n", "requirements.txt",
                "--index-url http://127.0.0.1:9/simple/\nnube-requirement-no-index-has==1.0\n"));
        long started = System.nanoTime();

        EngineException failed = assertThrows(EngineException.class, () -> f.code.installDependencies(REGION,
                "py-unreachable"));

        assertEquals("pip could not reach the package index (http://127.0.0.1:9/simple/: Connection refused), so"
                + " requirements.txt was not installed; the function's code was not changed.", failed.getMessage());
        assertTrue(System.nanoTime() - started < 60_000_000_000L, "bounded retries");
        assertEquals("1", f.invoke("py-unreachable", "{}").payloadText());
    }

    @Test
    void pypiBeyondReachIsSaidPlainly() {
        assumeFalse(reachable("pypi.org", 443), "pypi.org is reachable from here");
        f.function(CreateFunctionRequest.of("py-no-pypi", PYTHON), Map.of("lambda_function.py",
                "def lambda_handler(e, c):\n    return 1\n", "requirements.txt", "pyjokes==0.6.0\n"));

        EngineException failed = assertThrows(EngineException.class, () -> f.code.installDependencies(REGION,
                "py-no-pypi"));

        assertTrue(failed.getMessage().startsWith("pip could not reach the package index (https://pypi.org/simple"),
                failed.getMessage() + "\n" + String.join("\n", output));
        assertTrue(failed.getMessage().endsWith("), so requirements.txt was not installed; the function's code was"
                + " not changed."), failed.getMessage());
    }

    @Test
    void dependenciesThatWouldMakeTheCodeTooBigAreRefused() {
        f.function(CreateFunctionRequest.of("node-big", NODE), Map.of("index.js", USES_IS_NUMBER,
                "package.json", packageJson("node-big", "is-number", "7.0.0")));
        FunctionCodeFiles smallLimit = new FunctionCodeFiles((Functions) f.engine.functions(), 4096);

        EngineException refused = assertThrows(EngineException.class, () -> smallLimit.installDependencies(REGION,
                "node-big"));

        assertEquals("CodeStorageExceededException", refused.code());
        assertTrue(refused.getMessage().matches("With its dependencies installed the code would be [0-9]+ KB unzipped,"
                + " more than Lambda's limit of 4 KB; the function's code was not changed."), refused.getMessage());
        assertTrue(f.code.files(REGION, "node-big", null).stream().noneMatch(e -> e.path().startsWith(
                "node_modules") || e.path().equals("package-lock.json")));
    }

    @Test
    void cancellingStopsTheToolAndChangesNothing() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            // An index that accepts connections and never answers: pip waits for it until cancelled.
            Thread acceptor = new Thread(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    held.forEach(socket -> {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    });
                }
            });
            acceptor.start();
            f.function(CreateFunctionRequest.of("py-cancel", PYTHON), Map.of("lambda_function.py",
                    "def lambda_handler(e, c):\n    return 1\n", "requirements.txt", "--index-url http://127.0.0.1:"
                            + silent.getLocalPort() + "/simple/\nnube-requirement-no-index-has==1.0\n"));
            java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic
                    .AtomicReference<>();
            Thread deploy = new Thread(() -> {
                try {
                    f.code.installDependencies(REGION, "py-cancel");
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            deploy.start();
            dev.nube.engine.EngineTestSupport.waitUntil("pip runs", 30, () -> output.stream().anyMatch(l -> l.startsWith(
                    "py-cancel: Looking in indexes")));
            List<ProcessHandle> tools = ProcessHandle.current().descendants().filter(p -> p.info().commandLine()
                    .orElse("").contains("pip install")).toList();
            assertFalse(tools.isEmpty(), "pip is running");
            EngineException second = assertThrows(EngineException.class, () -> f.code.installDependencies(REGION,
                    "py-cancel"));
            assertEquals("ResourceConflictException", second.code());
            assertTrue(second.getMessage().contains("being installed already"), second.getMessage());

            deploy.interrupt();
            deploy.join(30_000);

            assertFalse(deploy.isAlive());
            assertEquals("pip install was cancelled; the function's code was not changed.", outcome.get()
                    .getMessage());
            assertTrue(tools.stream().noneMatch(ProcessHandle::isAlive), "pip was stopped");
            assertEquals(List.of("lambda_function.py", "requirements.txt"), f.code.files(REGION, "py-cancel", null)
                    .stream().map(CodeEntry::path).toList());
            silent.close();
            acceptor.join(5_000);
        }
    }

    private static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
