package dev.nube.engine.compute.network;

import java.util.List;

/**
 * An instance's network as the console shows it: private address and DNS name, public address (an Elastic IP's when
 * one is associated), each endpoint that reaches it from this machine (or the LAN), and what does not work.
 */
public record InstanceNetwork(String privateIp, String privateDnsName, String publicIp, String elasticIpAllocationId,
                              List<Endpoint> endpoints, List<String> problems) {
    public InstanceNetwork {
        endpoints = List.copyOf(endpoints);
        problems = List.copyOf(problems);
    }

    /** {@code address:port} reaches {@code guestPort} over {@code protocol}; {@code admittedBy} names the rules. */
    public record Endpoint(String address, int port, Protocol protocol, int guestPort, List<String> sources,
                           String admittedBy, String problem) {
        public Endpoint {
            sources = List.copyOf(sources);
        }

        /** {@code 127.100.0.7:10022 -> 22/tcp}. */
        public String describe() {
            return address + ":" + port + " -> " + guestPort + "/" + protocol.label();
        }
    }

    /** The endpoint that reaches the guest's SSH port, if its groups publish one. */
    public java.util.Optional<Endpoint> ssh() {
        return endpoints.stream().filter(e -> e.protocol() == Protocol.TCP && e.guestPort() == 22
                && e.problem() == null && e.address().equals(publicIp)).findFirst();
    }
}
