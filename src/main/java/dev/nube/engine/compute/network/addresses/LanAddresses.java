package dev.nube.engine.compute.network.addresses;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This machine's addresses on its networks, where a region may publish its instances' ports as well. */
public final class LanAddresses {
    private LanAddresses() {
    }

    /** The IPv4 addresses of every interface that is up, loopback excluded; empty when they cannot be read. */
    public static List<Inet4Address> ofThisHost() {
        List<Inet4Address> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address v4 && !v4.isLoopbackAddress()) {
                        addresses.add(v4);
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return addresses;
    }
}
