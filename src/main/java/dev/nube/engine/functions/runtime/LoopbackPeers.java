package dev.nube.engine.functions.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Which process is at the other end of a loopback TCP connection, read from Linux's /proc: the peer's socket is the
 * line of /proc/net/tcp or tcp6 whose local and remote ends are the accepted socket's remote and local ends, and a
 * process holds it when one of its /proc/PID/fd links reads {@code socket:[inode]}. Stateless.
 */
public final class LoopbackPeers {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private LoopbackPeers() {
    }

    /** The inode of the socket at the other end of {@code accepted}, or -1 when it cannot be found. */
    public static long peerInode(Socket accepted) {
        InetAddress peerAddress = accepted.getInetAddress();
        InetAddress ourAddress = accepted.getLocalAddress();
        if (peerAddress == null || ourAddress == null) {
            return -1;
        }
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.strip().split("\\s+");
                if (fields.length < 10) {
                    continue;
                }
                if (matches(fields[1], peerAddress, accepted.getPort())
                        && matches(fields[2], ourAddress, accepted.getLocalPort())) {
                    long inode = parseLong(fields[9]);
                    if (inode > 0) {
                        return inode;
                    }
                }
            }
        }
        return -1;
    }

    /** True when one of {@code pids} has the socket {@code inode} among its open files. */
    public static boolean heldBy(Collection<Long> pids, long inode) {
        String wanted = "socket:[" + inode + "]";
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(wanted)) {
                            return true;
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }
        return false;
    }

    /** {@code field} is "ADDRESS:PORT" in hex as the kernel prints it: 32-bit words in host byte order. */
    private static boolean matches(String field, InetAddress address, int port) {
        int colon = field.indexOf(':');
        if (colon < 0 || parsePort(field.substring(colon + 1)) != port) {
            return false;
        }
        String hex = field.substring(0, colon);
        if (hex.length() != 8 && hex.length() != 32) {
            return false;
        }
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            long value = Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            for (int i = 0; i < 4; i++) {
                int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (3 - i);
                bytes[word * 4 + i] = (byte) (value >>> shift);
            }
        }
        try {
            return InetAddress.getByAddress(bytes).equals(address); // ::ffff:a.b.c.d comes back as a.b.c.d
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int parsePort(String hex) {
        try {
            return Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long parseLong(String decimal) {
        try {
            return Long.parseLong(decimal);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
