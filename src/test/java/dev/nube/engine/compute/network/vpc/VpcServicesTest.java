package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.DB;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.OTHER_MAC;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.WEB;
import static dev.nube.engine.compute.network.vpc.VpcForwarderTest.WEB_MAC;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.GATEWAY_MAC;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.dhcp;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.dhcpOption;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.dnsQuery;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.ip;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.mac;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.udp;
import static dev.nube.engine.compute.network.vpc.VpcTestFrames.udpPayload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nube.engine.compute.network.vpc.VpcForwarder.Side;
import dev.nube.engine.compute.network.vpc.VpcForwarderTest.Recorder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The network's DHCP server and resolver, as a guest sees them. */
class VpcServicesTest {
    VpcForwarder forwarder;
    Recorder out = new Recorder();

    @BeforeEach
    void setUp() {
        forwarder = new VpcForwarder("eu-west-1", VpcAddressing.DEFAULT, 100, System::nanoTime);
        // no rule at all: DHCP and DNS do not depend on security groups
        forwarder.setPolicy(VpcForwarderTest.policy());
    }

    void fromWeb(byte[] frame) {
        forwarder.receive("i-web", Side.GUEST, frame, 0, frame.length, out);
    }

    byte[] dhcpReply(byte[] request) {
        fromWeb(request);
        VpcForwarderTest.Sent sent = out.only();
        assertEquals("i-web", sent.instanceId());
        byte[] frame = sent.frame();
        assertEquals(0, Frames.checksum(frame, 14, 20, 0), "IP checksum");
        assertUdpChecksum(frame);
        assertEquals(67, Frames.u16(frame, 34));
        assertEquals(68, Frames.u16(frame, 36));
        return frame;
    }

    @Test
    void dhcpOffersAndAcknowledgesTheInstancesAddress() {
        byte[] offer = dhcpReply(dhcp(WEB_MAC, DhcpServer.DISCOVER, 0x1234, null, false, null));
        byte[] payload = udpPayload(offer);
        assertEquals(2, payload[0], "a reply");
        assertEquals(0x1234, Frames.i32(payload, 4));
        assertArrayEquals(ip(WEB).getAddress(), Arrays.copyOfRange(payload, 16, 20), "yiaddr");
        assertEquals(WEB_MAC, mac(payload, 28));
        assertArrayEquals(new byte[] {DhcpServer.OFFER}, dhcpOption(payload, 53));
        assertArrayEquals(ip("172.31.0.1").getAddress(), dhcpOption(payload, 54));
        assertArrayEquals(ip("255.255.240.0").getAddress(), dhcpOption(payload, 1));
        assertArrayEquals(ip("172.31.0.1").getAddress(), dhcpOption(payload, 3));
        assertArrayEquals(ip("172.31.0.2").getAddress(), dhcpOption(payload, 6));
        assertEquals("eu-west-1.compute.internal", new String(dhcpOption(payload, 15), StandardCharsets.US_ASCII));
        assertEquals(3600, Frames.i32(dhcpOption(payload, 51), 0));
        assertEquals(1500, Frames.u16(dhcpOption(payload, 26), 0));
        // without the broadcast flag: to the offered address at the client's MAC
        assertEquals(WEB_MAC, mac(offer, 0));
        assertEquals(GATEWAY_MAC, mac(offer, 6));
        assertEquals(VpcTestFrames.ipInt(WEB), Frames.ipDestination(offer, 0));
        assertEquals(VpcTestFrames.ipInt("172.31.0.1"), Frames.ipSource(offer, 0));

        byte[] ack = dhcpReply(dhcp(WEB_MAC, DhcpServer.REQUEST, 0x1235, WEB, true, null));
        assertArrayEquals(new byte[] {DhcpServer.ACK}, dhcpOption(udpPayload(ack), 53));
        assertArrayEquals(ip(WEB).getAddress(), Arrays.copyOfRange(udpPayload(ack), 16, 20));
        assertEquals("ff:ff:ff:ff:ff:ff", mac(ack, 0), "the broadcast flag is honoured");
        assertEquals(-1, Frames.ipDestination(ack, 0));

        byte[] renewal = dhcpReply(dhcp(WEB_MAC, DhcpServer.REQUEST, 0x1236, null, false, WEB));
        assertArrayEquals(new byte[] {DhcpServer.ACK}, dhcpOption(udpPayload(renewal), 53));
        assertEquals(VpcTestFrames.ipInt(WEB), Frames.ipDestination(renewal, 0));
    }

