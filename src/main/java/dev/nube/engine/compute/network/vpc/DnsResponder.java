package dev.nube.engine.compute.network.vpc;

import static dev.nube.engine.compute.network.vpc.Frames.put16;
import static dev.nube.engine.compute.network.vpc.Frames.put32;
import static dev.nube.engine.compute.network.vpc.Frames.u16;
import static dev.nube.engine.compute.network.vpc.Frames.u8;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The network resolver's own answers: the A record of {@code ip-a-b-c-d.<domain>} and the PTR record of
 * {@code d.c.b.a.in-addr.arpa} for the instances on the network. A name in the domain, or a reverse name in the
 * subnet, that belongs to no instance gets NXDOMAIN; every other query is left to the upstream resolvers.
 * <p>Threads: stateless; writes only into the array it is handed.
 */
final class DnsResponder {
    static final int PORT = 53;
    /** {@link #answer}'s result for a query that goes upstream. */
    static final int RELAY = -1;
    /** {@link #answer}'s result for a message that is not a query we can read. */
    static final int DROP = -2;
    static final int TTL_SECONDS = 60;
    static final int NOERROR = 0;
    static final int FORMERR = 1;
    static final int SERVFAIL = 2;
    static final int NXDOMAIN = 3;
    private static final int TYPE_A = 1;
    private static final int TYPE_PTR = 12;
    private static final int TYPE_ANY = 255;
    private static final int HEADER = 12;
    private static final String REVERSE = ".in-addr.arpa";

    private final VpcAddressing addressing;
    private final String domain;

    DnsResponder(VpcAddressing addressing, String domain) {
        this.addressing = addressing;
        this.domain = domain.toLowerCase(Locale.ROOT);
    }

    /**
     * Answers the query {@code b[p..p+length)} when it is ours, writing the response at {@code out[o..]} and
     * returning its length; {@link #RELAY} when it should go upstream; {@link #DROP} when it is not a query.
     */
    int answer(VpcPolicy policy, byte[] b, int p, int length, byte[] out, int o) {
        int questionEnd = questionEnd(b, p, length);
        if (questionEnd < 0) {
            return DROP;
        }
        String name = name(b, p + HEADER);
        int type = u16(b, questionEnd - 4);
        int dnsClass = u16(b, questionEnd - 2);
        if (dnsClass != 1) {
            return RELAY;
        }
        if (name.endsWith(REVERSE)) {
            int address = reverseAddress(name);
            if (address == 0 || !addressing.containsInt(address)) {
                return RELAY;
            }
            VpcPolicy.Entry member = policy.byIp(address);
            if (member == null) {
                return respond(b, p, questionEnd, NXDOMAIN, out, o);
            }
            if (type != TYPE_PTR && type != TYPE_ANY) {
                return respond(b, p, questionEnd, NOERROR, out, o);
            }
            int i = respond(b, p, questionEnd, NOERROR, out, o);
            String target = VpcAddressing.hostName(member.member().ip()) + "." + domain;
            int answer = o + i;
            int rdata = record(out, answer, TYPE_PTR);
            int end = writeName(out, rdata + 2, target);
            put16(out, rdata, end - rdata - 2);
            put16(out, o + 6, 1);
            return end - o;
        }
        if (!name.equals(domain) && !name.endsWith("." + domain)) {
            return RELAY;
        }
        VpcPolicy.Entry member = policy.byIp(hostAddress(name));
        if (member == null) {
            return respond(b, p, questionEnd, name.equals(domain) ? NOERROR : NXDOMAIN, out, o);
        }
        int i = respond(b, p, questionEnd, NOERROR, out, o);
        if (type != TYPE_A && type != TYPE_ANY) {
            return i; // the name exists, without a record of that type
        }
        int rdata = record(out, o + i, TYPE_A);
        put16(out, rdata, 4);
        put32(out, rdata + 2, member.ip());
        put16(out, o + 6, 1);
        return rdata + 6 - o;
    }

    /** Writes at {@code out[o..]} a response with {@code rcode} and no answer to the query; -1 when unreadable. */
    int fail(byte[] b, int p, int length, int rcode, byte[] out, int o) {
        int questionEnd = questionEnd(b, p, length);
        return questionEnd < 0 ? -1 : respond(b, p, questionEnd, rcode, out, o);
    }

    /** The offset just past the one question of a standard query, or -1 when the message is not one. */
    static int questionEnd(byte[] b, int p, int length) {
        if (length < HEADER + 5 || (u8(b, p + 2) & 0xf8) != 0 || u16(b, p + 4) != 1) { // a query, opcode 0
            return -1;
        }
        int i = p + HEADER;
        int end = p + length;
        int nameLength = 0;
        while (true) {
            if (i >= end) {
                return -1;
            }
            int label = u8(b, i);
            if (label == 0) {
                break;
            }
            if (label > 63 || (nameLength += label + 1) > 254) { // compression has no place in a question
                return -1;
            }
            i += label + 1;
        }
        return i + 5 <= end ? i + 5 : -1;
    }

    private static int respond(byte[] b, int p, int questionEnd, int rcode, byte[] out, int o) {
        int length = questionEnd - p;
        System.arraycopy(b, p, out, o, length);
        int recursionDesired = u8(b, p + 2) & 0x01;
        out[o + 2] = (byte) (0x80 | 0x04 | recursionDesired); // a response, authoritative
        out[o + 3] = (byte) (0x80 | rcode); // recursion available
        put16(out, o + 6, 0);
        put16(out, o + 8, 0);
        put16(out, o + 10, 0);
        return length;
    }

    /** Writes an answer's name (a pointer to the question), type, class, TTL; returns where its RDLENGTH goes. */
    private static int record(byte[] out, int i, int type) {
        put16(out, i, 0xc000 | HEADER);
        put16(out, i + 2, type);
        put16(out, i + 4, 1);
        put32(out, i + 6, TTL_SECONDS);
        return i + 10;
    }

    private static int writeName(byte[] out, int i, String name) {
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out[i++] = (byte) bytes.length;
            System.arraycopy(bytes, 0, out, i, bytes.length);
            i += bytes.length;
        }
        out[i++] = 0;
        return i;
    }

    private static String name(byte[] b, int i) {
        StringBuilder name = new StringBuilder();
        for (int label = u8(b, i); label != 0; label = u8(b, i)) {
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(b, i + 1, label, StandardCharsets.ISO_8859_1));
            i += label + 1;
        }
        return name.toString().toLowerCase(Locale.ROOT);
    }

    /** The address {@code ip-a-b-c-d.<domain>} names, 0 when the name is not of that form. */
    private int hostAddress(String name) {
        String host = name.length() > domain.length() ? name.substring(0, name.length() - domain.length() - 1) : "";
        if (!host.startsWith("ip-")) {
            return 0;
        }
        byte[] address = octets(host.substring(3).split("-", -1), false);
        return address == null ? 0 : Frames.toInt(address);
    }

    /** The address {@code d.c.b.a.in-addr.arpa} names, 0 when it names no single address. */
    private static int reverseAddress(String name) {
        byte[] address = octets(name.substring(0, name.length() - REVERSE.length()).split("\\.", -1), true);
        return address == null ? 0 : Frames.toInt(address);
    }

    private static byte[] octets(String[] parts, boolean reversed) {
        if (parts.length != 4) {
            return null;
        }
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[reversed ? 3 - i : i];
            if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) {
                return null;
            }
            address[i] = (byte) Integer.parseInt(part);
        }
        return address;
    }
}
