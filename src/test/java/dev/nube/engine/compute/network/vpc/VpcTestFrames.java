package dev.nube.engine.compute.network.vpc;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Frames written byte by byte as a guest's kernel would, for the private network's tests. */
final class VpcTestFrames {
    static final String GATEWAY_MAC = VpcAddressing.DEFAULT.gatewayMac();

    private VpcTestFrames() {
    }

    static Inet4Address ip(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static int ipInt(String text) {
        return Frames.toInt(ip(text));
    }

    static byte[] ethernet(String destinationMac, String sourceMac, int etherType, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(Math.max(60, 14 + payload.length));
        frame.put(Frames.parseMac(destinationMac)).put(Frames.parseMac(sourceMac)).putShort((short) etherType)
                .put(payload);
        return frame.array();
    }

    static byte[] arpRequest(String senderMac, String senderIp, String targetIp) {
        ByteBuffer arp = ByteBuffer.allocate(28);
        arp.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(Frames.parseMac(senderMac)).put(ip(senderIp).getAddress()).put(new byte[6])
                .put(ip(targetIp).getAddress());
        return ethernet("ff:ff:ff:ff:ff:ff", senderMac, 0x0806, arp.array());
    }

    static byte[] ipv4(String sourceMac, String destinationMac, String source, String destination, int protocol,
                       byte[] transport) {
        ByteBuffer packet = ByteBuffer.allocate(20 + transport.length);
        packet.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transport.length)).putShort((short) 7)
                .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(ip(source).getAddress()).put(ip(destination).getAddress()).put(transport);
        byte[] bytes = packet.array();
        Frames.put16(bytes, 10, Frames.checksum(bytes, 0, 20, 0));
        return ethernet(destinationMac, sourceMac, 0x0800, bytes);
    }

    static byte[] tcp(String sourceMac, String destinationMac, String source, String destination, int sourcePort,
                      int destinationPort, int flags) {
        ByteBuffer segment = ByteBuffer.allocate(20);
        segment.putShort((short) sourcePort).putShort((short) destinationPort).putInt(1).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0);
        return ipv4(sourceMac, destinationMac, source, destination, 6, segment.array());
    }

    static byte[] udp(String sourceMac, String destinationMac, String source, String destination, int sourcePort,
                      int destinationPort, byte[] payload) {
        ByteBuffer datagram = ByteBuffer.allocate(8 + payload.length);
        datagram.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        return ipv4(sourceMac, destinationMac, source, destination, 17, datagram.array());
    }

    static byte[] icmpEcho(String sourceMac, String destinationMac, String source, String destination, int type,
                           int id) {
        byte[] message = new byte[16];
        message[0] = (byte) type;
        Frames.put16(message, 4, id);
        Frames.put16(message, 6, 1);
        System.arraycopy("pingpong".getBytes(StandardCharsets.US_ASCII), 0, message, 8, 8);
        Frames.put16(message, 2, Frames.checksum(message, 0, 16, 0));
        return ipv4(sourceMac, destinationMac, source, destination, 1, message);
    }

    /** A DHCP message of {@code type} (option 53) from {@code mac}, requesting {@code requested} when not null. */
    static byte[] dhcp(String mac, int type, int xid, String requested, boolean broadcast, String ciaddr) {
        ByteBuffer message = ByteBuffer.allocate(300);
        message.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) (broadcast ? 0x8000 : 0)).put(ip(ciaddr == null ? "0.0.0.0" : ciaddr).getAddress())
                .put(new byte[12]).put(Frames.parseMac(mac)).put(new byte[10 + 64 + 128]).putInt(0x63825363)
                .put((byte) 53).put((byte) 1).put((byte) type);
        if (requested != null) {
            message.put((byte) 50).put((byte) 4).put(ip(requested).getAddress());
        }
        message.put((byte) 255);
        return udp(mac, "ff:ff:ff:ff:ff:ff", ciaddr == null ? "0.0.0.0" : ciaddr,
                ciaddr == null ? "255.255.255.255" : "172.31.0.1", 68, 67, message.array());
    }

    static byte[] dnsQuery(int id, String name, int type) {
        ByteArrayOutputStream query = new ByteArrayOutputStream();
        query.writeBytes(new byte[] {(byte) (id >>> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            query.write(label.length());
            query.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        query.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return query.toByteArray();
    }

    /** The UDP payload of an IPv4 frame. */
    static byte[] udpPayload(byte[] frame) {
        int headerLength = (frame[14] & 0x0f) * 4;
        int udp = 14 + headerLength;
        int length = Frames.u16(frame, udp + 4) - 8;
        return java.util.Arrays.copyOfRange(frame, udp + 8, udp + 8 + length);
    }

    /** The value of DHCP option {@code code} in a reply's UDP payload, or null. */
    static byte[] dhcpOption(byte[] payload, int code) {
        for (int i = 240; i < payload.length && (payload[i] & 0xff) != 255; ) {
            if (payload[i] == 0) {
                i++;
                continue;
            }
            int size = payload[i + 1] & 0xff;
            if ((payload[i] & 0xff) == code) {
                return java.util.Arrays.copyOfRange(payload, i + 2, i + 2 + size);
            }
            i += 2 + size;
        }
        return null;
    }

    static String mac(byte[] frame, int offset) {
        return Frames.formatMac(frame, offset);
    }
}
