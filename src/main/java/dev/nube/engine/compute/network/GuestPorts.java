package dev.nube.engine.compute.network;

import java.io.IOException;
import java.net.InetSocketAddress;

/** How the engine reaches a port of a running guest (a forward of its QEMU, on a loopback address). */
@FunctionalInterface
public interface GuestPorts {
    /** {@code protocol} is TCP or UDP; the forward is made when first asked for. */
    InetSocketAddress target(Protocol protocol, int guestPort) throws IOException;
}
