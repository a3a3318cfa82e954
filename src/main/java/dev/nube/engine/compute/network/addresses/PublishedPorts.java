package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which endpoints an instance's security groups ask for: each TCP or UDP port an inbound rule allows, on each of the
 * instance's addresses (its public IP, and this machine's LAN addresses where the region publishes on them), with the
 * sources of every rule that allows it. What no listener can stand for is listed with the reason instead: ICMP and
 * all-traffic rules, sources named by a security group, IPv6 sources, and ranges wider than
 * {@value #MAX_PORTS_PER_RULE} ports (each port is a listener of its own). Pure.
 */
public final class PublishedPorts {
    /** The widest port range a rule may publish; wider ones are listed as not published. */
    public static final int MAX_PORTS_PER_RULE = 64;

    /** The endpoints to publish, and one sentence per rule (or part of one) that is not published. */
    public record Plan(List<Endpoint> endpoints, List<String> notPublished) {
        public Plan {
            endpoints = List.copyOf(endpoints);
            notPublished = List.copyOf(notPublished);
        }
    }

    /** A protocol's port; sorted by protocol, then port. */
    private record Port(Protocol protocol, int port) implements Comparable<Port> {
        @Override
        public int compareTo(Port other) {
            return protocol != other.protocol ? protocol.compareTo(other.protocol) : Integer.compare(port, other.port);
        }
    }

    private PublishedPorts() {
    }

    public static Plan of(List<Inet4Address> addresses, List<SecurityGroup> groups, PortMapping mapping) {
        Map<Port, Set<Cidr>> sources = new TreeMap<>();
        Map<Port, Set<String>> reasons = new TreeMap<>();
        List<String> notPublished = new ArrayList<>();
        for (SecurityGroup group : groups) {
            for (SecurityGroupRule rule : group.inbound()) {
                String said = group.id() + " " + rule.protocol().label()
                        + (rule.protocol().hasPorts() ? "/" + rule.portRange() : "") + " from " + rule.peer();
                String problem = problemOf(rule);
                if (problem != null) {
                    notPublished.add(said + ": " + problem);
                    continue;
                }
                Cidr cidr = Cidr.parse(rule.cidr());
                // Port 0 is no port a client can reach: a range from 0 publishes from 1.
                for (int port = Math.max(1, rule.fromPort()); port <= rule.toPort(); port++) {
                    Port key = new Port(rule.protocol(), port);
                    sources.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(cidr);
                    reasons.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(said);
                }
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (Inet4Address address : addresses) {
            sources.forEach((port, cidrs) -> endpoints.add(new Endpoint(address, mapping.hostPort(port.port()),
                    port.protocol(), port.port(), List.copyOf(cidrs), String.join("; ", reasons.get(port)))));
        }
        return new Plan(endpoints, notPublished);
    }

    /** Why {@code rule} publishes no endpoint, or null when it publishes its ports. */
    private static String problemOf(SecurityGroupRule rule) {
        if (rule.protocol() == Protocol.ICMP) {
            return "ICMP is not forwarded to instances";
        }
        if (rule.protocol() == Protocol.ALL) {
            return "all traffic publishes no port; add TCP or UDP rules for the ports to reach";
        }
        if (rule.cidr() == null) {
            return "sources named by a security group are instances of this machine, which reach each other"
                    + " without a public address";
        }
        if (Cidr.parse(rule.cidr()).isIpv6()) {
            return "IPv6 sources cannot reach an IPv4 public address";
        }
        if (rule.toPort() < 1) {
            return "port 0 cannot be reached";
        }
        int ports = rule.toPort() - Math.max(1, rule.fromPort()) + 1;
        if (ports > MAX_PORTS_PER_RULE) {
            return "a range of " + ports + " ports is wider than the " + MAX_PORTS_PER_RULE
                    + " ports published per rule (each port is a listener)";
        }
        return null;
    }
}
