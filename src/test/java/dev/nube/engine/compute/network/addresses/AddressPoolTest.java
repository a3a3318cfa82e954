package dev.nube.engine.compute.network.addresses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPoolTest {
    @TempDir
    Path home;

    private PublicNetworkSettings settings() {
        return new PublicNetworkSettings(home.resolve("config").resolve("network.json"));
    }

    @Test
    void theDefaultPoolGivesItsLowestFreeAddressAndTakesItBack() {
        AddressPool pool = new AddressPool(settings());
        assertEquals("127.100.0.0/16", pool.block().toString());
        // Other processes may listen on the default pool's first addresses (another Nube): this test's are after them.
        int first = AddressPool.toInt(pool.allocate("i-a").getAddress());
        assertTrue(first > AddressPool.toInt(new byte[] {127, 100, 0, 0}), "the network address is never given");
        Inet4Address a = AddressPool.toAddress(first);
        Inet4Address b = pool.allocate("i-b");
        assertTrue(AddressPool.toInt(b.getAddress()) > first);
        pool.release("i-c", a);
        assertEquals("i-a", pool.holderOf(a).orElseThrow(), "only its holder returns an address");
        pool.release("i-a", a);
        assertEquals(a, pool.allocate("i-c"), "the lowest free address again");
        assertTrue(AddressPool.toInt(pool.allocate("i-d").getAddress()) > AddressPool.toInt(b.getAddress()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.100.0.0         | add a prefix length",
            "127.100.0.1/16      | host bits set; did you mean 127.100.0.0/16",
            "127.300.0.0/16      | not a valid IPv4",
            "8.8.8.0/24          | outside the ranges",
            "0.0.0.0/0           | outside the ranges",
            "172.32.0.0/16       | outside the ranges",
            "127.0.0.0/8         | holds 127.0.0.1",
            "127.0.0.0/24        | holds 127.0.0.1",
            "127.100.0.0/31      | fewer than 4 addresses",
            "fd00::/64           | is IPv4"})
    void refusesPoolsItCannotUseSayingWhatIsAccepted(String pool, String reason) throws Exception {
        PublicNetworkSettings settings = settings();
        EngineException e = assertThrows(EngineException.class, () -> settings.setPool(pool));
        assertEquals("InvalidParameterValue", e.code());
        assertTrue(e.getMessage().contains(reason), "'" + e.getMessage() + "' should say '" + reason + "'");
        assertTrue(e.getMessage().contains("127.0.0.0/8") && e.getMessage().contains("192.168.0.0/16"),
                "says what is accepted: " + e.getMessage());
        assertEquals("127.100.0.0/16", settings.pool().toString(), "a refused pool changes nothing");
        assertFalse(Files.exists(home.resolve("config/network.json")), "nothing was saved");
    }

    @ParameterizedTest
    @CsvSource({"127.100.0.0/30", "127.1.0.0/16", "10.0.0.0/8", "172.16.4.0/22", "192.168.50.0/24"})
    void acceptsLoopbackAndPrivatePools(String pool) {
        settings().setPool(pool);
        assertEquals(pool, settings().pool().toString(), "saved and read again");
    }

    @Test
    void theSettingsFileKeepsThePoolTheQuotaAndTheLanRegions() throws Exception {
        PublicNetworkSettings settings = settings();
        settings.setPool("192.168.77.0/24");
        settings.setElasticIpsPerRegion(7);
        settings.setPublishOnLan("local-1", true);
        String json = Files.readString(home.resolve("config/network.json"));
        assertTrue(json.contains("\"publicAddressPool\" : \"192.168.77.0/24\""), json);
        assertTrue(json.contains("\"elasticIpsPerRegion\" : 7"), json);
        assertTrue(json.contains("\"lanRegions\" : [ \"local-1\" ]"), json);

        PublicNetworkSettings reread = settings();
        assertEquals("192.168.77.0/24", reread.pool().toString());
        assertEquals(7, reread.elasticIpsPerRegion());
        assertTrue(reread.publishesOnLan("local-1"));
        assertFalse(reread.publishesOnLan("local-2"));
        assertThrows(EngineException.class, () -> reread.setElasticIpsPerRegion(-1));
    }

    @Test
    void anUnreadableOrRefusedSettingsFileMeansTheDefaultsAndIsLeftAsItIs() throws Exception {
        Path file = home.resolve("config/network.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{ torn");
        assertEquals("127.100.0.0/16", settings().pool().toString());
        assertEquals("{ torn", Files.readString(file));
        Files.writeString(file, "{\"schemaVersion\":1,\"publicAddressPool\":\"8.8.8.0/24\"}");
        assertEquals("127.100.0.0/16", settings().pool().toString());
        assertEquals(5, settings().elasticIpsPerRegion());
    }

    @Test
    void aSmallPoolIsExhaustedByInstancesAndElasticIpsOfEveryRegion() {
        PublicNetworkSettings settings = settings();
        settings.setPool("127.100.9.0/30");
        Regions regions = new Regions(home, new EventBus());
        regions.create("local-2", null);
        AddressPool pool = new AddressPool(settings);
        ElasticIps eips = new ElasticIps(regions, new EventBus(), pool, settings);

        assertEquals("127.100.9.1", eips.allocate("local-2").publicIp(), "an Elastic IP of another region");
        assertEquals("127.100.9.2", pool.allocate("i-a").getHostAddress());
        EngineException full = assertThrows(EngineException.class, () -> pool.allocate("i-b"));
        assertEquals("InsufficientAddressCapacity", full.code());
        assertTrue(full.getMessage().contains("127.100.9.0/30"), full.getMessage());
        assertEquals("InsufficientAddressCapacity", assertThrows(EngineException.class,
                () -> eips.allocate("local-1")).code());
        assertTrue(eips.list("local-1").items().isEmpty(), "a refused allocation leaves no Elastic IP");

        // After a restart the instance's address is known only to its holder; the Elastic IP's is in its document.
        AddressPool reopened = new AddressPool(settings);
        new ElasticIps(regions, new EventBus(), reopened, settings);
        assertTrue(reopened.isTaken(AddressPool.parseAddress("127.100.9.1")));
        assertFalse(reopened.claim("i-b", AddressPool.parseAddress("127.100.9.1")), "held by the Elastic IP");
        assertTrue(reopened.claim("i-a", AddressPool.parseAddress("127.100.9.2")));
        assertTrue(reopened.claim("i-a", AddressPool.parseAddress("127.100.9.2")), "claiming again is harmless");
        assertThrows(EngineException.class, () -> reopened.allocate("i-b"));
        reopened.release("i-a", AddressPool.parseAddress("127.100.9.2"));
        assertEquals("127.100.9.2", reopened.allocate("i-b").getHostAddress());
    }

    @Test
    void anAddressAnotherProcessListensOnIsNotGiven() throws Exception {
        PublicNetworkSettings settings = settings();
        settings.setPool("127.100.251.0/29");
        AddressPool pool = new AddressPool(settings);
        // As another Nube (another data folder or user) would: a listener on the pool's first address.
        try (java.net.ServerSocket other = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.100.251.1"))) {
            assertEquals("127.100.251.2", pool.allocate("i-a").getHostAddress());
            assertFalse(pool.claim("i-b", AddressPool.parseAddress("127.100.251.1")), "a restart does not take it");
        }
        assertEquals("127.100.251.1", pool.allocate("i-c").getHostAddress(), "free again once its socket closed");
    }

    @Test
    void socketAddressesAreReadAsTheKernelPrintsThem() {
        assertEquals(AddressPool.toInt(new byte[] {127, 100, 0, 7}), HostSockets.ipv4("0700647F"));
        assertEquals(AddressPool.toInt(new byte[] {127, 100, 0, 7}), HostSockets.ipv4(
                "0000000000000000FFFF00000700647F"));
        assertEquals(null, HostSockets.ipv4("00000000000000000000000001000000"), "::1 is no IPv4 address");
    }
}
