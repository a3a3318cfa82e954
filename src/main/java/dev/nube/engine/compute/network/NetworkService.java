package dev.nube.engine.compute.network;

import java.util.List;
import java.util.Optional;

/**
 * Instances' networks as the console sees them: each running instance's addresses and reachable endpoints, the public
 * address pool, and the per-region choice to publish on this machine's LAN addresses too. Thread-safe.
 */
public interface NetworkService {
    /** The network of a running instance; empty when it does not run (or its network is not up yet). */
    Optional<InstanceNetwork> networkOf(String region, String instanceId);

    /** Only the public address of a running instance (cheap: for lists, which show it on every row). */
    Optional<String> publicIpOf(String region, String instanceId);

    /** The pool public addresses come from, as a CIDR block (default {@code 127.100.0.0/16}). */
    String publicPool();

    /** Changes the pool (checked: loopback or private IPv4); running instances keep their addresses until they stop. */
    void setPublicPool(String cidr);

    /** Whether the region also publishes allowed ports on this machine's LAN addresses. */
    boolean publishesOnLan(String region);

    /** Turns LAN publishing on or off for the region; it applies to running instances at once. */
    void setPublishOnLan(String region, boolean on);

    /** This machine's LAN addresses (IPv4, up, not loopback), where LAN publishing listens. */
    List<String> lanAddresses();

    /** What the network cannot do on this machine, in sentences (e.g. no uplink: no outbound traffic); empty if all. */
    List<String> limits();
}
