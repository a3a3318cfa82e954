package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Nube's users are not root: the very sandbox command the engine builds (watchdog limits, as a user without a
 * writable cgroup gets) is run here as the user nobody through setpriv, and must work. Runs only where the tests
 * run as root (they can switch users).
 */
@Tag("sandbox")
class UnprivilegedSandboxTest {
    private static final int NOBODY = 65534;

    @Test
    void theSandboxNeedsNoRoot() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root to switch to nobody");
        Path code = Files.createTempDirectory(Path.of("/tmp"), "nube-unprivileged-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            // The watchdog's data limit needs no root either: 200 MB at once is refused under a 128 MB limit.
            Files.writeString(code.resolve("probe.py"), "import os\nopen('/tmp/x', 'w').write('ok')\n"
                    + "try:\n    bytearray(200 << 20)\n    limited = False\nexcept MemoryError:\n    limited = True\n"
                    + "print(os.getuid(), os.getpid(), open('/tmp/x').read(), os.path.exists('/root'), limited)\n");
            Files.setPosixFilePermissions(code.resolve("probe.py"), PosixFilePermissions.fromString("rw-r--r--"));
            String out = runAsNobody(code, List.of("/usr/bin/python3", "/var/task/probe.py"));
            assertEquals("993 2 ok False True", out,
                    "uid 993, pid 2 in its own namespace, /tmp works, no /root, 200 MB refused");
        } finally {
            Files.deleteIfExists(code.resolve("probe.py"));
            Files.deleteIfExists(code);
        }
    }

    /**
     * Nube's code folders are their owner's only (folders 700, files 600, programs 700): a user's sandbox still reads
     * its code and runs its programs, as that user and without root.
     */
    @Test
    void ownerOnlyCodeRunsForItsOwner() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root to switch to nobody");
        Path parent = Files.createTempDirectory(Path.of("/tmp"), "nube-owner-only-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        Path code = Files.createDirectory(parent.resolve("code"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Path lib = Files.createDirectory(code.resolve("lib"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(lib.resolve("data.txt"), "private data");
            Files.writeString(code.resolve("bootstrap"),
                    "#!/bin/sh\nprintf '%s %s' \"$(id -u)\" \"$(cat /var/task/lib/data.txt)\"\n");
            Files.setPosixFilePermissions(lib.resolve("data.txt"), PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(code.resolve("bootstrap"), PosixFilePermissions.fromString("rwx------"));
            for (Path p : List.of(code, lib, lib.resolve("data.txt"), code.resolve("bootstrap"))) {
                Files.setAttribute(p, "unix:uid", NOBODY);
                Files.setAttribute(p, "unix:gid", NOBODY);
            }
            assertEquals("993 private data", runAsNobody(code, List.of("/var/task/bootstrap")));
        } finally {
            for (Path p : List.of(code.resolve("lib/data.txt"), code.resolve("lib"), code.resolve("bootstrap"), code,
                    parent)) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Runs {@code command} in the sandbox the engine builds for {@code code}, as the user nobody; its output. */
    private static String runAsNobody(Path code, List<String> command) throws Exception {
        Sandbox sandbox = Sandbox.detect(Optional.of(SandboxMode.WATCHDOG));
        try (ResourceLimits limits = sandbox.limiter().create("unprivileged", 128L << 20, 1024)) {
            SandboxSpec spec = new SandboxSpec(code, code, Map.of("PATH", "/usr/bin:/bin"), command,
                    SandboxSpec.DEFAULT_TMP_BYTES);
            List<String> asNobody = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid", Integer.toString(NOBODY),
                    "--regid", Integer.toString(NOBODY), "--clear-groups", "--"));
            asNobody.addAll(sandbox.command(spec, limits));
            ProcessBuilder builder = new ProcessBuilder(asNobody).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(spec.environment());
            Process process = builder.start();
            limits.attach(process.toHandle());
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor(60, TimeUnit.SECONDS);
            assertEquals(0, process.exitValue(), out);
            return out;
        }
    }
}