    @Test
    void dhcpRefusesAnyOtherAddress() {
        byte[] nak = dhcpReply(dhcp(WEB_MAC, DhcpServer.REQUEST, 7, "172.31.0.99", false, null));
        byte[] payload = udpPayload(nak);
        assertArrayEquals(new byte[] {DhcpServer.NAK}, dhcpOption(payload, 53));
        assertArrayEquals(new byte[4], Arrays.copyOfRange(payload, 16, 20));
        assertNull(dhcpOption(payload, 3));
        assertEquals("ff:ff:ff:ff:ff:ff", mac(nak, 0));

        fromWeb(dhcp(OTHER_MAC, DhcpServer.DISCOVER, 8, null, false, null)); // another MAC: spoofed
        out.assertNothing();
    }

    byte[] dnsReply(byte[] query) {
        fromWeb(udp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.2", 41000, 53, query));
        byte[] frame = out.only().frame();
        assertEquals(WEB_MAC, mac(frame, 0));
        assertEquals(VpcTestFrames.ipInt("172.31.0.2"), Frames.ipSource(frame, 0));
        assertEquals(53, Frames.u16(frame, 34));
        assertEquals(41000, Frames.u16(frame, 36));
        assertUdpChecksum(frame);
        return udpPayload(frame);
    }

    @Test
    void theResolverAnswersForInstances() {
        byte[] answer = dnsReply(dnsQuery(0x4242, "IP-172-31-0-11.eu-west-1.compute.internal", 1));
        assertEquals(0x4242, Frames.u16(answer, 0));
        assertEquals(0x85, answer[2] & 0xff, "response, authoritative, recursion desired");
        assertEquals(0, answer[3] & 0x0f, "NOERROR");
        assertEquals(1, Frames.u16(answer, 6), "one answer");
        byte[] tail = Arrays.copyOfRange(answer, answer.length - 16, answer.length);
        ByteBuffer expected = ByteBuffer.allocate(16).putShort((short) 0xc00c).putShort((short) 1)
                .putShort((short) 1).putInt(60).putShort((short) 4).put(ip(DB).getAddress());
        assertArrayEquals(expected.array(), tail);

        byte[] missing = dnsReply(dnsQuery(1, "ip-172-31-0-99.eu-west-1.compute.internal", 1));
        assertEquals(3, missing[3] & 0x0f, "NXDOMAIN");
        assertEquals(0, Frames.u16(missing, 6));

        byte[] reverse = dnsReply(dnsQuery(2, "11.0.31.172.in-addr.arpa", 12));
        assertEquals(1, Frames.u16(reverse, 6));
        String target = "ip-172-31-0-11.eu-west-1.compute.internal";
        int rdlength = Frames.u16(reverse, reverse.length - target.length() - 4);
        assertEquals(target.length() + 2, rdlength);
        assertEquals(target, labels(reverse, reverse.length - rdlength));

        byte[] noV6 = dnsReply(dnsQuery(3, "ip-172-31-0-11.eu-west-1.compute.internal", 28));
        assertEquals(0, noV6[3] & 0x0f, "the name exists");
        assertEquals(0, Frames.u16(noV6, 6), "without an AAAA record");
        assertEquals(List.of(), out.relayed);
    }

    @Test
    void otherNamesAreRelayedAndTheirAnswersReturned() {
        byte[] query = dnsQuery(9, "example.com", 1);
        fromWeb(udp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.2", 41001, 53, query));
        out.assertNothing();
        assertEquals(1, out.relayed.size());
        assertArrayEquals(query, out.relayed.get(0));
        fromWeb(udp(WEB_MAC, GATEWAY_MAC, WEB, "172.31.0.2", 41001, 53, dnsQuery(10, "8.8.8.8.in-addr.arpa", 12)));
        assertEquals(2, out.relayed.size(), "a reverse name outside the network");

        byte[] upstream = query.clone();
        upstream[2] = (byte) 0x81;
        upstream[3] = (byte) 0x80;
        forwarder.dnsAnswer("i-web", 41001, query, upstream, out);
        byte[] frame = out.only().frame();
        assertEquals(41001, Frames.u16(frame, 36));
        assertArrayEquals(upstream, udpPayload(frame));

        forwarder.dnsAnswer("i-web", 41001, query, null, out);
        assertEquals(2, udpPayload(out.only().frame())[3] & 0x0f, "SERVFAIL when no resolver answered");
    }

    /** The uncompressed name at {@code b[i..]}, dotted. */
    static String labels(byte[] b, int i) {
        StringBuilder name = new StringBuilder();
        for (int length = b[i]; length != 0; i += length + 1, length = b[i]) {
            name.append(name.length() == 0 ? "" : ".").append(new String(b, i + 1, length, StandardCharsets.US_ASCII));
        }
        return name.toString();
    }

    static void assertUdpChecksum(byte[] frame) {
        int udpLength = Frames.u16(frame, 38);
        int pseudo = 0;
        for (int i = 26; i < 34; i += 2) {
            pseudo += Frames.u16(frame, i);
        }
        pseudo += 17 + udpLength;
        assertEquals(0, Frames.checksum(frame, 34, udpLength, pseudo), "UDP checksum");
    }
}
