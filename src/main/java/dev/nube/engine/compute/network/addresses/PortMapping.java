package dev.nube.engine.compute.network.addresses;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which port of a public address stands for a guest's port. The same port whenever this process may listen on it:
 * as root, or at or above the kernel's first unprivileged port ({@code net.ipv4.ip_unprivileged_port_start}, 1024
 * unless changed). Below it, ports under 1024 move to 10000 + port (22 is reached on 10022, 80 on 10080); ports from
 * 1024 up keep their number (a kernel that reserves more than the first 1024 ports refuses them, and the listener
 * reports it). Pure once made; thread-safe.
 */
public record PortMapping(boolean root, int unprivilegedPortStart) {
    /** Where privileged ports move: {@value} + port. */
    public static final int OFFSET = 10000;
    private static final Path UNPRIVILEGED_START = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");

    /** This process's mapping: whether it runs as root, and the kernel's setting, each read once here. */
    public static PortMapping ofThisProcess() {
        return new PortMapping(isRoot(), readUnprivilegedStart(UNPRIVILEGED_START));
    }

    /** The host port that stands for {@code guestPort} (1 to 65535). */
    public int hostPort(int guestPort) {
        if (guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("a port is from 1 to 65535, not " + guestPort);
        }
        if (root || guestPort >= unprivilegedPortStart || guestPort >= 1024) {
            return guestPort;
        }
        return OFFSET + guestPort;
    }

    /** Whether {@code guestPort} is reached on another port number. */
    public boolean moves(int guestPort) {
        return hostPort(guestPort) != guestPort;
    }

    /** {@code 127.100.0.7:10022 -> 22}: where to connect, and the guest's port it reaches. */
    public static String describe(InetAddress address, int hostPort, int guestPort) {
        return address.getHostAddress() + ":" + hostPort + " -> " + guestPort;
    }

    /** The kernel's first unprivileged port in {@code file}; 1024 (the kernel's default) when it cannot be read. */
    static int readUnprivilegedStart(Path file) {
        try {
            // Files.readString reads only the first byte of a sysctl file on JDK 17; a line reader reads it whole.
            return Integer.parseInt(Files.readAllLines(file).get(0).strip());
        } catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
            return 1024;
        }
    }

    /** Whether this process runs as root (its effective uid). */
    public static boolean isRoot() {
        try {
            // /proc/self belongs to the process's effective user.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
