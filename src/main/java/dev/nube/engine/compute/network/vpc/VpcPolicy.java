package dev.nube.engine.compute.network.vpc;

import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is on a region's private network and which security groups they use: the snapshot the data plane enforces.
 * Immutable; a new one replaces the old at once ({@link VpcSwitch#setPolicy}). Rules are read as EC2 reads them: an
 * instance's rules are the union of its groups' rules, and traffic passes when any one rule allows it. A rule naming
 * a group matches the instances in that group, never an address outside the network. A group id that names no group
 * in the snapshot contributes no rules.
 * <p>Threads: immutable, may be shared.
 */
public final class VpcPolicy {
    /** No instances: everything is dropped. */
    public static final VpcPolicy EMPTY = new VpcPolicy(List.of(), List.of());

    /** One instance on the network: its NIC's MAC (e.g. {@code 52:54:00:12:34:56}), its address and its groups. */
    public record Member(String instanceId, String mac, Inet4Address ip, List<String> groupIds) {
        public Member {
            groupIds = List.copyOf(groupIds);
            byte[] bytes = Frames.parseMac(mac);
            if ((bytes[0] & 1) != 0) {
                throw new IllegalArgumentException("A NIC's MAC is not a group address: " + mac);
            }
            mac = Frames.formatMac(bytes, 0);
        }
    }

    private final Map<Inet4Address, Member> members;
    private final Map<String, SecurityGroup> groups;
    private final Map<Integer, Entry> byIp = new HashMap<>();
    private final Map<String, Entry> byInstance = new HashMap<>();

    /** Refuses two members with one address, one instance id or one MAC. */
    public VpcPolicy(Collection<Member> members, Collection<SecurityGroup> groups) {
        Map<String, SecurityGroup> groupsById = new LinkedHashMap<>();
        groups.forEach(g -> groupsById.put(g.id(), g));
        Map<Inet4Address, Member> membersByIp = new LinkedHashMap<>();
        Set<String> macs = new java.util.HashSet<>();
        for (Member member : members) {
            if (membersByIp.putIfAbsent(member.ip(), member) != null || !macs.add(member.mac())) {
                throw new IllegalArgumentException("Two members share " + member.ip().getHostAddress() + " or "
                        + member.mac());
            }
            Entry entry = new Entry(member, Frames.parseMac(member.mac()), Frames.toInt(member.ip()),
                    Set.copyOf(member.groupIds()), compile(member, groupsById, true),
                    compile(member, groupsById, false));
            if (byInstance.putIfAbsent(member.instanceId(), entry) != null) {
                throw new IllegalArgumentException("Instance " + member.instanceId() + " is a member twice");
            }
            byIp.put(entry.ip, entry);
        }
        this.members = java.util.Collections.unmodifiableMap(membersByIp);
        this.groups = java.util.Collections.unmodifiableMap(groupsById);
    }

    public Map<Inet4Address, Member> members() {
        return members;
    }

    public Map<String, SecurityGroup> groups() {
        return groups;
    }

    // --- what the data plane asks, addresses as ints

    /** A member with its rules compiled. */
    record Entry(Member member, byte[] mac, int ip, Set<String> groupIds, Rule[] inbound, Rule[] outbound) {
        String instanceId() {
            return member.instanceId();
        }
    }

    Entry byIp(int ip) {
        return byIp.get(ip);
    }

    Entry byInstance(String instanceId) {
        return byInstance.get(instanceId);
    }

    /**
     * Whether {@code from}'s outbound rules let it send this traffic to {@code peerIp} ({@code peer} the member at that
     * address, null outside the network) and, for a member, whether its inbound rules take it from {@code from}.
     * {@code port} is the destination port for TCP and UDP, the type for ICMP; {@code code} the ICMP code.
     */
    boolean allows(Entry from, int peerIp, Entry peer, int protocol, int port, int code) {
        if (!anyMatches(from.outbound, peerIp, peer, protocol, port, code)) {
            return false;
        }
        return peer == null || anyMatches(peer.inbound, from.ip, from, protocol, port, code);
    }

    private static boolean anyMatches(Rule[] rules, int peerIp, Entry peer, int protocol, int port, int code) {
        for (Rule rule : rules) {
            if (rule.matches(peerIp, peer, protocol, port, code)) {
                return true;
            }
        }
        return false;
    }

    private static Rule[] compile(Member member, Map<String, SecurityGroup> groups, boolean inbound) {
        List<Rule> rules = new ArrayList<>();
        for (String groupId : member.groupIds()) {
            SecurityGroup group = groups.get(groupId);
            if (group == null) {
                continue;
            }
            for (SecurityGroupRule rule : inbound ? group.inbound() : group.outbound()) {
                Rule compiled = Rule.of(rule);
                if (compiled != null) {
                    rules.add(compiled);
                }
            }
        }
        return rules.toArray(Rule[]::new);
    }

    /** One rule ready to be matched: the peer as an IPv4 network and mask, or as a group id. */
    record Rule(Protocol protocol, int fromPort, int toPort, int network, int mask, String groupId) {
        /** Null for a rule that can never match IPv4 traffic (an IPv6 block) or cannot be read. */
        static Rule of(SecurityGroupRule rule) {
            if (rule.protocol() == null) {
                return null;
            }
            if (rule.groupId() != null) {
                return new Rule(rule.protocol(), rule.fromPort(), rule.toPort(), 0, 0, rule.groupId());
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(rule.cidr());
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (cidr.isIpv6()) {
                return null;
            }
            int mask = cidr.prefix() == 0 ? 0 : -1 << (32 - cidr.prefix());
            return new Rule(rule.protocol(), rule.fromPort(), rule.toPort(), Frames.toInt(cidr.network()), mask, null);
        }

        boolean matches(int peerIp, Entry peer, int ipProtocol, int port, int code) {
            boolean traffic = switch (protocol) {
                case ALL -> true;
                case TCP -> ipProtocol == Frames.PROTO_TCP && port >= fromPort && port <= toPort;
                case UDP -> ipProtocol == Frames.PROTO_UDP && port >= fromPort && port <= toPort;
                // EC2 keeps an ICMP type in fromPort and a code in toPort; -1 is every one
                case ICMP -> ipProtocol == Frames.PROTO_ICMP && (fromPort == -1 || fromPort == port)
                        && (toPort == -1 || toPort == code);
            };
            if (!traffic) {
                return false;
            }
            if (groupId != null) {
                return peer != null && peer.groupIds.contains(groupId);
            }
            return (peerIp & mask) == network;
        }
    }
}
