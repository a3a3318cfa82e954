package dev.nube.engine.compute.network.addresses;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Ids;
import dev.nube.engine.store.Listing;
import dev.nube.engine.store.ResourceChanged.Change;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceCollection;
import dev.nube.engine.store.ResourceKind;
import java.net.Inet4Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Elastic IPs stored per region in {@code addresses/<allocation id>/}. Changes are serialised on this object; events
 * are published after the documents are saved. The pool reads every region's addresses from the documents (without
 * this object's lock), so an address stays taken across restarts.
 */
public final class ElasticIps implements ElasticIpService, RegionScoped {
    private final RegionService regions;
    private final EventBus events;
    private final AddressPool pool;
    private final PublicNetworkSettings settings;
    private volatile InstanceLookup instances = (region, id) -> Optional.empty();

    /** Registers itself with {@code pool} as the source of the addresses Elastic IPs hold. */
    public ElasticIps(RegionService regions, EventBus events, AddressPool pool, PublicNetworkSettings settings) {
        this.regions = regions;
        this.events = events;
        this.pool = pool;
        this.settings = settings;
        pool.setReserved(this::addressesInEveryRegion);
    }

    /** Tells the service how to find instances; until then every instance is unknown. */
    public void setInstances(InstanceLookup instances) {
        this.instances = instances;
    }

    private ResourceCollection<ElasticIp> collection(String region) {
        return new ResourceCollection<>(ResourceKind.ELASTIC_IP, regions.get(region).root(), ElasticIp.class);
    }

    /** The addresses held by Elastic IPs in every open region (an unreadable document's address is not known). */
    List<String> addressesInEveryRegion() {
        List<String> addresses = new ArrayList<>();
        for (Region region : regions.list()) {
            collection(region.name()).list().items().forEach(eip -> addresses.add(eip.publicIp()));
        }
        return addresses;
    }

    @Override
    public List<String> contentsOf(Region region) {
        return Regions.describe(collection(region.name()).list(), 0, "Elastic IP", "Elastic IPs");
    }

    @Override
    public Listing<ElasticIp> list(String region) {
        return collection(region).list();
    }

    @Override
    public ElasticIp get(String region, String allocationId) {
        return collection(region).find(allocationId).orElseThrow(() -> new EngineException(
                "InvalidAllocationID.NotFound", "The allocation ID '" + allocationId + "' does not exist."));
    }

    @Override
    public int quota() {
        return settings.elasticIpsPerRegion();
    }

    @Override
    public synchronized ElasticIp allocate(String region) {
        ResourceCollection<ElasticIp> addresses = collection(region);
        Listing<ElasticIp> existing = addresses.list();
        int quota = quota();
        // An unreadable document is still an address of the region: it counts.
        int count = existing.items().size() + existing.problems().size();
        if (count >= quota) {
            throw new EngineException("AddressLimitExceeded", "The maximum number of addresses has been reached."
                    + " Region " + region + " holds " + count + " Elastic IP" + (count == 1 ? "" : "s") + " of "
                    + quota + ": release one, or raise the number allowed per region in the settings.");
        }
        String id = Ids.newId(ResourceKind.ELASTIC_IP);
        Inet4Address address = pool.allocate(id);
        ElasticIp eip = new ElasticIp(id, address.getHostAddress(), null, null, Instant.now(), null);
        try {
            addresses.put(id, eip);
        } catch (RuntimeException e) {
            pool.release(id, address);
            throw e;
        }
        // From here the document holds the address; the pool's own note of it is no longer needed.
        pool.release(id, address);
        events.publish(new ResourceChanged(region, ResourceKind.ELASTIC_IP, id, Change.CREATED));
        return eip;
    }

