package dev.nube.ui.network;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.network.NetworkService;
import dev.nube.engine.compute.network.addresses.ElasticIp;
import dev.nube.engine.compute.network.addresses.ElasticIpService;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Elastic IPs page: the region's addresses, allocate, associate, disassociate and release as commands, and the
 * public network's settings (the pool, LAN publishing). Engine calls run in the background. FX thread only.
 */
public final class ElasticIpsViewModel {
    private final ElasticIpService addresses;
    private final InstanceService instances;
    private final NetworkService network;
    private final ConsoleContext context;
    private final ResourceListModel<ElasticIp> list;

    public ElasticIpsViewModel(ElasticIpService addresses, InstanceService instances, ConsoleContext context) {
        this.addresses = addresses;
        this.instances = instances;
        this.network = instances.network();
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.ELASTIC_IP, new ResourceListModel.Source<>(
                addresses::list, ResourceListModel.absentOn("InvalidAllocationID.NotFound", addresses::get),
                ElasticIp::allocationId), a -> a.publicIp() + " " + a.allocationId() + " "
                + (a.instanceId() == null ? "" : a.instanceId()));
    }

    public ResourceListModel<ElasticIp> list() {
        return list;
    }

    public int quota() {
        return addresses.quota();
    }

    public void allocate(Consumer<ElasticIp> onAllocated, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> addresses.allocate(region), onAllocated, onFailure);
    }

    public void associate(ElasticIp address, String instanceId, Consumer<ElasticIp> onDone,
                          Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> addresses.associate(region, address.allocationId(), instanceId), onDone,
                onFailure);
    }

    public void disassociate(ElasticIp address, Consumer<ElasticIp> onDone, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> addresses.disassociate(region, address.allocationId()), onDone, onFailure);
    }

    public void release(ElasticIp address, Runnable onDone, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            addresses.release(region, address.allocationId());
            return null;
        }, ignored -> onDone.run(), onFailure);
    }

    /** The region's instances an address can be associated with (not terminated, not shutting down). */
    public void associable(Consumer<List<Instance>> onRead, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> instances.list(region).items().stream()
                .filter(i -> i.state() != InstanceState.TERMINATED && i.state() != InstanceState.SHUTTING_DOWN)
                .toList(), onRead, onFailure);
    }

    public String publicPool() {
        return network.publicPool();
    }

    public void setPublicPool(String cidr, Runnable onDone, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> {
            network.setPublicPool(cidr);
            return null;
        }, ignored -> onDone.run(), onFailure);
    }

    public boolean publishesOnLan() {
        return network.publishesOnLan(list.region());
    }

    public void setPublishOnLan(boolean on, Runnable onDone, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            network.setPublishOnLan(region, on);
            return null;
        }, ignored -> onDone.run(), onFailure);
    }

    public List<String> lanAddresses() {
        return network.lanAddresses();
    }

    public List<String> limits() {
        return network.limits();
    }
}
