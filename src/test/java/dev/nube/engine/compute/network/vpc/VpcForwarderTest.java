package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.VpcTestFrames.GATEWAY_MAC;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.arpRequest;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.icmpEcho;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.ip;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.mac;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.tcp;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.compute.network.Protocol;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupRule;
import dev.nube.engine.compute.network.vpc.VpcForwarder.Side;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The private network's decisions on hand-written frames: switching, firewalling and connection tracking. */
class VpcForwarderTest {
    static final String WEB_MAC = "52:54:00:00:00:0a";
    static final String DB_MAC = "52:54:00:00:00:0b";
    static final String OTHER_MAC = "52:54:00:00:00:0c";
    static final String PASST_MAC = "9a:55:9a:55:9a:55";
    static final String WEB = "172.31.0.10";
    static final String DB = "172.31.0.11";
    static final String OTHER = "172.31.0.12";
    static final String INTERNET = "93.184.216.34";

    /** What the forwarder sent, in order. */
    record Sent(String instanceId, Side side, byte[] frame) {
    }

    /** Records sends and relays; an instance's uplink is connected when its id is in {@code uplinks}. */
    static final class Recorder implements VpcForwarder.Output {
        final List<Sent> sent = new ArrayList<>();
        final List<byte[]> relayed = new ArrayList<>();
        final Set<String> uplinks = new HashSet<>();

        @Override
        public boolean send(String instanceId, Side side, byte[] frame, int offset, int length) {
            if (side == Side.UPLINK && !uplinks.contains(instanceId)) {
                return false;
            }
            sent.add(new Sent(instanceId, side, Arrays.copyOfRange(frame, offset, offset + length)));
            return true;
        }

        @Override
        public void relayDns(String instanceId, int guestPort, byte[] query) {
            relayed.add(query);
        }

        Sent only() {
            assertEquals(1, sent.size(), "frames sent");
            Sent one = sent.get(0);
            sent.clear();
            return one;
        }

        void assertNothing() {
            assertEquals(List.of(), sent.stream().map(s -> s.instanceId + " " + s.side).toList());
        }
    }

    long now = TimeUnit.HOURS.toNanos(1);
    VpcForwarder forwarder;
    Recorder out = new Recorder();

    static SecurityGroup group(String id, List<SecurityGroupRule> inbound, List<SecurityGroupRule> outbound) {
        return new SecurityGroup(id, id, "", inbound, outbound, Instant.EPOCH);
    }

    static final SecurityGroupRule ALL_OUT = SecurityGroupRule.fromCidr(Protocol.ALL, -1, -1, "0.0.0.0/0", "");

    static VpcPolicy policy(SecurityGroup... groups) {
        return new VpcPolicy(List.of(
                new VpcPolicy.Member("i-web", WEB_MAC, ip(WEB), List.of("sg-web")),
                new VpcPolicy.Member("i-db", DB_MAC, ip(DB), List.of("sg-db")),
                new VpcPolicy.Member("i-other", OTHER_MAC, ip(OTHER), List.of("sg-other"))), List.of(groups));
    }

