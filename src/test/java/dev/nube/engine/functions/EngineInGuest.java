package dev.nube.engine.functions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Nube's functions engine installed in a Debian guest as an app-image installs it: a Java runtime linked from this
 * JVM's JDK (jlink, the modules the engine and its tests use), this build's classes and libraries (the console's
 * left out), bubblewrap (the host's, a Debian 12 binary, as the Debian package installs it) and
 * {@code packaging/delegated-scope}, which {@code ./nube} starts the console through. {@link #staging} lays it out on
 * this machine; {@link #INSTALL} is what the guest runs on it, as a user with sudo, after it arrives in {@code ~/nube}.
 */
public final class EngineInGuest {
    /** Libraries of the console only: the engine runs without them. */
    private static final List<String> CONSOLE_ONLY = List.of("javafx", "testfx", "monocle", "richtextfx", "atlantafx",
            "controlsfx", "ikonli", "jeditermfx", "flowless", "reactfx", "undofx", "wellbehavedfx", "archunit");
    private static final String MODULES = "java.base,java.logging,java.management,java.naming,java.net.http,java.sql,"
            + "java.xml,jdk.unsupported,jdk.crypto.ec,java.compiler,jdk.compiler";
    /** Run in the guest in {@code ~}: bubblewrap installed, and the user manager kept running between logins. */
    public static final String INSTALL = "sudo install -m 755 nube/bwrap /usr/bin/bwrap && sudo loginctl enable-linger"
            + " \"$(id -un)\" && systemctl --user is-system-running --wait >/dev/null; cat /sys/fs/cgroup/cgroup.controllers";
    /** How the guest starts the engine's JVM (then the main class and its arguments): small, quick on emulated CPUs. */
    public static final String JAVA = "nube/jre/bin/java -Xmx400m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp ";
    /** As {@code ./nube} starts the console: in a scope systemd's user manager delegates to it, where one runs. */
    public static final String IN_DELEGATED_SCOPE = "nube/delegated-scope ";

    private EngineInGuest() {
    }

    /**
     * Lays the engine out in {@code staging} (links to this machine's files, a tar with {@code -h} copies them) and
     * returns the class path it has in the guest, relative to the home folder.
     */
    public static String staging(Path staging) throws IOException, InterruptedException {
        Files.createDirectories(staging);
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        Process link = new ProcessBuilder(jlink.toString(), "--add-modules", MODULES, "--strip-debug",
                "--no-man-pages", "--no-header-files", "--output", staging.resolve("jre").toString())
                .redirectErrorStream(true).start();
        String out = new String(link.getInputStream().readAllBytes());
        if (!link.waitFor(5, TimeUnit.MINUTES) || link.exitValue() != 0) {
            throw new IOException("jlink failed: " + out);
        }
        List<String> guestPath = new ArrayList<>();
        String testPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : testPath.split(File.pathSeparator)) {
            if (entry.isEmpty() || CONSOLE_ONLY.stream().anyMatch(entry::contains) || !Files.exists(Path.of(entry))) {
                continue;
            }
            String name = "cp-" + guestPath.size() + (entry.endsWith(".jar") ? ".jar" : "");
            Files.createSymbolicLink(staging.resolve(name), Path.of(entry).toAbsolutePath());
            guestPath.add("nube/" + name);
        }
        Files.createSymbolicLink(staging.resolve("delegated-scope"), Path.of("packaging/delegated-scope")
                .toAbsolutePath());
        Files.createSymbolicLink(staging.resolve("bwrap"), Path.of("/usr/bin/bwrap"));
        return String.join(":", guestPath);
    }
}
