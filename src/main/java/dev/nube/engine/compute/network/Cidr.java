package dev.nube.engine.compute.network;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 CIDR block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}. Parsed by hand (never through a
 * name lookup), and strictly: host bits must be zero, as a firewall rule written with them is usually a mistake.
 */
public record Cidr(byte[] network, int prefix) {
    public Cidr {
        network = network.clone();
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /** Whether {@code address} lies in this block (an IPv4 address is never in an IPv6 block and back). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes, prefix), network);
    }

    @Override
    public String toString() {
        if (!isIpv6()) {
            return (network[0] & 0xff) + "." + (network[1] & 0xff) + "." + (network[2] & 0xff) + "."
                    + (network[3] & 0xff) + "/" + prefix;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                out.append(':');
            }
            out.append(Integer.toHexString(((network[i] & 0xff) << 8) | (network[i + 1] & 0xff)));
        }
        return compressIpv6(out.toString()) + "/" + prefix;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Parses a block; throws IllegalArgumentException with a message a person can act on. */
    public static Cidr parse(String text) {
        String value = text == null ? "" : text.strip();
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + value + "' is not a CIDR block: add a prefix length, e.g. "
                    + (value.contains(":") ? value + "/128" : value + "/32") + " for one address.");
        }
        String addressText = value.substring(0, slash);
        String prefixText = value.substring(slash + 1);
        byte[] address = addressText.contains(":") ? parseIpv6(addressText) : parseIpv4(addressText);
        if (address == null) {
            throw new IllegalArgumentException("'" + addressText + "' is not a valid IPv4 or IPv6 address.");
        }
        int max = address.length * 8;
        int prefix;
        try {
            prefix = prefixText.matches("\\d{1,3}") ? Integer.parseInt(prefixText) : -1;
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("The prefix length in '" + value + "' must be a number from 0 to "
                    + max + ".");
        }
        byte[] network = mask(address, prefix);
        if (!Arrays.equals(network, address)) {
            Cidr suggestion = new Cidr(network, prefix);
            throw new IllegalArgumentException("'" + value + "' has host bits set; did you mean " + suggestion
                    + "?");
        }
        return new Cidr(network, prefix);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
                return null;
            }
            int value = Integer.parseInt(parts[i]);
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    static byte[] parseIpv6(String text) {
        if (!text.matches("[0-9a-fA-F:.]+") || text.contains(":::")) {
            return null;
        }
        byte[] tail = null;
        String groupsText = text;
        int lastColon = text.lastIndexOf(':');
        if (text.indexOf('.') >= 0) {
            tail = parseIpv4(text.substring(lastColon + 1));
            if (tail == null) {
                return null;
            }
            groupsText = text.substring(0, lastColon + 1) + "0:0";
        }
        int doubleColon = groupsText.indexOf("::");
        if (doubleColon >= 0 && groupsText.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String[] head;
        String[] rest;
        if (doubleColon >= 0) {
            head = splitGroups(groupsText.substring(0, doubleColon));
            rest = splitGroups(groupsText.substring(doubleColon + 2));
            if (head == null || rest == null || head.length + rest.length > 7) {
                return null;
            }
        } else {
            head = splitGroups(groupsText);
            rest = new String[0];
            if (head == null || head.length != 8) {
                return null;
            }
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            putGroup(out, i, head[i]);
        }
        for (int i = 0; i < rest.length; i++) {
            putGroup(out, 8 - rest.length + i, rest[i]);
        }
        if (tail != null) {
            System.arraycopy(tail, 0, out, 12, 4);
        }
        return out;
    }

    private static String[] splitGroups(String text) {
        if (text.isEmpty()) {
            return new String[0];
        }
        String[] groups = text.split(":", -1);
        for (String group : groups) {
            if (!group.matches("[0-9a-fA-F]{1,4}")) {
                return null;
            }
        }
        return groups;
    }

    private static void putGroup(byte[] out, int index, String group) {
        int value = Integer.parseInt(group, 16);
        out[index * 2] = (byte) (value >>> 8);
        out[index * 2 + 1] = (byte) value;
    }

    /** Replaces the longest run of zero groups (two or more) with {@code ::}, as RFC 5952 asks. */
    private static String compressIpv6(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String left = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String right = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return left + "::" + right;
    }
}