    static SecurityGroup web() {
        return group("sg-web", List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 80, 80, "0.0.0.0/0", ""),
                SecurityGroupRule.fromCidr(Protocol.TCP, 22, 22, "172.31.0.12/32", ""),
                SecurityGroupRule.fromGroup(Protocol.UDP, 5000, 5010, "sg-db", "")), List.of(ALL_OUT));
    }

    static SecurityGroup db(SecurityGroupRule... more) {
        List<SecurityGroupRule> inbound = new ArrayList<>(List.of(
                SecurityGroupRule.fromGroup(Protocol.TCP, 5432, 5432, "sg-web", ""),
                SecurityGroupRule.fromCidr(Protocol.ICMP, -1, -1, "172.31.0.0/20", "")));
        inbound.addAll(List.of(more));
        return group("sg-db", inbound, List.of(ALL_OUT));
    }

    static SecurityGroup other() {
        return group("sg-other", List.of(), List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "0.0.0.0/0", ""),
                SecurityGroupRule.fromCidr(Protocol.ALL, -1, -1, "172.31.0.0/20", "")));
    }

    @BeforeEach
    void setUp() {
        forwarder = new VpcForwarder("eu-west-1", VpcAddressing.DEFAULT, 4, () -> now);
        forwarder.setPolicy(policy(web(), db(), other()));
        out.uplinks.add("i-web");
        out.uplinks.add("i-other");
    }

    void fromGuest(String instanceId, byte[] frame) {
        forwarder.receive(instanceId, Side.GUEST, frame, 0, frame.length, out);
    }

    void fromUplink(String instanceId, byte[] frame) {
        forwarder.receive(instanceId, Side.UPLINK, frame, 0, frame.length, out);
    }

    /** Sends a TCP segment between members and returns where it went (null when dropped). */
    Sent tcpBetween(String fromId, String fromMac, String from, String toMac, String to, int sourcePort, int port) {
        fromGuest(fromId, tcp(fromMac, toMac, from, to, sourcePort, port, 0x02));
        if (out.sent.isEmpty()) {
            return null;
        }
        return out.only();
    }

    @Test
    void arpIsAnsweredForMembersTheGatewayAndTheResolverAndNeverForwarded() {
        fromGuest("i-web", arpRequest(WEB_MAC, WEB, DB));
        Sent reply = out.only();
        assertEquals("i-web", reply.instanceId());
        assertEquals(Side.GUEST, reply.side());
        assertEquals(WEB_MAC, mac(reply.frame(), 0));
        assertEquals(0x0806, Frames.etherType(reply.frame(), 0));
        assertEquals(Frames.ARP_REPLY, Frames.u16(reply.frame(), 20));
        assertEquals(DB_MAC, mac(reply.frame(), 22), "the sender hardware address is the member's");
        assertArrayEquals(ip(DB).getAddress(), Arrays.copyOfRange(reply.frame(), 28, 32));
        assertEquals(WEB_MAC, mac(reply.frame(), 32));
        assertArrayEquals(ip(WEB).getAddress(), Arrays.copyOfRange(reply.frame(), 38, 42));

        for (String router : List.of("172.31.0.1", "172.31.0.2")) {
            fromGuest("i-web", arpRequest(WEB_MAC, WEB, router));
            assertEquals(GATEWAY_MAC, mac(out.only().frame(), 22));
        }
        fromGuest("i-web", arpRequest(WEB_MAC, WEB, "172.31.0.3"));
        fromGuest("i-web", arpRequest(WEB_MAC, WEB, "172.31.0.99"));
        fromGuest("i-web", arpRequest(WEB_MAC, "0.0.0.0", WEB)); // probing its own address: nobody answers
        fromGuest("i-web", arpRequest(WEB_MAC, DB, "172.31.0.1")); // claiming another's address
        fromGuest("i-web", arpRequest(DB_MAC, WEB, "172.31.0.1")); // another's MAC
        out.assertNothing();
    }

    @Test
    void framesFromAnotherMacOrAddressAreDropped() {
        fromGuest("i-web", tcp(WEB_MAC, DB_MAC, OTHER, DB, 40000, 5432, 0x02));
        fromGuest("i-web", tcp(OTHER_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x02));
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, "10.0.0.1", INTERNET, 40000, 443, 0x02));
        out.assertNothing();
        VpcTraffic traffic = forwarder.traffic("i-web");
        assertEquals(3, traffic.framesOut());
        assertEquals(3, traffic.droppedOther());
        assertEquals(0, traffic.droppedByRule());
    }

    @Test
    void tcpBetweenMembersFollowsPortsGroupsAndCidrs() {
        Sent sent = tcpBetween("i-web", WEB_MAC, WEB, GATEWAY_MAC, DB, 40000, 5432);
        assertEquals("i-db", sent.instanceId());
        assertEquals(Side.GUEST, sent.side());
        assertEquals(DB_MAC, mac(sent.frame(), 0), "delivered to the member's MAC");
        assertEquals(WEB_MAC, mac(sent.frame(), 6));
        assertEquals(Frames.ipDestination(sent.frame(), 0), VpcTestFrames.ipInt(DB));

        assertNull(tcpBetween("i-web", WEB_MAC, WEB, DB_MAC, DB, 40001, 22), "no rule for port 22");
        assertNull(tcpBetween("i-other", OTHER_MAC, OTHER, DB_MAC, DB, 40000, 5432), "not in sg-web");
        assertEquals("i-web", tcpBetween("i-other", OTHER_MAC, OTHER, WEB_MAC, WEB, 40000, 80).instanceId());
        assertEquals("i-web", tcpBetween("i-other", OTHER_MAC, OTHER, WEB_MAC, WEB, 40001, 22).instanceId(),
                "22 is open to 172.31.0.12/32");
        assertNull(tcpBetween("i-db", DB_MAC, DB, WEB_MAC, WEB, 40000, 22), "22 is not open to .11");
        assertEquals(1, forwarder.traffic("i-web").droppedByRule(), "the port");
        assertEquals(1, forwarder.traffic("i-other").droppedByRule(), "the group");
        assertEquals(1, forwarder.traffic("i-db").droppedByRule());
        assertEquals(1, forwarder.traffic("i-db").framesIn());
    }

    @Test
    void theSendersOutboundRulesCountToo() {
        // sg-other allows TCP out only to 443 and to the subnet; the receiver's inbound rule is not enough
        forwarder.setPolicy(policy(web(), db(), group("sg-other", List.of(),
                List.of(SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "0.0.0.0/0", "")))));
        assertNull(tcpBetween("i-other", OTHER_MAC, OTHER, WEB_MAC, WEB, 40000, 80));
    }

    @Test
    void repliesOfAnAllowedFlowPassWhateverTheRules() {
        assertEquals("i-db", tcpBetween("i-web", WEB_MAC, WEB, DB_MAC, DB, 40000, 5432).instanceId());
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12));
        Sent reply = out.only();
        assertEquals("i-web", reply.instanceId());
        assertEquals(WEB_MAC, mac(reply.frame(), 0));

        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40001, 0x12)); // another port: not a reply
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, OTHER, 5432, 40000, 0x12)); // another peer
        out.assertNothing();
    }

    @Test
    void udpFollowsItsRulesAndItsFlows() {
        fromGuest("i-db", udp(DB_MAC, WEB_MAC, DB, WEB, 33000, 5005, new byte[] {1, 2, 3}));
        Sent sent = out.only();
        assertEquals("i-web", sent.instanceId());
        assertArrayEquals(new byte[] {1, 2, 3}, VpcTestFrames.udpPayload(sent.frame()));
        fromGuest("i-db", udp(DB_MAC, WEB_MAC, DB, WEB, 33000, 6000, new byte[] {1}));
        out.assertNothing();
        fromGuest("i-web", udp(WEB_MAC, DB_MAC, WEB, DB, 5005, 33000, new byte[] {4}));
        assertEquals("i-db", out.only().instanceId(), "the reply of a tracked UDP flow");

        now += TimeUnit.SECONDS.toNanos(181);
        fromGuest("i-web", udp(WEB_MAC, DB_MAC, WEB, DB, 5005, 33000, new byte[] {5}));
        out.assertNothing();
    }

    @Test
    void icmpEchoFollowsItsRulesAndTheGatewayAndResolverAnswer() {
        fromGuest("i-web", icmpEcho(WEB_MAC, DB_MAC, WEB, DB, 8, 77));
        assertEquals("i-db", out.only().instanceId());
        fromGuest("i-db", icmpEcho(DB_MAC, WEB_MAC, DB, WEB, 0, 77));
        assertEquals("i-web", out.only().instanceId(), "the echo reply of a tracked request");
        fromGuest("i-db", icmpEcho(DB_MAC, WEB_MAC, DB, WEB, 8, 78));
        out.assertNothing(); // sg-web takes no ICMP

        for (String router : List.of("172.31.0.1", "172.31.0.2")) {
            byte[] request = icmpEcho(WEB_MAC, GATEWAY_MAC, WEB, router, 8, 5);
            fromGuest("i-web", request.clone());
            Sent reply = out.only();
            assertEquals("i-web", reply.instanceId());
            byte[] frame = reply.frame();
            assertEquals(WEB_MAC, mac(frame, 0));
            assertEquals(GATEWAY_MAC, mac(frame, 6));
            assertEquals(VpcTestFrames.ipInt(router), Frames.ipSource(frame, 0));
            assertEquals(VpcTestFrames.ipInt(WEB), Frames.ipDestination(frame, 0));
            assertEquals(0, frame[34], "an echo reply");
            assertEquals(0, Frames.checksum(frame, 14, 20, 0), "IP checksum");
            assertEquals(0, Frames.checksum(frame, 34, 16, 0), "ICMP checksum");
            assertArrayEquals(Arrays.copyOfRange(request, 38, 50), Arrays.copyOfRange(frame, 38, 50),
                    "same id, sequence and data");
        }
    }

    @Test
    void trafficLeavingTheNetworkGoesToTheSendersUplinkWhenItsRulesAllow() {
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, INTERNET, 40000, 80, 0x02));
        Sent sent = out.only();
        assertEquals("i-web", sent.instanceId());
        assertEquals(Side.UPLINK, sent.side());
        assertEquals(GATEWAY_MAC, mac(sent.frame(), 0));

        fromGuest("i-other", tcp(OTHER_MAC, GATEWAY_MAC, OTHER, INTERNET, 40000, 80, 0x02));
        out.assertNothing();
        assertEquals(1, forwarder.traffic("i-other").droppedByRule());
        fromGuest("i-other", tcp(OTHER_MAC, GATEWAY_MAC, OTHER, INTERNET, 40000, 443, 0x02));
        assertEquals(Side.UPLINK, out.only().side());

        // the gateway's address is the host, through the uplink
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.1", 40000, 8080, 0x02));
        assertEquals(Side.UPLINK, out.only().side());

        // no uplink, no way out
        fromGuest("i-db", tcp(DB_MAC, GATEWAY_MAC, DB, INTERNET, 40000, 80, 0x02));
        out.assertNothing();
        assertEquals(1, forwarder.traffic("i-db").droppedOther());
        // nor to multicast, broadcast or addresses of the network nobody holds
        fromGuest("i-web", udp(WEB_MAC, "01:00:5e:00:00:fb", WEB, "224.0.0.251", 5353, 5353, new byte[4]));
        fromGuest("i-web", udp(WEB_MAC, "ff:ff:ff:ff:ff:ff", WEB, "255.255.255.255", 9, 9, new byte[4]));
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.3", 40000, 80, 0x02));
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.99", 40000, 80, 0x02));
        out.assertNothing();
    }

    @Test
    void theUplinkReachesItsInstanceOnlyWithRepliesOfItsFlows() {
        byte[] unsolicited = tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 80, 40000, 0x12);
        fromUplink("i-web", unsolicited);
        out.assertNothing();
        assertEquals(1, forwarder.traffic("i-web").droppedByRule());

        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, INTERNET, 40000, 80, 0x02));
        out.only();
        fromUplink("i-web", tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 80, 40000, 0x12));
        Sent reply = out.only();
        assertEquals("i-web", reply.instanceId());
        assertEquals(Side.GUEST, reply.side());
        assertEquals(WEB_MAC, mac(reply.frame(), 0));
        assertEquals(GATEWAY_MAC, mac(reply.frame(), 6), "the uplink's MAC is hidden behind the gateway's");

        fromUplink("i-web", tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 81, 40000, 0x12)); // another port
        fromUplink("i-other", tcp(PASST_MAC, OTHER_MAC, INTERNET, OTHER, 80, 40000, 0x12)); // another's flow
        fromUplink("i-web", tcp(PASST_MAC, DB_MAC, INTERNET, DB, 80, 40000, 0x12)); // to another instance
        fromUplink("i-web", tcp(PASST_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12)); // posing as a member
        out.assertNothing();

        fromGuest("i-web", icmpEcho(WEB_MAC, GATEWAY_MAC, WEB, INTERNET, 8, 9));
        assertEquals(Side.UPLINK, out.only().side());
        fromUplink("i-web", icmpEcho(PASST_MAC, WEB_MAC, INTERNET, WEB, 0, 9));
        assertEquals(Side.GUEST, out.only().side());
        fromUplink("i-web", icmpEcho(PASST_MAC, WEB_MAC, INTERNET, WEB, 8, 9));
        out.assertNothing();

        fromUplink("i-web", arpRequest(PASST_MAC, "172.31.0.1", WEB));
        Sent arp = out.only();
        assertEquals(Side.UPLINK, arp.side());
        assertEquals(WEB_MAC, mac(arp.frame(), 22));
    }

    @Test
    void aNewPolicyCutsTheFlowsItNoLongerAllows() {
        assertEquals("i-db", tcpBetween("i-web", WEB_MAC, WEB, DB_MAC, DB, 40000, 5432).instanceId());
        assertNull(tcpBetween("i-other", OTHER_MAC, OTHER, DB_MAC, DB, 40000, 443), "no rule for .12 to 443 on db");
        fromGuest("i-web", tcp(WEB_MAC, GATEWAY_MAC, WEB, INTERNET, 40000, 80, 0x02));
        out.only();

        // db stops taking 5432 from sg-web; a rule for 443 from .12 is unrelated to the web flow
        forwarder.setPolicy(policy(web(), group("sg-db", List.of(
                SecurityGroupRule.fromCidr(Protocol.TCP, 443, 443, "172.31.0.12/32", "")), List.of(ALL_OUT)),
                other()));
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12));
        fromGuest("i-web", tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x10));
        out.assertNothing();
        fromUplink("i-web", tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 80, 40000, 0x12));
        assertEquals("i-web", out.only().instanceId(), "the flow out is still allowed");

        // web leaves sg-web: its way out goes with it
        forwarder.setPolicy(new VpcPolicy(List.of(new VpcPolicy.Member("i-web", WEB_MAC, ip(WEB), List.of())),
                List.of(web())));
        fromUplink("i-web", tcp(PASST_MAC, WEB_MAC, INTERNET, WEB, 80, 40000, 0x12));
        out.assertNothing();
        assertEquals(0, forwarder.trackedFlows());
    }

    @Test
    void closedAndIdleFlowsAreForgotten() {
        tcpBetween("i-web", WEB_MAC, WEB, DB_MAC, DB, 40000, 5432);
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12));
        out.only();
        now += TimeUnit.MINUTES.toNanos(119);
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x10));
        assertEquals("i-web", out.only().instanceId(), "an established flow idles for two hours");
        fromGuest("i-web", tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x11));
        out.only();
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x11));
        out.only();
        now += TimeUnit.SECONDS.toNanos(61);
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x10));
        out.assertNothing();
    }

    @Test
    void anInstanceKeepsAtMostItsBoundOfFlowsTheOldestGoingFirst() {
        for (int port = 40000; port < 40005; port++) {
            tcpBetween("i-web", WEB_MAC, WEB, DB_MAC, DB, port, 5432);
        }
        assertEquals(4, forwarder.trackedFlows());
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40000, 0x12));
        out.assertNothing();
        fromGuest("i-db", tcp(DB_MAC, WEB_MAC, DB, WEB, 5432, 40004, 0x12));
        assertEquals("i-web", out.only().instanceId());
    }

    @Test
    void malformedFramesAreDroppedWithoutThrowing() {
        byte[] good = tcp(WEB_MAC, DB_MAC, WEB, DB, 40000, 5432, 0x02);
        byte[] badIhl = good.clone();
        badIhl[14] = 0x44;
        byte[] fragment = good.clone();
        Frames.put16(fragment, 20, 0x2000);
        Frames.put16(fragment, 24, 0);
        Frames.put16(fragment, 24, Frames.checksum(fragment, 14, 20, 0));
        byte[] badChecksum = good.clone();
        badChecksum[24] ^= 1;
        for (byte[] frame : List.of(Arrays.copyOf(good, 13), Arrays.copyOf(good, 40), badIhl, fragment,
                badChecksum, Arrays.copyOf(arpRequest(WEB_MAC, WEB, DB), 30))) {
            fromGuest("i-web", frame);
            fromUplink("i-web", frame);
        }
        out.assertNothing();
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = (i % 2 == 0 ? good : VpcTestFrames.dhcp(WEB_MAC, 1, i, null, false, null)).clone();
            for (int flips = random.nextInt(4) + 1; flips > 0; flips--) {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(frame.length + 1);
            forwarder.receive("i-web", random.nextBoolean() ? Side.GUEST : Side.UPLINK, frame, 0, length, out);
        }
        assertTrue(out.sent.stream().allMatch(s -> s.frame().length >= 14));
    }
}
