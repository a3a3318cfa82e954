package dev.nube.engine.compute.network.addresses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IPv4 addresses sockets of this machine are bound to, from {@code /proc/net}: every process's, other users'
 * included. A public address another Nube (another data folder, another user) listens on is not free here, whatever
 * this engine's pool remembers.
 */
final class HostSockets {
    private static final List<String> TABLES = List.of("tcp", "tcp6", "udp", "udp6");

    private HostSockets() {
    }

    /** The local addresses of all TCP and UDP sockets, as ints; IPv4-mapped IPv6 addresses count as IPv4. */
    static Set<Integer> boundIpv4() {
        Set<Integer> bound = new HashSet<>();
        for (String table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc/net", table));
            } catch (IOException e) {
                continue; // no such table here (IPv6 off): nothing bound there
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 1 && fields[1].indexOf(':') > 0) {
                    Integer address = ipv4(fields[1].substring(0, fields[1].indexOf(':')));
                    if (address != null) {
                        bound.add(address);
                    }
                }
            }
        }
        return bound;
    }

    /**
     * An address as /proc/net prints it (32-bit words in the kernel's little-endian order) as an IPv4 int, or null
     * when it is an IPv6 address that is not IPv4-mapped.
     */
    static Integer ipv4(String hex) {
        try {
            if (hex.length() == 8) {
                return Integer.reverseBytes((int) Long.parseLong(hex, 16));
            }
            if (hex.length() == 32 && hex.startsWith("0000000000000000") && hex.substring(16, 24)
                    .equalsIgnoreCase("FFFF0000")) {
                return Integer.reverseBytes((int) Long.parseLong(hex.substring(24), 16));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
