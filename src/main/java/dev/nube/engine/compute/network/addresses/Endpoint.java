package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * One published port of an instance: {@code address}:{@code hostPort} over {@code protocol} (TCP or UDP) leads to the
 * guest's {@code guestPort}, for clients whose source address lies in one of {@code allowedSources}.
 * {@code admittedBy} says which rules allow it, in words ({@code sg-0abc tcp/8080 from 0.0.0.0/0}). The address may be
 * any of this host's: a public address from the pool, or a LAN address.
 */
public record Endpoint(Inet4Address address, int hostPort, Protocol protocol, int guestPort, List<Cidr> allowedSources,
                       String admittedBy) {
    public Endpoint {
        if (protocol != Protocol.TCP && protocol != Protocol.UDP) {
            throw new IllegalArgumentException("an endpoint is TCP or UDP, not " + protocol);
        }
        if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("ports are from 1 to 65535: " + hostPort + " -> " + guestPort);
        }
        allowedSources = List.copyOf(allowedSources);
        admittedBy = admittedBy == null ? "" : admittedBy;
    }

    /** What one listener is known by: the same key with other sources is the same listener, changed. */
    public record Key(Inet4Address address, int hostPort, Protocol protocol) {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + hostPort + "/" + protocol.label();
        }
    }

    public Key key() {
        return new Key(address, hostPort, protocol);
    }

    /** Whether a client from {@code source} may use this endpoint. */
    public boolean admits(InetAddress source) {
        for (Cidr cidr : allowedSources) {
            if (cidr.contains(source)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 127.100.0.7:10022 -> 22 (tcp)}. */
    @Override
    public String toString() {
        return PortMapping.describe(address, hostPort, guestPort) + " (" + protocol.label() + ")";
    }
}
