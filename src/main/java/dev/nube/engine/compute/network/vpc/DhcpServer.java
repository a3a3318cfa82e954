package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.Frames.i32;
import static dev.nube.engine.compute.network.vpc.Frames.put16;
import static dev.nube.engine.compute.network.vpc.Frames.put32;
import static dev.nube.engine.compute.network.vpc.Frames.u8;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The network's DHCP server: it offers each instance the one address the policy gives it, with the subnet's mask,
 * the gateway as router, the resolver, the region's domain, a lease of an hour and the network's MTU. A request for
 * any other address is refused (NAK). Replies go where RFC 2131 section 4.1 says: to a renewing client's address,
 * broadcast when the client asks for it (or for a NAK), else to the offered address at the client's MAC.
 * <p>Threads: stateless; writes only into the array it is handed.
 */
final class DhcpServer {
    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int LEASE_SECONDS = 3600;
    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int ACK = 5;
    static final int NAK = 6;
    private static final int MAGIC_COOKIE = 0x63825363;
    private static final int FIXED = 236;
    private static final int BOOTP_MIN = 300;
    private static final int BROADCAST_FLAG = 0x8000;

    private final VpcAddressing addressing;
    private final byte[] gatewayMac;
    private final byte[] domain;

    DhcpServer(VpcAddressing addressing, String domain) {
        this.addressing = addressing;
        this.gatewayMac = Frames.parseMac(addressing.gatewayMac());
        this.domain = domain.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Answers the DHCP message {@code b[p..p+length)} that {@code member} sent, writing the whole reply frame at
     * {@code out[0..]}; returns its length, or -1 when there is nothing to answer (not a request we serve, another
     * client's hardware address, a server other than ours chosen, malformed).
     */
    int answer(byte[] b, int p, int length, VpcPolicy.Entry member, byte[] out) {
        if (length < FIXED + 4 || u8(b, p) != 1 || u8(b, p + 1) != 1 || u8(b, p + 2) != 6
                || i32(b, p + FIXED) != MAGIC_COOKIE || !Arrays.equals(b, p + 28, p + 34, member.mac(), 0, 6)) {
            return -1;
        }
        int type = -1;
        int requested = 0;
        int server = 0;
        int end = p + length;
        for (int i = p + FIXED + 4; i < end; ) {
            int code = u8(b, i);
            if (code == 255) {
                break;
            }
            if (code == 0) {
                i++;
                continue;
            }
            if (i + 1 >= end || i + 2 + u8(b, i + 1) > end) {
                return -1;
            }
            int size = u8(b, i + 1);
            if (code == 53 && size == 1) {
                type = u8(b, i + 2);
            } else if (code == 50 && size == 4) {
                requested = i32(b, i + 2);
            } else if (code == 54 && size == 4) {
                server = i32(b, i + 2);
            }
            i += 2 + size;
        }
        int ciaddr = i32(b, p + 12);
        int serverId = Frames.toInt(addressing.gateway());
        int reply;
        if (type == DISCOVER) {
            reply = OFFER;
        } else if (type == REQUEST) {
            if (server != 0 && server != serverId) {
                return -1; // the client took another server's offer
            }
            int wanted = requested != 0 ? requested : ciaddr;
            reply = wanted == member.ip() ? ACK : NAK;
        } else {
            return -1;
        }
        return write(b, p, member, reply, ciaddr, serverId, out);
    }

    private int write(byte[] b, int p, VpcPolicy.Entry member, int type, int ciaddr, int serverId, byte[] out) {
        int q = Frames.UDP_PAYLOAD;
        Arrays.fill(out, q, q + BOOTP_MIN + 64, (byte) 0);
        out[q] = 2;
        out[q + 1] = 1;
        out[q + 2] = 6;
        System.arraycopy(b, p + 4, out, q + 4, 4); // xid
        System.arraycopy(b, p + 10, out, q + 10, 2); // flags
        if (type != NAK) {
            put32(out, q + 12, ciaddr);
            put32(out, q + 16, member.ip());
        }
        System.arraycopy(b, p + 24, out, q + 24, 4); // giaddr
        System.arraycopy(b, p + 28, out, q + 28, 16); // chaddr
        put32(out, q + FIXED, MAGIC_COOKIE);
        int i = q + FIXED + 4;
        i = option(out, i, 53, type, 1);
        i = option(out, i, 54, serverId, 4);
        if (type != NAK) {
            i = option(out, i, 51, LEASE_SECONDS, 4);
            i = option(out, i, 1, addressing.maskInt(), 4);
            i = option(out, i, 3, Frames.toInt(addressing.gateway()), 4);
            i = option(out, i, 6, Frames.toInt(addressing.dns()), 4);
            out[i] = 15;
            out[i + 1] = (byte) domain.length;
            System.arraycopy(domain, 0, out, i + 2, domain.length);
            i += 2 + domain.length;
            i = option(out, i, 26, VpcAddressing.MTU, 2);
        }
        out[i++] = (byte) 255;
        int payloadLength = Math.max(i - q, BOOTP_MIN);

        boolean broadcast = type == NAK || (ciaddr == 0 && (Frames.u16(b, p + 10) & BROADCAST_FLAG) != 0);
        int destinationIp = broadcast ? -1 : ciaddr != 0 ? ciaddr : member.ip();
        byte[] destinationMac = broadcast ? Frames.BROADCAST_MAC : member.mac();
        return Frames.finishUdp(out, destinationMac, gatewayMac, serverId, destinationIp, SERVER_PORT, CLIENT_PORT,
                payloadLength);
    }

    private static int option(byte[] out, int i, int code, int value, int size) {
        out[i] = (byte) code;
        out[i + 1] = (byte) size;
        switch (size) {
            case 1 -> out[i + 2] = (byte) value;
            case 2 -> put16(out, i + 2, value);
            default -> put32(out, i + 2, value);
        }
        return i + 2 + size;
    }
}
