package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public IPv4 addresses of this host's cloud: one pool ({@link PublicNetworkSettings#pool()}) for every region,
 * since all regions share one machine. An address is given to one holder at a time: a running instance (its public
 * IP, given at start and returned at stop) or an Elastic IP. Allocation takes the lowest free address; the pool's
 * first address (its network address) and last one (its broadcast address) are never given, so a /30 gives 2.
 *
 * <p>Instances' addresses are held in memory only: after a restart the instances engine {@link #claim claims} again
 * the address it stored for each instance still running. Elastic IPs' addresses are read from their documents
 * ({@link #setReserved}), so they stay taken across restarts. An address outside the current pool (the pool was
 * changed) stays taken by its holder until it is returned.
 *
 * <p>Thread-safe: every call is serialised on this object. The reserved addresses are read under that lock, so their
 * source must not call back into the pool while holding a lock of its own that a pool caller might hold.
 */
public final class AddressPool {
    /** Addresses held by documents outside the pool's memory: the Elastic IPs of every region. */
    public interface Reserved {
        /** Every such address, as text ({@code 127.100.0.7}); unparsable entries are ignored. */
        Collection<String> addresses();
    }

    private final PublicNetworkSettings settings;
    /** Address (as an int) to holder: what this engine gave since it opened. */
    private final Map<Integer, String> held = new HashMap<>();
    private Reserved reserved = List::of;

    public AddressPool(PublicNetworkSettings settings) {
        this.settings = settings;
    }

    /** The pool new addresses come from. */
    public Cidr block() {
        return settings.pool();
    }

    /** Tells the pool where the addresses held by documents are (the Elastic IPs). */
    public synchronized void setReserved(Reserved reserved) {
        this.reserved = reserved;
    }

    /**
     * The lowest free address of the pool, now held by {@code holder} (an instance id or an allocation id). Throws
     * {@code InsufficientAddressCapacity} when every address is taken.
     */
    public synchronized Inet4Address allocate(String holder) {
        Cidr block = settings.pool();
        Set<Integer> taken = taken();
        taken.addAll(HostSockets.boundIpv4()); // another Nube (data folder, user) may listen on pool addresses too
        int network = toInt(block.network());
        long size = 1L << (32 - block.prefix());
        // Skips the network address (first) and the broadcast address (last).
        for (long offset = 1; offset < size - 1; offset++) {
            int candidate = network + (int) offset;
            if (!taken.contains(candidate)) {
                held.put(candidate, holder);
                return toAddress(candidate);
            }
        }
        throw new EngineException("InsufficientAddressCapacity", "Every address of the public address pool " + block
                + " is in use (" + (size - 2) + " addresses, by running instances and Elastic IPs). Release an Elastic"
                + " IP, stop an instance, or choose a larger pool in the settings.");
    }

    /**
     * Takes {@code address} for {@code holder} again, as after a restart; true when it is now held by {@code holder},
     * false when another holder has it (the caller then allocates a new one).
     */
    public synchronized boolean claim(String holder, Inet4Address address) {
        int value = toInt(address.getAddress());
        String current = held.get(value);
        if (current != null) {
            return current.equals(holder);
        }
        if (taken().contains(value) || HostSockets.boundIpv4().contains(value)) {
            return false;
        }
        held.put(value, holder);
        return true;
    }

    /** Returns {@code address}; ignored unless {@code holder} holds it (a late return never frees another's). */
    public synchronized void release(String holder, Inet4Address address) {
        held.remove(toInt(address.getAddress()), holder);
    }

    /** Who holds {@code address} by this pool's memory, if anyone (Elastic IPs read from documents are not named). */
    public synchronized Optional<String> holderOf(Inet4Address address) {
        return Optional.ofNullable(held.get(toInt(address.getAddress())));
    }

    /** Whether {@code address} is taken, by this pool's memory or by a document. */
    public synchronized boolean isTaken(Inet4Address address) {
        return taken().contains(toInt(address.getAddress()));
    }

    private Set<Integer> taken() {
        Set<Integer> taken = new HashSet<>(held.keySet());
        for (String text : reserved.addresses()) {
            byte[] bytes = parse(text);
            if (bytes != null) {
                taken.add(toInt(bytes));
            }
        }
        return taken;
    }

    /** {@code text} as an IPv4 address, parsed without any name lookup; throws {@code InvalidParameterValue}. */
    public static Inet4Address parseAddress(String text) {
        byte[] bytes = parse(text);
        if (bytes == null) {
            throw EngineException.invalid("'" + text + "' is not an IPv4 address.");
        }
        return toAddress(toInt(bytes));
    }

    private static byte[] parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            Cidr single = Cidr.parse(text + "/32");
            return single.isIpv6() ? null : single.network();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static int toInt(byte[] bytes) {
        return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    }

    static Inet4Address toAddress(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }
}
