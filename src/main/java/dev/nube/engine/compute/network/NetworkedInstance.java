package dev.nube.engine.compute.network;

import java.nio.file.Path;
import java.util.List;

/**
 * A running instance as its network sees it: its private address and MAC, its security groups, the unix sockets of
 * its private NIC (QEMU listens) and of its uplink (passt; null when it has none), its folder (where the network keeps
 * the public address it holds while it runs) and the way to its guest ports.
 */
public record NetworkedInstance(String region, String instanceId, String name, String privateIp, String macAddress,
                                List<String> securityGroupIds, Path vpcSocket, Path uplinkSocket, Path folder,
                                GuestPorts ports) {
    public NetworkedInstance {
        securityGroupIds = List.copyOf(securityGroupIds);
    }
}