    @Override
    public synchronized ElasticIp associate(String region, String allocationId, String instanceId) {
        ResourceCollection<ElasticIp> addresses = collection(region);
        ElasticIp eip = get(region, allocationId);
        InstanceState state = instances.stateOf(region, instanceId).orElseThrow(() -> new EngineException(
                "InvalidInstanceID.NotFound", "The instance ID '" + instanceId + "' does not exist."));
        if (state == InstanceState.TERMINATED || state == InstanceState.SHUTTING_DOWN) {
            throw new EngineException("IncorrectInstanceState", "The instance '" + instanceId + "' is not in a valid"
                    + " state for this operation: it is " + state.awsName() + ".");
        }
        if (instanceId.equals(eip.instanceId())) {
            return eip;
        }
        // The instance's previous address first: an instance has one Elastic IP at a time.
        Optional<ElasticIp> previous = elasticIpOf(region, instanceId);
        if (previous.isPresent()) {
            ElasticIp freed = previous.get().disassociated();
            addresses.put(freed.allocationId(), freed);
            changed(region, freed, instanceId, null);
        }
        String association = ElasticIp.ASSOCIATION_PREFIX + Ids.newId(ResourceKind.ELASTIC_IP)
                .substring(ResourceKind.ELASTIC_IP.prefix().length() + 1);
        ElasticIp associated = eip.associatedWith(instanceId, association, Instant.now());
        addresses.put(allocationId, associated);
        changed(region, associated, eip.instanceId(), instanceId);
        return associated;
    }

    @Override
    public synchronized ElasticIp disassociate(String region, String allocationIdOrAssociationId) {
        ElasticIp eip = byAllocationOrAssociation(region, allocationIdOrAssociationId);
        ElasticIp freed = eip.disassociated();
        collection(region).put(freed.allocationId(), freed);
        changed(region, freed, eip.instanceId(), null);
        return freed;
    }

    private ElasticIp byAllocationOrAssociation(String region, String id) {
        if (id != null && id.startsWith(ElasticIp.ASSOCIATION_PREFIX)) {
            return list(region).items().stream().filter(e -> id.equals(e.associationId())).findFirst()
                    .orElseThrow(() -> new EngineException("InvalidAssociationID.NotFound", "The association ID '"
                            + id + "' does not exist."));
        }
        ElasticIp eip = get(region, id);
        if (!eip.isAssociated()) {
            throw new EngineException("InvalidAssociationID.NotFound", "The Elastic IP " + eip.publicIp() + " ("
                    + eip.allocationId() + ") is not associated with an instance.");
        }
        return eip;
    }

    /**
     * Disassociates whatever Elastic IP {@code instanceId} has, as EC2 does when an instance is terminated; nothing
     * happens when it has none. For the instances engine.
     */
    public synchronized Optional<ElasticIp> instanceTerminated(String region, String instanceId) {
        Optional<ElasticIp> eip = elasticIpOf(region, instanceId);
        eip.ifPresent(e -> disassociate(region, e.allocationId()));
        return eip;
    }

    @Override
    public synchronized void release(String region, String allocationId) {
        ElasticIp eip = get(region, allocationId);
        if (eip.isAssociated()) {
            throw new EngineException("InvalidIPAddress.InUse", "Address " + eip.publicIp() + " (" + allocationId
                    + ") is in use: it is associated with " + eip.instanceId() + ". Disassociate it first.");
        }
        // The document goes, and with it the address: the pool reads which addresses Elastic IPs hold from them.
        collection(region).delete(allocationId);
        events.publish(new ResourceChanged(region, ResourceKind.ELASTIC_IP, allocationId, Change.DELETED));
    }

    @Override
    public Optional<ElasticIp> elasticIpOf(String region, String instanceId) {
        return list(region).items().stream().filter(e -> instanceId != null && instanceId.equals(e.instanceId()))
                .findFirst();
    }

    private void changed(String region, ElasticIp eip, String previousInstance, String instance) {
        events.publish(new ResourceChanged(region, ResourceKind.ELASTIC_IP, eip.allocationId(), Change.UPDATED));
        events.publish(new AddressAssociationChanged(region, eip.allocationId(), eip.publicIp(), previousInstance,
                instance));
    }
}
