package dev.nube.engine.compute.network.addresses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EngineEvent;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ElasticIpsTest {
    private static final String REGION = "local-1";
    private static final String WEB = "i-0000000000000000a";
    private static final String DB = "i-0000000000000000b";
    private static final String GONE = "i-0000000000000000c";

    @TempDir
    Path home;
    private final Map<String, InstanceState> instances = new ConcurrentHashMap<>();
    private final List<EngineEvent> events = new CopyOnWriteArrayList<>();
    private Regions regions;
    private PublicNetworkSettings settings;
    private ElasticIps eips;

    @BeforeEach
    void open() {
        instances.put(WEB, InstanceState.RUNNING);
        instances.put(DB, InstanceState.STOPPED);
        instances.put(GONE, InstanceState.TERMINATED);
        reopen();
    }

    /** The services as the engine opens them on {@link #home}, as after a restart. */
    private void reopen() {
        EventBus bus = new EventBus();
        bus.subscribe(events::add);
        regions = new Regions(home, bus);
        settings = new PublicNetworkSettings(home.resolve("config/network.json"));
        if (settings.pool().toString().equals(PublicNetworkSettings.DEFAULT_POOL)) {
            // A pool of the test's own: a console on this machine may hold the default pool's first addresses.
            settings.setPool("127.100.253.0/24");
        }
        eips = new ElasticIps(regions, bus, new AddressPool(settings), settings);
        eips.setInstances((region, id) -> REGION.equals(region) ? Optional.ofNullable(instances.get(id))
                : Optional.empty());
        regions.register(eips);
        events.clear();
    }

    private static void assertCode(String code, Executable call) {
        assertEquals(code, assertThrows(EngineException.class, call).code());
    }

    private List<AddressAssociationChanged> associationEvents() {
        return events.stream().filter(AddressAssociationChanged.class::isInstance)
                .map(AddressAssociationChanged.class::cast).toList();
    }

    @Test
    void anElasticIpIsAllocatedAssociatedMovedDisassociatedAndReleased() {
        ElasticIp eip = eips.allocate(REGION);
        assertTrue(eip.allocationId().matches("eipalloc-[0-9a-f]{17}"), eip.allocationId());
        assertEquals("127.100.253.1", eip.publicIp());
        assertFalse(eip.isAssociated());
        assertEquals(new ResourceChanged(REGION, ResourceKind.ELASTIC_IP, eip.allocationId(),
                ResourceChanged.Change.CREATED), events.get(0));

        assertCode("InvalidInstanceID.NotFound", () -> eips.associate(REGION, eip.allocationId(),
                "i-0000000000000000f"));
        assertCode("IncorrectInstanceState", () -> eips.associate(REGION, eip.allocationId(), GONE));
        assertCode("InvalidAllocationID.NotFound", () -> eips.associate(REGION, "eipalloc-00000000000000000", WEB));

        ElasticIp onWeb = eips.associate(REGION, eip.allocationId(), WEB);
        assertEquals(WEB, onWeb.instanceId());
        assertTrue(onWeb.associationId().matches("eipassoc-[0-9a-f]{17}"), onWeb.associationId());
        assertEquals(onWeb, eips.elasticIpOf(REGION, WEB).orElseThrow());
        assertEquals(List.of(new AddressAssociationChanged(REGION, eip.allocationId(), "127.100.253.1", null, WEB)),
                associationEvents());
        EngineException inUse = assertThrows(EngineException.class, () -> eips.release(REGION, eip.allocationId()));
        assertEquals("InvalidIPAddress.InUse", inUse.code());
        assertTrue(inUse.getMessage().contains(WEB), inUse.getMessage());

        ElasticIp onDb = eips.associate(REGION, eip.allocationId(), DB);
        assertEquals(DB, onDb.instanceId(), "a stopped instance may have an Elastic IP; it moves from the other");
        assertTrue(eips.elasticIpOf(REGION, WEB).isEmpty());
        assertEquals(new AddressAssociationChanged(REGION, eip.allocationId(), "127.100.253.1", WEB, DB),
                associationEvents().get(1));

        assertCode("InvalidAssociationID.NotFound", () -> eips.disassociate(REGION, onWeb.associationId()));
        ElasticIp free = eips.disassociate(REGION, onDb.associationId());
        assertNull(free.instanceId());
        assertNull(free.associationId());
        assertEquals(new AddressAssociationChanged(REGION, eip.allocationId(), "127.100.253.1", DB, null),
                associationEvents().get(2));
        assertCode("InvalidAssociationID.NotFound", () -> eips.disassociate(REGION, eip.allocationId()));

        eips.release(REGION, eip.allocationId());
        assertTrue(eips.list(REGION).items().isEmpty());
        assertCode("InvalidAllocationID.NotFound", () -> eips.get(REGION, eip.allocationId()));
        assertCode("InvalidAllocationID.NotFound", () -> eips.release(REGION, eip.allocationId()));
        assertEquals("127.100.253.1", eips.allocate(REGION).publicIp(), "a released address is free again");
    }

    @Test
    void anInstanceHasOneElasticIpAtATime() {
        ElasticIp first = eips.associate(REGION, eips.allocate(REGION).allocationId(), WEB);
        ElasticIp second = eips.associate(REGION, eips.allocate(REGION).allocationId(), WEB);
        assertEquals(second, eips.elasticIpOf(REGION, WEB).orElseThrow());
        assertFalse(eips.get(REGION, first.allocationId()).isAssociated(), "the previous one was disassociated");
        assertEquals(second, eips.disassociate(REGION, second.allocationId()).associatedWith(WEB,
                second.associationId(), second.associatedAt()), "disassociated by its allocation id");

        eips.associate(REGION, first.allocationId(), DB);
        assertEquals(first.allocationId(), eips.instanceTerminated(REGION, DB).orElseThrow().allocationId());
        assertTrue(eips.elasticIpOf(REGION, DB).isEmpty(), "a terminated instance lets its Elastic IP go");
        assertTrue(eips.instanceTerminated(REGION, DB).isEmpty());
    }

    @Test
    void eachRegionHoldsAtMostItsQuota() {
        settings.setElasticIpsPerRegion(2);
        regions.create("local-2", null);
        eips.allocate(REGION);
        eips.allocate(REGION);
        EngineException limit = assertThrows(EngineException.class, () -> eips.allocate(REGION));
        assertEquals("AddressLimitExceeded", limit.code());
        assertTrue(limit.getMessage().startsWith("The maximum number of addresses has been reached."),
                limit.getMessage());
        assertTrue(limit.getMessage().contains("2 Elastic IPs of 2"), limit.getMessage());
        assertEquals(2, eips.list(REGION).items().size());
        assertEquals("127.100.253.3", eips.allocate("local-2").publicIp(), "another region has its own quota");
        assertEquals(2, eips.quota());
    }

    @Test
    void elasticIpsSurviveARestartAndKeepARegionFromBeingRemoved() throws Exception {
        regions.create("local-2", null);
        ElasticIp kept = eips.associate(REGION, eips.allocate(REGION).allocationId(), WEB);
        ElasticIp other = eips.allocate("local-2");

        reopen();
        assertEquals(List.of(kept), eips.list(REGION).items());
        assertEquals(kept, eips.elasticIpOf(REGION, WEB).orElseThrow());
        assertEquals("127.100.253.3", eips.allocate(REGION).publicIp(), "the stored addresses are still taken");
        EngineException notEmpty = assertThrows(EngineException.class, () -> regions.remove("local-2"));
        assertEquals("DependencyViolation", notEmpty.code());
        assertTrue(notEmpty.getMessage().contains("1 Elastic IP"), notEmpty.getMessage());
        eips.release("local-2", other.allocationId());
        regions.remove("local-2");
        assertTrue(Files.isDirectory(home.resolve("regions/local-1/addresses").resolve(kept.allocationId())));
    }

    @Test
    void theEngineFindsInstancesForItsElasticIps() {
        try (Engine engine = EngineTestSupport.openWithoutKvm(home.resolve("engine"))) {
            ElasticIpService service = engine.elasticIps();
            ElasticIp eip = service.allocate(REGION);
            assertEquals(List.of(eip), service.list(REGION).items());
            assertCode("InvalidInstanceID.NotFound", () -> service.associate(REGION, eip.allocationId(), WEB));
            assertEquals(PublicNetworkSettings.DEFAULT_ELASTIC_IPS_PER_REGION, service.quota());
            assertTrue(engine.publicListeners().endpoints(WEB).isEmpty());
        }
    }
}
