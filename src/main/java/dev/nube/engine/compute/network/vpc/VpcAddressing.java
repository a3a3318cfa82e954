package dev.nube.engine.compute.network.vpc;

import dev.nube.engine.compute.network.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The addresses of a region's private network, laid out as EC2's default VPC: one subnet, its first address the
 * gateway, its second the DNS resolver, the third reserved, instances from the fourth up, the last the broadcast
 * address. The gateway and the resolver answer with one fixed MAC that no guest can hold (locally administered).
 */
public record VpcAddressing(Cidr cidr, Inet4Address gateway, Inet4Address dns, String gatewayMac) {
    /** EC2's default VPC: 172.31.0.0/20, gateway 172.31.0.1, resolver 172.31.0.2. */
    public static final VpcAddressing DEFAULT = new VpcAddressing(Cidr.parse("172.31.0.0/20"),
            address(172, 31, 0, 1), address(172, 31, 0, 2), "02:4e:75:62:65:01");
    /** The MTU guests are told to use. */
    public static final int MTU = 1500;
    private static final int FIRST_INSTANCE_OFFSET = 4;

    public VpcAddressing {
        if (cidr.isIpv6() || cidr.prefix() > 28) {
            throw new IllegalArgumentException("A VPC subnet is an IPv4 block of at least 16 addresses: " + cidr);
        }
        if (!cidr.contains(gateway) || !cidr.contains(dns)) {
            throw new IllegalArgumentException("The gateway and the resolver lie in " + cidr);
        }
        Frames.parseMac(gatewayMac); // refuses a malformed one
    }

    public Inet4Address network() {
        return Frames.inet(networkInt());
    }

    public Inet4Address netmask() {
        return Frames.inet(maskInt());
    }

    public Inet4Address broadcast() {
        return Frames.inet(networkInt() | ~maskInt());
    }

    /** The domain guests search: {@code ec2.internal} in us-east-1, {@code <region>.compute.internal} elsewhere. */
    public static String domain(String region) {
        return "us-east-1".equals(region) ? "ec2.internal" : region + ".compute.internal";
    }

    /** An instance's private DNS name, e.g. {@code ip-172-31-0-10.eu-west-1.compute.internal}. */
    public static String privateDnsName(Inet4Address address, String region) {
        return hostName(address) + "." + domain(region);
    }

    /** The first label of a private DNS name, e.g. {@code ip-172-31-0-10}. */
    public static String hostName(Inet4Address address) {
        return "ip-" + address.getHostAddress().replace('.', '-');
    }

    /**
     * The lowest address an instance can be given that is not in {@code taken}: never the network address, the
     * gateway, the resolver, the reserved third address nor the broadcast address. Empty when the subnet is full.
     */
    public Optional<Inet4Address> lowestFree(Collection<? extends InetAddress> taken) {
        Set<Integer> used = new HashSet<>();
        for (InetAddress address : taken) {
            if (address instanceof Inet4Address v4) {
                used.add(Frames.toInt(v4));
            }
        }
        int last = networkInt() | ~maskInt();
        for (int candidate = networkInt() + FIRST_INSTANCE_OFFSET; candidate != last; candidate++) {
            if (!used.contains(candidate)) {
                return Optional.of(Frames.inet(candidate));
            }
        }
        return Optional.empty();
    }

    int networkInt() {
        return Frames.toInt(cidr.network());
    }

    int maskInt() {
        return cidr.prefix() == 0 ? 0 : -1 << (32 - cidr.prefix());
    }

    boolean containsInt(int address) {
        return (address & maskInt()) == networkInt();
    }

    private static Inet4Address address(int a, int b, int c, int d) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
