package dev.nube.engine.compute.network.vpc;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;

/**
 * Reading and writing the headers the private network looks at: Ethernet II, ARP, IPv4, UDP, TCP and ICMP. A frame
 * is a region of a byte array (no FCS), {@code f} its first byte; every offset below is relative to it. Readers
 * assume the caller checked the length the header needs ({@link #ipv4HeaderLength} does it for IPv4 and what
 * follows), so nothing here throws on a frame that was checked first.
 * <p>Threads: stateless.
 */
final class Frames {
    static final int ETHERNET_HEADER = 14;
    static final int MIN_FRAME = 60;
    /** A frame longer than this is refused: enough for any MTU a guest or an uplink may use. */
    static final int MAX_FRAME = 65_535 + ETHERNET_HEADER;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int IP = ETHERNET_HEADER;
    static final int UDP_PAYLOAD = IP + 20 + 8;
    static final int ICMP_ECHO_REPLY = 0;
    static final int ICMP_ECHO_REQUEST = 8;
    static final int TCP_FIN = 0x01;
    static final int TCP_RST = 0x04;
    static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};

    private Frames() {
    }

    static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    static int i32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    static void put16(byte[] b, int i, int value) {
        b[i] = (byte) (value >>> 8);
        b[i + 1] = (byte) value;
    }

    static void put32(byte[] b, int i, int value) {
        b[i] = (byte) (value >>> 24);
        b[i + 1] = (byte) (value >>> 16);
        b[i + 2] = (byte) (value >>> 8);
        b[i + 3] = (byte) value;
    }

    // --- addresses

    static byte[] parseMac(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("Not a MAC address: " + text);
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (!parts[i].matches("[0-9a-fA-F]{2}")) {
                throw new IllegalArgumentException("Not a MAC address: " + text);
            }
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    static String formatMac(byte[] b, int i) {
        return HexFormat.ofDelimiter(":").formatHex(b, i, i + 6);
    }

    static int toInt(Inet4Address address) {
        return toInt(address.getAddress());
    }

    static int toInt(byte[] address) {
        return i32(address, 0);
    }

    static Inet4Address inet(int address) {
        byte[] bytes = new byte[4];
        put32(bytes, 0, address);
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    static String dotted(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    // --- Ethernet

    static int etherType(byte[] b, int f) {
        return u16(b, f + 12);
    }

    static boolean sourceIs(byte[] b, int f, byte[] mac) {
        return java.util.Arrays.equals(b, f + 6, f + 12, mac, 0, 6);
    }

    /** Broadcast or multicast destination (the group bit of the first byte). */
    static boolean toGroup(byte[] b, int f) {
        return (b[f] & 1) != 0;
    }

    static void setMacs(byte[] b, int f, byte[] destination, byte[] source) {
        System.arraycopy(destination, 0, b, f, 6);
        System.arraycopy(source, 0, b, f + 6, 6);
    }

    // --- ARP (Ethernet and IPv4 only)

    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;

    /** The ARP operation, or -1 when this is not a whole Ethernet/IPv4 ARP packet. */
    static int arpOperation(byte[] b, int f, int length) {
        if (length < ETHERNET_HEADER + 28 || u16(b, f + 14) != 1 || u16(b, f + 16) != ETHERTYPE_IPV4
                || u8(b, f + 18) != 6 || u8(b, f + 19) != 4) {
            return -1;
        }
        return u16(b, f + 20);
    }

    static int arpSenderIp(byte[] b, int f) {
        return i32(b, f + 28);
    }

    static int arpTargetIp(byte[] b, int f) {
        return i32(b, f + 38);
    }

    static boolean arpSenderIs(byte[] b, int f, byte[] mac) {
        return java.util.Arrays.equals(b, f + 22, f + 28, mac, 0, 6);
    }

    /** Writes at {@code out[0..]} the reply telling {@code requesterMac/Ip} that {@code ip} is at {@code mac}. */
    static int writeArpReply(byte[] out, byte[] requesterMac, int requesterIp, byte[] mac, int ip) {
        java.util.Arrays.fill(out, 0, MIN_FRAME, (byte) 0);
        setMacs(out, 0, requesterMac, mac);
        put16(out, 12, ETHERTYPE_ARP);
        put16(out, 14, 1);
        put16(out, 16, ETHERTYPE_IPV4);
        out[18] = 6;
        out[19] = 4;
        put16(out, 20, ARP_REPLY);
        System.arraycopy(mac, 0, out, 22, 6);
        put32(out, 28, ip);
        System.arraycopy(requesterMac, 0, out, 32, 6);
        put32(out, 38, requesterIp);
        return MIN_FRAME;
    }

    // --- IPv4

    /**
     * The IPv4 header's length when the frame holds one whole, valid, unfragmented IPv4 packet whose transport
     * header (TCP 20, UDP 8, ICMP 8 bytes) is complete too; -1 otherwise. Fragments are refused: the network has one
     * MTU, and a fragment carries no ports to judge it by.
     */
    static int ipv4HeaderLength(byte[] b, int f, int length) {
        if (length < IP + 20 || u8(b, f + IP) >>> 4 != 4) {
            return -1;
        }
        int headerLength = (u8(b, f + IP) & 0x0f) * 4;
        int total = u16(b, f + IP + 2);
        if (headerLength < 20 || total < headerLength || total > length - IP) {
            return -1;
        }
        if ((u16(b, f + IP + 6) & 0x3fff) != 0) { // more fragments, or an offset
            return -1;
        }
        if (checksum(b, f + IP, headerLength, 0) != 0) {
            return -1;
        }
        int transport = switch (u8(b, f + IP + 9)) {
            case PROTO_TCP -> 20;
            case PROTO_UDP, PROTO_ICMP -> 8;
            default -> 0;
        };
        if (total - headerLength < transport) {
            return -1;
        }
        if (u8(b, f + IP + 9) == PROTO_TCP && (u8(b, f + IP + headerLength + 12) >>> 4) * 4 < 20) {
            return -1;
        }
        if (u8(b, f + IP + 9) == PROTO_UDP) {
            int udpLength = u16(b, f + IP + headerLength + 4);
            if (udpLength < 8 || udpLength > total - headerLength) {
                return -1;
            }
        }
        return headerLength;
    }

    static int ipTotalLength(byte[] b, int f) {
        return u16(b, f + IP + 2);
    }

    static int ipProtocol(byte[] b, int f) {
        return u8(b, f + IP + 9);
    }

    static int ipSource(byte[] b, int f) {
        return i32(b, f + IP + 12);
    }

    static int ipDestination(byte[] b, int f) {
        return i32(b, f + IP + 16);
    }

    /** Writes a 20-byte IPv4 header at {@code b[i..]} (TTL 64, don't fragment) with its checksum. */
    static void writeIpv4Header(byte[] b, int i, int totalLength, int protocol, int source, int destination) {
        b[i] = 0x45;
        b[i + 1] = 0;
        put16(b, i + 2, totalLength);
        put32(b, i + 4, 0x4000); // id 0, don't fragment
        b[i + 8] = 64;
        b[i + 9] = (byte) protocol;
        put16(b, i + 10, 0);
        put32(b, i + 12, source);
        put32(b, i + 16, destination);
        put16(b, i + 10, checksum(b, i, 20, 0));
    }

    // --- transport

    static int sourcePort(byte[] b, int f, int headerLength) {
        return u16(b, f + IP + headerLength);
    }

    static int destinationPort(byte[] b, int f, int headerLength) {
        return u16(b, f + IP + headerLength + 2);
    }

    static int tcpFlags(byte[] b, int f, int headerLength) {
        return u8(b, f + IP + headerLength + 13);
    }

    static int icmpType(byte[] b, int f, int headerLength) {
        return u8(b, f + IP + headerLength);
    }

    static int icmpCode(byte[] b, int f, int headerLength) {
        return u8(b, f + IP + headerLength + 1);
    }

    static int icmpEchoId(byte[] b, int f, int headerLength) {
        return u16(b, f + IP + headerLength + 4);
    }

    /** The UDP payload's offset in the array and its length, packed as {@code offset << 32 | length}. */
    static long udpPayload(byte[] b, int f, int headerLength) {
        int udp = f + IP + headerLength;
        return ((long) (udp + 8) << 32) | (u16(b, udp + 4) - 8);
    }

    /**
     * Writes the Ethernet, IPv4 and UDP headers in front of a payload already at {@code out[UDP_PAYLOAD..]}, with both
     * checksums, and returns the frame's length (padded to the Ethernet minimum).
     */
    static int finishUdp(byte[] out, byte[] destinationMac, byte[] sourceMac, int sourceIp, int destinationIp,
                         int sourcePort, int destinationPort, int payloadLength) {
        setMacs(out, 0, destinationMac, sourceMac);
        put16(out, 12, ETHERTYPE_IPV4);
        int udpLength = 8 + payloadLength;
        writeIpv4Header(out, IP, 20 + udpLength, PROTO_UDP, sourceIp, destinationIp);
        int udp = IP + 20;
        put16(out, udp, sourcePort);
        put16(out, udp + 2, destinationPort);
        put16(out, udp + 4, udpLength);
        put16(out, udp + 6, 0);
        int pseudo = (sourceIp >>> 16) + (sourceIp & 0xffff) + (destinationIp >>> 16) + (destinationIp & 0xffff)
                + PROTO_UDP + udpLength;
        int sum = checksum(out, udp, udpLength, pseudo);
        put16(out, udp + 6, sum == 0 ? 0xffff : sum);
        int length = udp + udpLength;
        if (length < MIN_FRAME) {
            java.util.Arrays.fill(out, length, MIN_FRAME, (byte) 0);
            return MIN_FRAME;
        }
        return length;
    }

    /**
     * Turns the ICMP echo request in {@code b[f..]} into its reply in place: addresses swapped, type 0, checksums
     * recomputed. The MACs are the caller's to set.
     */
    static void turnIntoEchoReply(byte[] b, int f, int headerLength) {
        int source = ipSource(b, f);
        int destination = ipDestination(b, f);
        put32(b, f + IP + 12, destination);
        put32(b, f + IP + 16, source);
        put16(b, f + IP + 10, 0);
        put16(b, f + IP + 10, checksum(b, f + IP, headerLength, 0));
        int icmp = f + IP + headerLength;
        int icmpLength = ipTotalLength(b, f) - headerLength;
        b[icmp] = ICMP_ECHO_REPLY;
        put16(b, icmp + 2, 0);
        put16(b, icmp + 2, checksum(b, icmp, icmpLength, 0));
    }

    /** The Internet checksum of {@code b[i..i+length)}, {@code initial} added first (a pseudo-header's sum). */
    static int checksum(byte[] b, int i, int length, int initial) {
        long sum = initial & 0xffffffffL;
        int end = i + length - 1;
        for (; i < end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i == end) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
