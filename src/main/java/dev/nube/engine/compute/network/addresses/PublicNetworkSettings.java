package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.Cidr;
import dev.nube.engine.store.SettingsFile;
import dev.nube.engine.store.UnreadableDocumentException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engine-wide settings of public addresses, kept in the data folder's {@code config/network.json}:
 * <pre>{@code
 * {
 *   "schemaVersion" : 1,
 *   "publicAddressPool" : "127.100.0.0/16",
 *   "elasticIpsPerRegion" : 5,
 *   "lanRegions" : [ "local-1" ]
 * }
 * }</pre>
 * A missing file or field means its default. An unreadable file is left as it is (for the person to repair) and the
 * defaults are used; the next change rewrites it. Thread-safe: reads see the last saved value, changes are serialised
 * on this object and saved before they apply.
 */
public final class PublicNetworkSettings {
    private static final System.Logger LOG = System.getLogger(PublicNetworkSettings.class.getName());
    public static final String DEFAULT_POOL = "127.100.0.0/16";
    public static final int DEFAULT_ELASTIC_IPS_PER_REGION = 5;
    public static final int MAX_ELASTIC_IPS_PER_REGION = 1000;

    /** The blocks a pool may lie in: loopback (this machine only, no setup) and the private ranges of RFC 1918. */
    static final List<Cidr> ALLOWED_RANGES = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("10.0.0.0/8"),
            Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"));
    static final String ACCEPTED = "an IPv4 CIDR block from /8 to /30 within 127.0.0.0/8 (reachable from this"
            + " machine only) or a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), not holding 127.0.0.1,"
            + " e.g. " + DEFAULT_POOL;

    /** The document; null fields read as their defaults. */
    record Document(String publicAddressPool, Integer elasticIpsPerRegion, List<String> lanRegions) {
        Document {
            publicAddressPool = publicAddressPool == null ? DEFAULT_POOL : publicAddressPool;
            elasticIpsPerRegion = elasticIpsPerRegion == null ? DEFAULT_ELASTIC_IPS_PER_REGION : elasticIpsPerRegion;
            lanRegions = lanRegions == null ? List.of() : List.copyOf(new TreeSet<>(lanRegions));
        }
    }

    private final SettingsFile file;
    private volatile Document current;
    private volatile Cidr pool;

    /** The settings in {@code file} ({@code config/network.json} of the data folder). */
    public PublicNetworkSettings(Path file) {
        this(SettingsFile.at(file));
    }

    public PublicNetworkSettings(SettingsFile file) {
        this.file = file;
        Document stored;
        try {
            stored = file.read(Document.class).orElseGet(() -> new Document(null, null, null));
        } catch (UnreadableDocumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the network settings are unreadable; using the defaults: "
                    + e.getMessage());
            stored = new Document(null, null, null);
        }
        Cidr block;
        try {
            block = parsePool(stored.publicAddressPool());
        } catch (EngineException e) {
            LOG.log(System.Logger.Level.WARNING, "the stored public address pool is refused; using " + DEFAULT_POOL
                    + ": " + e.getMessage());
            block = parsePool(DEFAULT_POOL);
        }
        this.current = stored;
        this.pool = block;
    }

    /** The public address pool in use. */
    public Cidr pool() {
        return pool;
    }

    /**
     * Changes the pool (saved first). Addresses already given keep working; new ones come from the new pool. Throws
     * {@code InvalidParameterValue} saying what is accepted.
     */
    public synchronized void setPool(String cidr) {
        Cidr block = parsePool(cidr);
        save(new Document(block.toString(), current.elasticIpsPerRegion(), current.lanRegions()));
        pool = block;
    }

    /** How many Elastic IPs each region may hold (EC2's default quota is 5). */
    public int elasticIpsPerRegion() {
        return current.elasticIpsPerRegion();
    }

    public synchronized void setElasticIpsPerRegion(int quota) {
        if (quota < 0 || quota > MAX_ELASTIC_IPS_PER_REGION) {
            throw EngineException.invalid("The number of Elastic IPs per region is from 0 to "
                    + MAX_ELASTIC_IPS_PER_REGION + ", not " + quota + ".");
        }
        save(new Document(current.publicAddressPool(), quota, current.lanRegions()));
    }

    /** Whether instances of {@code region} are published on this machine's LAN addresses too. */
    public boolean publishesOnLan(String region) {
        return current.lanRegions().contains(region);
    }

    public synchronized void setPublishOnLan(String region, boolean publish) {
        Set<String> regions = new TreeSet<>(current.lanRegions());
        if (publish) {
            regions.add(region);
        } else {
            regions.remove(region);
        }
        save(new Document(current.publicAddressPool(), current.elasticIpsPerRegion(), List.copyOf(regions)));
    }

    private void save(Document document) {
        file.write(document);
        current = document;
    }

    /** Parses and checks a pool; throws {@code InvalidParameterValue} saying what is accepted. */
    public static Cidr parsePool(String text) {
        Cidr block;
        try {
            block = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage() + " The public address pool is " + ACCEPTED + ".");
        }
        if (block.isIpv6()) {
            throw EngineException.invalid("The public address pool is IPv4: " + ACCEPTED + ".");
        }
        if (block.prefix() > 30) {
            throw EngineException.invalid(block + " holds fewer than 4 addresses (2 usable). The public address pool"
                    + " is " + ACCEPTED + ".");
        }
        boolean inside = ALLOWED_RANGES.stream().anyMatch(range -> range.prefix() <= block.prefix()
                && range.contains(AddressPool.toAddress(AddressPool.toInt(block.network()))));
        if (!inside) {
            throw EngineException.invalid(block + " is outside the ranges a public address pool may use. It is "
                    + ACCEPTED + ".");
        }
        if (block.contains(AddressPool.toAddress(0x7f000001))) {
            throw EngineException.invalid(block + " holds 127.0.0.1, this machine's own loopback address, where"
                    + " its services listen. The public address pool is " + ACCEPTED + ".");
        }
        return block;
    }
}
