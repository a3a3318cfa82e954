package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.CUSTOM;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.keys.KeyType;
import dev.nube.engine.compute.qemu.QemuHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user reads nothing of a day of use: functions with code, a package, environment variables, test
 * events, real invocations (logs, metrics), a version, a key pair and an access key leave no file or folder in the data
 * folder or the cache with a bit for the group or others, and the code still runs in its sandbox (as the same user),
 * a custom runtime's {@code bootstrap} included.
 *
 * <p>The JVM runs with the umask it was started with (022 as usual; a test cannot change it): Nube must not rely on it.
 * The test checks first that the umask lets group and other bits through, else it would prove nothing.
 */
@Tag("sandbox")
class OwnerOnlyDataTest {
    private static final String REGION = FunctionsFixture.REGION;
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    @TempDir
    Path dir;

    @Test
    void aDayOfUseLeavesNothingOtherUsersCanRead() throws Exception {
        Path probe = Files.createFile(dir.resolve("umask-probe"));
        assumeTrue(Files.getPosixFilePermissions(probe).stream().anyMatch(OTHERS::contains),
                "the umask must let group or other bits through (022 does), else this test proves nothing");
        Path home = dir.resolve("home");
        Path cache = dir.resolve("cache");
        Path upload = uploadZip(dir.resolve("upload.zip"));
        QemuHost noKvm = new QemuHost(QemuHost.SYSTEM.binary(), Path.of("/dev/null/kvm")); // no guest needed
        Map<String, String> ids = new java.util.HashMap<>();
        try (Engine engine = Engine.open(home, cache, noKvm)) {
            FunctionService functions = engine.functions();
            FunctionCode code = engine.functionCode();
            functions.create(REGION, CreateFunctionRequest.of("secrets", PYTHON)
                    .withEnvironment(Map.of("DB_PASSWORD", "hunter2")));
            code.writeFile(REGION, "secrets", "lambda_function.py", utf8("""
                    import os
                    from lib import helper
                    def lambda_handler(event, context):
                        print("seen", event)
                        return {"ok": os.environ["API_KEY"] == "k-123", "helper": helper.NAME}
                    """));
            code.createFolder(REGION, "secrets", "lib");
            code.writeFile(REGION, "secrets", "lib/__init__.py", new byte[0]);
            code.writeFile(REGION, "secrets", "lib/helper.py", utf8("NAME = 'helped'\n"));
            functions.updateConfiguration(REGION, "secrets", ConfigurationChange.none()
                    .environment(Map.of("DB_PASSWORD", "hunter2", "API_KEY", "k-123")));
            functions.saveTestEvent(REGION, "secrets", new TestEvent("hello", "{\"a\": 1}"));
            InvocationResult secrets = functions.invoke(REGION, "secrets", InvokeRequest.of("{\"a\": 1}"));
            assertNull(secrets.error(), secrets.payloadText());
            assertEquals("{\"ok\": true, \"helper\": \"helped\"}", secrets.payloadText());
            functions.publishVersion(REGION, "secrets", "first");
            InvocationResult published = functions.invoke(REGION, "secrets", InvokeRequest.of("{}").qualified("1"));
            assertNull(published.error(), "the version runs: " + published.payloadText());

            functions.create(REGION, CreateFunctionRequest.of("custom", CUSTOM)); // the blueprint's bootstrap
            InvocationResult custom = functions.invoke(REGION, "custom", InvokeRequest.of("{\"b\": 2}"));
            assertNull(custom.error(), custom.payloadText());
            assertEquals("{\"b\": 2}", custom.payloadText());

            functions.create(REGION, CreateFunctionRequest.of("zipped", PYTHON).withHandler("app.handler"), upload);
            InvocationResult zipped = functions.invoke(REGION, "zipped", InvokeRequest.of("{}"));
            assertNull(zipped.error(), zipped.payloadText());
            assertEquals("\"ran tool.sh\"", zipped.payloadText());

            for (String name : List.of("secrets", "custom", "zipped")) {
                ids.put(name, functions.get(REGION, name).id());
            }
            engine.keyPairs().create(REGION, "laptop", KeyType.ED25519, 0);
            engine.accessKeys().create("scripts");
        } // closing writes the metrics

        Path secrets = functionFolder(home, ids.get("secrets"));
        assertTrue(Files.isRegularFile(secrets.resolve("metrics.json")), "metrics were written");
        try (Stream<Path> logs = Files.list(secrets.resolve("logs"))) {
            assertTrue(logs.anyMatch(p -> p.toString().endsWith(".log")), "logs were written");
        }
        assertTrue(Files.readString(secrets.resolve("resource.json")).contains("hunter2"), "the secret is on disk");
        assertEquals("rw-------", mode(secrets.resolve("code/lambda_function.py")));
        assertEquals("rwx------", mode(functionFolder(home, ids.get("custom")).resolve("code/bootstrap")),
                "a custom runtime's bootstrap stays executable by its owner");
        assertEquals("rwx------", mode(functionFolder(home, ids.get("zipped")).resolve("code/bin/tool.sh")),
                "a program from a zip stays executable by its owner");
        assertEquals(List.of(), openToOthers(home), "open to the group or others in the data folder");
        if (Files.exists(cache)) {
            assertEquals(List.of(), openToOthers(cache), "open to the group or others in the cache");
        }
    }

    /** A deployment package as another tool makes it: mode 644, a file marked executable (755) and a folder. */
    private static Path uploadZip(Path zip) throws Exception {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(zip))) {
            out.putArchiveEntry(new ZipArchiveEntry("bin/"));
            out.closeArchiveEntry();
            ZipArchiveEntry tool = new ZipArchiveEntry("bin/tool.sh");
            tool.setUnixMode(0100755);
            out.putArchiveEntry(tool);
            out.write(utf8("#!/bin/sh\necho ran tool.sh\n"));
            out.closeArchiveEntry();
            ZipArchiveEntry app = new ZipArchiveEntry("app.py");
            app.setUnixMode(0100644);
            out.putArchiveEntry(app);
            out.write(utf8("""
                    import subprocess
                    def handler(event, context):
                        return subprocess.run(["/var/task/bin/tool.sh"], capture_output=True, text=True).stdout.strip()
                    """));
            out.closeArchiveEntry();
        }
        Files.setPosixFilePermissions(zip, PosixFilePermissions.fromString("rw-r--r--"));
        return zip;
    }

    /** The folder of the function whose id is {@code id}, as {@code regions/<region>/functions/<id>}. */
    private static Path functionFolder(Path home, String id) {
        Path folder = home.resolve("regions").resolve(REGION).resolve("functions").resolve(id);
        assertTrue(Files.isRegularFile(folder.resolve("resource.json")), folder + " holds the function");
        return folder;
    }

    /** Every file and folder under {@code top} (links not followed) with a bit for the group or others. */
    private static List<String> openToOthers(Path top) throws Exception {
        List<String> open = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p) && Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).stream()
                        .anyMatch(OTHERS::contains)) {
                    open.add(top.relativize(p) + " " + mode(p));
                }
            }
        }
        return open;
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
