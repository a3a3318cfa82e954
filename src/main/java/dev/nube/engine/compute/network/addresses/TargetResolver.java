package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Where a guest's port is reached from this host: the loopback end of a forward QEMU keeps to it. Asked once per TCP
 * connection and once per UDP session, on the listener's thread, so that a forward may be set up when first needed.
 */
@FunctionalInterface
public interface TargetResolver {
    /** The host address that leads to {@code guestPort} over {@code protocol}; throws when there is none. */
    InetSocketAddress targetFor(Protocol protocol, int guestPort) throws IOException;
}
