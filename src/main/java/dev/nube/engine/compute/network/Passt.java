package dev.nube.engine.compute.network;

import dev.nube.engine.compute.network.addresses.PortMapping;
import dev.nube.engine.store.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An instance's uplink to the host's networks: one {@code passt} process (Debian's user-mode networking, as podman
 * and libvirt use it) per running instance. passt listens on a unix socket with QEMU's stream framing; the region's
 * switch connects to it and hands it only the traffic the instance's security groups let out. passt gives the traffic
 * the host's own sockets (so it leaves as the host's, like NAT) and maps the gateway address to the host itself. It
 * daemonizes: it outlives the console, as the instance's QEMU does, and the switch reconnects to it. Stateless.
 */
public final class Passt {
    public static final String BINARY = "passt";
    private static final long START_DEADLINE_S = 10;

    /** What to run: the socket and files (absolute), the instance's address, the gateway and the gateway's MAC. */
    public record Spec(Path socket, Path pidFile, Path log, Inet4Address address, int prefixLength,
                       Inet4Address gateway, String gatewayMac) {
    }

    private Passt() {
    }

    /** Why no uplink can run here, or null when passt is installed. */
    public static String missing() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                return null;
            }
        }
        return "passt is not installed (Debian package passt): instances cannot reach the host's networks";
    }

    /** The command line. As root passt would switch to user nobody; it is asked to stay this user instead. */
    static List<String> command(Spec spec, boolean root) {
        List<String> c = new ArrayList<>(List.of(BINARY, "--quiet", "--ipv4-only",
                "--socket", spec.socket().toString(), "--pid", spec.pidFile().toString(),
                "--address", spec.address().getHostAddress(), "--netmask", Integer.toString(spec.prefixLength()),
                "--gateway", spec.gateway().getHostAddress(), "--mac-addr", spec.gatewayMac(),
                // Addresses, DHCP and DNS come from the switch; passt only carries traffic out and back.
                "--no-dhcp", "--no-ndp", "--no-dhcpv6", "--no-ra", "--no-dhcp-dns", "--no-dhcp-search"));
        if (root) {
            c.addAll(List.of("--runas", "0:0"));
        }
        return c;
    }

    /** Starts passt (it daemonizes) and returns its pid; {@code spec.log()} gets what it printed. */
    public static long start(Spec spec) throws IOException, InterruptedException {
        String why = missing();
        if (why != null) {
            throw new IOException(why);
        }
        Files.deleteIfExists(spec.pidFile());
        Files.deleteIfExists(spec.socket());
        PrivateFiles.ensureFile(spec.log()); // the redirection keeps the mode of a file that is there
        Process parent = new ProcessBuilder(command(spec, PortMapping.isRoot())).redirectErrorStream(true)
                .redirectOutput(spec.log().toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!parent.waitFor(START_DEADLINE_S, TimeUnit.SECONDS)) {
            parent.destroyForcibly();
            throw new IOException("passt did not start within " + START_DEADLINE_S + " s");
        }
        if (parent.exitValue() != 0) {
            throw new IOException("passt failed to start: " + lastLine(spec.log()));
        }
        return find(spec.pidFile(), spec.socket()).map(ProcessHandle::pid)
                .orElseThrow(() -> new IOException("passt started but left no running process ("
                        + lastLine(spec.log()) + ")"));
    }

    /** The live passt of {@code pidFile}, recognised by its command line naming {@code socket}. */
    public static Optional<ProcessHandle> find(Path pidFile, Path socket) {
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
            try {
                String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                        StandardCharsets.UTF_8);
                return cmdline.startsWith(BINARY + "\0") && cmdline.contains("\0" + socket + "\0");
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Ends the passt of {@code pidFile}, if it runs, and removes its files. */
    public static void stop(Path pidFile, Path socket) throws IOException {
        Optional<ProcessHandle> process = find(pidFile, socket);
        if (process.isPresent()) {
            process.get().destroy();
            try {
                process.get().onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                process.get().destroyForcibly();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.get().destroyForcibly();
            }
        }
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(socket);
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("Failed to send")) {
                    return line;
                }
            }
        } catch (IOException e) {
            return "no output";
        }
        return "no output";
    }
}
