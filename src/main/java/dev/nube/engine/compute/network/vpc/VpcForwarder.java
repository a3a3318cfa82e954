package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.Frames.PROTO_ICMP;
import static dev.nube.engine.compute.network.vpc.Frames.PROTO_TCP;
import static dev.nube.engine.compute.network.vpc.Frames.PROTO_UDP;

import dev.nube.engine.compute.network.vpc.ConnectionTracker.Flow;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The decisions of a region's private network: for each frame that comes in from an instance's NIC or from its
 * uplink, which frames go out where. It is the subnet's switch (ARP is answered here, never flooded; there is no
 * broadcast), its DHCP server and resolver, its gateway's ping, and the firewall that enforces security groups with
 * connection tracking. No I/O: frames leave through an {@link Output}, and upstream DNS queries are handed to it.
 * <p>Anti-spoofing: an instance's frames must carry its own MAC and address (DHCP from 0.0.0.0 excepted). Traffic
 * between instances needs the sender's outbound rules and the receiver's inbound rules, or a tracked flow. Traffic
 * to an address outside the network, or to the gateway (which the uplink maps to the host), needs the sender's
 * outbound rules and leaves through its uplink; from the uplink only replies of tracked flows come back.
 * <p>Threads: not thread-safe; one thread at a time (the switch's). {@link #traffic} may be read from any thread.
 */
final class VpcForwarder {
    private static final System.Logger LOG = System.getLogger(VpcForwarder.class.getName());
    static final int DEFAULT_MAX_FLOWS_PER_INSTANCE = 16_384;

    /** Which of an instance's two ports a frame uses. */
    enum Side { GUEST, UPLINK }

    /** Where the forwarder's decisions go. */
    interface Output {
        /**
         * Sends {@code frame[offset..offset+length)} out of a port; the bytes are copied before this returns.
         * Returns false when that port is not connected (the frame is lost).
         */
        boolean send(String instanceId, Side side, byte[] frame, int offset, int length);

        /** Asks the upstream resolvers {@code query}; the answer comes back through {@link #dnsAnswer}. */
        void relayDns(String instanceId, int guestPort, byte[] query);
    }

    private final VpcAddressing addressing;
    private final LongSupplier clock;
    private final ConnectionTracker tracker;
    private final DhcpServer dhcp;
    private final DnsResponder dns;
    private final byte[] gatewayMac;
    private final int gatewayIp;
    private final int dnsIp;
    private final byte[] scratch = new byte[2048];
    private final ConnectionTracker.Key probe = new ConnectionTracker.Key();
    private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();
    private VpcPolicy policy = VpcPolicy.EMPTY;
    private long lastWarning;

    /** @param clock nanoseconds, as {@link System#nanoTime} */
    VpcForwarder(String region, VpcAddressing addressing, int maxFlowsPerInstance, LongSupplier clock) {
        this.addressing = addressing;
        this.clock = clock;
        this.tracker = new ConnectionTracker(maxFlowsPerInstance);
        this.dhcp = new DhcpServer(addressing, VpcAddressing.domain(region));
        this.dns = new DnsResponder(addressing, VpcAddressing.domain(region));
        this.gatewayMac = Frames.parseMac(addressing.gatewayMac());
        this.gatewayIp = Frames.toInt(addressing.gateway());
        this.dnsIp = Frames.toInt(addressing.dns());
    }

    VpcPolicy policy() {
        return policy;
    }

    /**
     * Enforces {@code next} from now on, and forgets the tracked flows it no longer allows, so that a rule removed
     * or a group left cuts traffic already flowing too.
     */
    void setPolicy(VpcPolicy next) {
        policy = next;
        int forgotten = tracker.forgetIf(flow -> !stillAllowed(next, flow));
        if (forgotten > 0) {
            LOG.log(System.Logger.Level.DEBUG, "The new policy ends {0} tracked flows", forgotten);
        }
    }

    /** Forgets idle flows; call it every few seconds. */
    void expire() {
        tracker.expire(clock.getAsLong());
    }

    int trackedFlows() {
        return tracker.size();
    }

    /** What {@code instanceId}'s NIC has carried so far. */
    VpcTraffic traffic(String instanceId) {
        Traffic t = traffic.get(instanceId);
        return t == null ? VpcTraffic.NONE : t.snapshot();
    }

    /** Decides the fate of {@code b[f..f+length)}, which came in from {@code side} of {@code instanceId}. */
    void receive(String instanceId, Side side, byte[] b, int f, int length, Output out) {
        Traffic counters = counters(instanceId);
        if (side == Side.GUEST) {
            counters.framesOut++;
            counters.bytesOut += length;
        }
        VpcPolicy.Entry self = policy.byInstance(instanceId);
        if (self == null || length < Frames.ETHERNET_HEADER) {
            counters.droppedOther++;
            return;
        }
        try {
            // false: dropped for a reason other than a rule (those are counted where they are decided)
            boolean handled = side == Side.GUEST ? fromGuest(self, b, f, length, out)
                    : fromUplink(self, b, f, length, out);
            if (!handled) {
                counters.droppedOther++;
            }
        } catch (RuntimeException e) { // a check missed above must not stop the network
            counters.droppedOther++;
            long now = clock.getAsLong();
            if (now - lastWarning > TimeUnit.SECONDS.toNanos(10)) {
                lastWarning = now;
                LOG.log(System.Logger.Level.WARNING, "A frame from " + instanceId + " could not be read", e);
            }
        }
    }

    /**
     * Returns to {@code instanceId} the upstream answer to its {@code query} ({@code answer} null when no resolver
     * answered: then SERVFAIL; one too long for the MTU is cut to its question with the truncated bit set).
     */
    void dnsAnswer(String instanceId, int guestPort, byte[] query, byte[] answer, Output out) {
        VpcPolicy.Entry self = policy.byInstance(instanceId);
        if (self == null) {
            return;
        }
        int payload = Frames.UDP_PAYLOAD;
        int length;
        if (answer == null || answer.length < 12) {
            length = dns.fail(query, 0, query.length, DnsResponder.SERVFAIL, scratch, payload);
        } else if (answer.length > VpcAddressing.MTU - 28) {
            length = dns.fail(query, 0, query.length, answer[3] & 0x0f, scratch, payload);
            scratch[payload + 2] |= 0x02;
        } else {
            System.arraycopy(answer, 0, scratch, payload, answer.length);
            length = answer.length;
        }
        if (length >= 0) {
            deliver(self, scratch, 0, Frames.finishUdp(scratch, self.mac(), gatewayMac, dnsIp, self.ip(),
                    DnsResponder.PORT, guestPort, length), out);
        }
    }

    // --- from an instance

    private boolean fromGuest(VpcPolicy.Entry self, byte[] b, int f, int length, Output out) {
        if (!Frames.sourceIs(b, f, self.mac())) {
            return false;
        }
        int etherType = Frames.etherType(b, f);
        if (etherType == Frames.ETHERTYPE_ARP) {
            return arp(self, b, f, length, out);
        }
        int headerLength = etherType == Frames.ETHERTYPE_IPV4 ? Frames.ipv4HeaderLength(b, f, length) : -1;
        if (headerLength < 0) {
            return false;
        }
        int protocol = Frames.ipProtocol(b, f);
        int source = Frames.ipSource(b, f);
        int destination = Frames.ipDestination(b, f);
        int sourcePort = 0;
        int port = 0; // the destination port for TCP and UDP, the type for ICMP
        int code = 0;
        int tcpFlags = 0;
        if (protocol == PROTO_TCP || protocol == PROTO_UDP) {
            sourcePort = Frames.sourcePort(b, f, headerLength);
            port = Frames.destinationPort(b, f, headerLength);
            tcpFlags = protocol == PROTO_TCP ? Frames.tcpFlags(b, f, headerLength) : 0;
        } else if (protocol == PROTO_ICMP) {
            port = Frames.icmpType(b, f, headerLength);
            code = Frames.icmpCode(b, f, headerLength);
        }
        if (protocol == PROTO_UDP && port == DhcpServer.SERVER_PORT && sourcePort == DhcpServer.CLIENT_PORT
                && (source == 0 || source == self.ip())) {
            long payload = Frames.udpPayload(b, f, headerLength);
            int reply = dhcp.answer(b, (int) (payload >>> 32), (int) payload, self, scratch);
            return reply > 0 && deliver(self, scratch, 0, reply, out);
        }
        if (source != self.ip() || Frames.toGroup(b, f)) {
            return false;
        }
        boolean echoRequest = protocol == PROTO_ICMP && port == Frames.ICMP_ECHO_REQUEST;
        if (destination == dnsIp || (destination == gatewayIp && echoRequest)) {
            if (echoRequest) {
                Frames.turnIntoEchoReply(b, f, headerLength);
                Frames.setMacs(b, f, self.mac(), gatewayMac);
                return deliver(self, b, f, length, out);
            }
            if (protocol == PROTO_UDP && port == DnsResponder.PORT) {
                return resolve(self, b, f, headerLength, sourcePort, out);
            }
            return false;
        }
        boolean inside = addressing.containsInt(destination) && destination != gatewayIp;
        VpcPolicy.Entry peer = inside ? policy.byIp(destination) : null;
        if (inside ? peer == null || peer == self : !routable(destination)) {
            return false;
        }
        boolean echo = protocol == PROTO_ICMP && (echoRequest || port == Frames.ICMP_ECHO_REPLY);
        if (echo) {
            sourcePort = Frames.icmpEchoId(b, f, headerLength);
            port = sourcePort;
        }
        long now = clock.getAsLong();
        Flow flow = tracked(protocol, source, destination, sourcePort, port, tcpFlags, !inside, echo, echoRequest,
                now);
        if (flow == null) {
            int rulePort = echo ? (echoRequest ? Frames.ICMP_ECHO_REQUEST : Frames.ICMP_ECHO_REPLY) : port;
            if (!policy.allows(self, destination, peer, protocol, rulePort, code)) {
                counters(self.instanceId()).droppedByRule++;
                return true;
            }
            if (protocol == PROTO_TCP || protocol == PROTO_UDP || echoRequest) {
                tracker.open(probe.set(protocol, source, destination, sourcePort, port), self.instanceId(), !inside,
                        rulePort, code, now);
            }
        }
        if (inside) {
            System.arraycopy(peer.mac(), 0, b, f, 6);
            return deliver(peer, b, f, length, out);
        }
        System.arraycopy(gatewayMac, 0, b, f, 6);
        return out.send(self.instanceId(), Side.UPLINK, b, f, length);
    }

    private boolean arp(VpcPolicy.Entry self, byte[] b, int f, int length, Output out) {
        if (Frames.arpOperation(b, f, length) != Frames.ARP_REQUEST || !Frames.arpSenderIs(b, f, self.mac())) {
            return false;
        }
        int sender = Frames.arpSenderIp(b, f);
        int target = Frames.arpTargetIp(b, f);
        if ((sender != self.ip() && sender != 0) || target == self.ip()) {
            return false; // a probe of its own address must find nobody there
        }
        byte[] mac;
        if (target == gatewayIp || target == dnsIp) {
            mac = gatewayMac;
        } else {
            VpcPolicy.Entry member = policy.byIp(target);
            if (member == null) {
                return false;
            }
            mac = member.mac();
        }
        return deliver(self, scratch, 0, Frames.writeArpReply(scratch, self.mac(), sender, mac, target), out);
    }

    private boolean resolve(VpcPolicy.Entry self, byte[] b, int f, int headerLength, int guestPort, Output out) {
        long payload = Frames.udpPayload(b, f, headerLength);
        int p = (int) (payload >>> 32);
        int length = (int) payload;
        int answer = dns.answer(policy, b, p, length, scratch, Frames.UDP_PAYLOAD);
        if (answer == DnsResponder.RELAY) {
            out.relayDns(self.instanceId(), guestPort, Arrays.copyOfRange(b, p, p + length));
            return true;
        }
        return answer >= 0 && deliver(self, scratch, 0, Frames.finishUdp(scratch, self.mac(), gatewayMac, dnsIp,
                self.ip(), DnsResponder.PORT, guestPort, answer), out);
    }

    // --- from an uplink

    private boolean fromUplink(VpcPolicy.Entry self, byte[] b, int f, int length, Output out) {
        int etherType = Frames.etherType(b, f);
        if (etherType == Frames.ETHERTYPE_ARP) {
            // the uplink may ask where its instance is; tell it, and nobody else
            if (Frames.arpOperation(b, f, length) != Frames.ARP_REQUEST || Frames.arpTargetIp(b, f) != self.ip()) {
                return false;
            }
            byte[] requester = Arrays.copyOfRange(b, f + 22, f + 28);
            int reply = Frames.writeArpReply(scratch, requester, Frames.arpSenderIp(b, f), self.mac(), self.ip());
            return out.send(self.instanceId(), Side.UPLINK, scratch, 0, reply);
        }
        int headerLength = etherType == Frames.ETHERTYPE_IPV4 ? Frames.ipv4HeaderLength(b, f, length) : -1;
        if (headerLength < 0 || Frames.ipDestination(b, f) != self.ip()) {
            return false;
        }
        int protocol = Frames.ipProtocol(b, f);
        int sourcePort = 0;
        int port = 0;
        int tcpFlags = 0;
        boolean echoReply = false;
        if (protocol == PROTO_TCP || protocol == PROTO_UDP) {
            sourcePort = Frames.sourcePort(b, f, headerLength);
            port = Frames.destinationPort(b, f, headerLength);
            tcpFlags = protocol == PROTO_TCP ? Frames.tcpFlags(b, f, headerLength) : 0;
        } else if (protocol == PROTO_ICMP && Frames.icmpType(b, f, headerLength) == Frames.ICMP_ECHO_REPLY) {
            echoReply = true;
            sourcePort = Frames.icmpEchoId(b, f, headerLength);
            port = sourcePort;
        }
        Flow flow = protocol == PROTO_TCP || protocol == PROTO_UDP || echoReply
                ? tracked(protocol, Frames.ipSource(b, f), self.ip(), sourcePort, port, tcpFlags, true, echoReply,
                        false, clock.getAsLong())
                : null;
        if (flow == null || !flow.openerId.equals(self.instanceId())) {
            counters(self.instanceId()).droppedByRule++;
            return true;
        }
        Frames.setMacs(b, f, self.mac(), gatewayMac);
        return deliver(self, b, f, length, out);
    }

    // --- shared

    /**
     * The tracked flow this packet belongs to, in either direction, noted as seen; null when none. An ICMP echo
     * request only continues its own flow, an echo reply only answers one.
     */
    private Flow tracked(int protocol, int source, int destination, int sourcePort, int port, int tcpFlags,
                         boolean viaUplink, boolean echo, boolean echoRequest, long now) {
        if (!echo || echoRequest) {
            Flow flow = tracker.find(probe.set(protocol, source, destination, sourcePort, port), now);
            if (flow != null && flow.viaUplink == viaUplink) {
                ConnectionTracker.seen(flow, true, tcpFlags, now);
                return flow;
            }
        }
        if (!echo || !echoRequest) {
            Flow flow = tracker.find(probe.set(protocol, destination, source, port, sourcePort), now);
            if (flow != null && flow.viaUplink == viaUplink) {
                ConnectionTracker.seen(flow, false, tcpFlags, now);
                return flow;
            }
        }
        return null;
    }

    private boolean stillAllowed(VpcPolicy next, Flow flow) {
        VpcPolicy.Entry opener = next.byInstance(flow.openerId);
        if (opener == null || opener.ip() != flow.key.source) {
            return false;
        }
        VpcPolicy.Entry peer = flow.viaUplink ? null : next.byIp(flow.key.destination);
        if (!flow.viaUplink && peer == null) {
            return false;
        }
        return next.allows(opener, flow.key.destination, peer, flow.key.protocol, flow.rulePort, flow.ruleCode);
    }

    /** Addresses a packet may be routed to outside the network: not this-network, loopback, multicast or reserved. */
    private static boolean routable(int address) {
        int first = address >>> 24;
        return first != 0 && first != 127 && first < 224;
    }

    private boolean deliver(VpcPolicy.Entry to, byte[] b, int f, int length, Output out) {
        if (!out.send(to.instanceId(), Side.GUEST, b, f, length)) {
            return false;
        }
        Traffic counters = counters(to.instanceId());
        counters.framesIn++;
        counters.bytesIn += length;
        return true;
    }

    private Traffic counters(String instanceId) {
        return traffic.computeIfAbsent(instanceId, id -> new Traffic());
    }

    /** One instance's counters: written by the forwarding thread only, so a volatile field suffices. */
    private static final class Traffic {
        volatile long framesIn;
        volatile long bytesIn;
        volatile long framesOut;
        volatile long bytesOut;
        volatile long droppedByRule;
        volatile long droppedOther;

        VpcTraffic snapshot() {
            return new VpcTraffic(framesIn, bytesIn, framesOut, bytesOut, droppedByRule, droppedOther);
        }
    }
}
