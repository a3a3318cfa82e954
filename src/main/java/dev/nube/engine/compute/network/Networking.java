package dev.nube.engine.compute.network;

import dev.nube.engine.EngineException;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.addresses.ElasticIp;
import dev.nube.engine.compute.network.addresses.ElasticIps;
import dev.nube.engine.compute.network.addresses.Endpoint;
import dev.nube.engine.compute.network.addresses.EndpointStatus;
import dev.nube.engine.compute.network.addresses.LanAddresses;
import dev.nube.engine.compute.network.addresses.PortMapping;
import dev.nube.engine.compute.network.addresses.PublicListeners;
import dev.nube.engine.compute.network.addresses.PublicNetworkSettings;
import dev.nube.engine.compute.network.addresses.PublishedPorts;
import dev.nube.engine.compute.network.vpc.VpcAddressing;
import dev.nube.engine.compute.network.vpc.VpcPolicy;
import dev.nube.engine.compute.network.vpc.VpcSwitch;
import dev.nube.engine.store.AtomicFiles;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.Json;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The instances' networks: per region a switch for the private network (its policy rebuilt from the security groups
 * whenever a group or a member changes), and per running instance a public address (its Elastic IP's, or one from the
 * pool) with a listener for each port its groups allow. Every change is applied on one thread of its own, in the order
 * asked, so the instances engine and group edits never wait for sockets. Thread-safe.
 */
public final class Networking implements NetworkService, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Networking.class.getName());
    private static final String STATE_FILE = "network.json";
    private static final String NO_PUBLIC_ADDRESS = "No public address: ";

    private final EventBus events;
    private final SecurityGroupService groups;
    private final ElasticIps elasticIps;
    private final AddressPool pool;
    private final PublicNetworkSettings settings;
    private final PublicListeners listeners;
    private final PortMapping ports = PortMapping.ofThisProcess();
    private final AutoCloseable subscription;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "network");
        t.setDaemon(true);
        return t;
    });
    /** Worker thread only. */
    private final Map<String, VpcSwitch> switches = new HashMap<>();
    /** Running instances by region/id; written on the worker thread, read anywhere. */
    private final Map<String, Up> up = new ConcurrentHashMap<>();
    /** What each running instance's network cannot do, by region/id, as last published (worker thread writes). */
    private final Map<String, List<String>> published = new ConcurrentHashMap<>();

    /** What the network holds for one running instance. */
    private record Up(NetworkedInstance instance, String publicIp, boolean fromPool, List<String> problems) {
    }

    /** {@code listeners} stay open when this closes: the engine closes them after the instances are let go. */
    public Networking(EventBus events, SecurityGroupService groups, ElasticIps elasticIps, AddressPool pool,
                      PublicNetworkSettings settings, PublicListeners listeners) {
        this.events = events;
        this.groups = groups;
        this.elasticIps = elasticIps;
        this.pool = pool;
        this.settings = settings;
        this.listeners = listeners;
        this.subscription = events.subscribe(event -> {
            if (event instanceof ResourceChanged changed && (changed.kind() == ResourceKind.SECURITY_GROUP
                    || changed.kind() == ResourceKind.ELASTIC_IP)) {
                later(() -> refresh(changed.region()));
            }
        });
    }

    private static String key(String region, String id) {
        return region + "/" + id;
    }

    /** The instance runs: its switch port, uplink, public address and published ports come up (in the background). */
    public void up(NetworkedInstance instance) {
        later(() -> {
            String region = instance.region();
            List<String> problems = new ArrayList<>();
            if (instance.uplinkSocket() == null) {
                String why = Passt.missing();
                problems.add("No way out to this machine's networks" + (why == null ? " (its uplink did not start:"
                        + " see instance.log)" : ": " + why));
            }
            try {
                vpcSwitch(region).attach(instance.instanceId(), instance.vpcSocket(), instance.uplinkSocket());
            } catch (RuntimeException e) {
                problems.add("Private network: " + e.getMessage());
            }
            up.put(key(region, instance.instanceId()), new Up(instance, null, false, problems));
            refresh(region);
        });
    }

    /**
     * The instance's QEMU ended ({@code stopped}: its public address goes back to the pool) or the engine lets go of
     * it while it runs on (its address is kept for the next engine start).
     */
    public void down(String region, String instanceId, boolean stopped) {
        later(() -> {
            Up was = up.remove(key(region, instanceId));
            published.remove(key(region, instanceId));
            VpcSwitch vpc = switches.get(region);
            if (vpc != null) {
                vpc.detach(instanceId);
            }
            listeners.unpublish(instanceId);
            if (was != null && stopped) {
                if (was.fromPool() && was.publicIp() != null) {
                    pool.release(key(region, instanceId), AddressPool.parseAddress(was.publicIp()));
                }
                try {
                    Files.deleteIfExists(was.instance().folder().resolve(STATE_FILE));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot remove " + STATE_FILE + " of " + instanceId, e);
                }
            }
            refresh(region);
        });
    }

    /** The instance's security groups changed while it runs: its rules and ports follow at once. */
    public void groupsChanged(String region, String instanceId, List<String> groupIds) {
        later(() -> {
            Up was = up.get(key(region, instanceId));
            if (was != null) {
                NetworkedInstance n = was.instance();
                up.put(key(region, instanceId), new Up(new NetworkedInstance(n.region(), n.instanceId(), n.name(),
                        n.privateIp(), n.macAddress(), groupIds, n.vpcSocket(), n.uplinkSocket(), n.folder(),
                        n.ports()), was.publicIp(), was.fromPool(), was.problems()));
            }
            refresh(region);
        });
    }

    /** The instance was terminated: its Elastic IP is disassociated, as EC2 does. */
    public void terminated(String region, String instanceId) {
        elasticIps.instanceTerminated(region, instanceId);
    }

    /** Waits until every change asked for so far is applied (tests, and the console before it reads a view). */
    public void settle() {
        Future<?> done = worker.submit(() -> { });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "network changes did not settle", e);
        }
    }

    private void later(Runnable change) {
        try {
            worker.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "network change failed: " + e.getMessage(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "network closed; change dropped");
        }
    }

    private VpcSwitch vpcSwitch(String region) {
        VpcSwitch vpc = switches.get(region);
        if (vpc == null) {
            try {
                vpc = new VpcSwitch(region, VpcSwitch.systemResolvers());
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the switch of " + region + ": " + e.getMessage(), e);
            }
            switches.put(region, vpc);
        }
        return vpc;
    }

    /** Rebuilds the region's policy and every running instance's public address and ports. Worker thread. */
    private void refresh(String region) {
        Map<String, SecurityGroup> groupsById = new HashMap<>();
        for (SecurityGroup g : groups.list(region).items()) {
            groupsById.put(g.id(), g);
        }
        List<VpcPolicy.Member> members = new ArrayList<>();
        for (Up u : upIn(region)) {
            NetworkedInstance n = u.instance();
            members.add(new VpcPolicy.Member(n.instanceId(), n.macAddress(), AddressPool.parseAddress(n.privateIp()),
                    n.securityGroupIds()));
        }
        VpcSwitch vpc = switches.get(region);
        if (vpc != null) {
            vpc.setPolicy(new VpcPolicy(members, groupsById.values()));
        }
        // Addresses first: an Elastic IP that moves is let go by its old instance before the new one listens on it.
        List<Up> settled = new ArrayList<>();
        for (Up u : upIn(region)) {
            Up now = withPublicIp(u);
            if (!java.util.Objects.equals(now.publicIp(), u.publicIp())) {
                listeners.unpublish(now.instance().instanceId());
            }
            settled.add(now);
        }
        for (Up u : settled) {
            publish(region, u, groupsById);
        }
    }

    private List<Up> upIn(String region) {
        return up.values().stream().filter(u -> u.instance().region().equals(region)).toList();
    }

    /** The instance with its public address settled: its Elastic IP's, else the one it holds, else a new one. */
    private Up withPublicIp(Up u) {
        NetworkedInstance n = u.instance();
        String holder = key(n.region(), n.instanceId());
        Optional<ElasticIp> elastic = elasticIps.elasticIpOf(n.region(), n.instanceId());
        String publicIp;
        boolean fromPool;
        if (elastic.isPresent()) {
            if (u.fromPool() && u.publicIp() != null) {
                pool.release(holder, AddressPool.parseAddress(u.publicIp()));
            }
            publicIp = elastic.get().publicIp();
            fromPool = false;
        } else if (u.fromPool() && u.publicIp() != null) {
            return u;
        } else {
            // After an engine restart the instance keeps the address it held, unless another took it meanwhile.
            Optional<String> stored = storedPublicIp(n);
            if (stored.isPresent() && pool.claim(holder, AddressPool.parseAddress(stored.get()))) {
                publicIp = stored.get();
            } else {
                try {
                    publicIp = pool.allocate(holder).getHostAddress();
                } catch (EngineException e) { // the pool is full: the instance runs without a public address
                    List<String> problems = new ArrayList<>(u.problems().stream()
                            .filter(p -> !p.startsWith(NO_PUBLIC_ADDRESS)).toList());
                    problems.add(NO_PUBLIC_ADDRESS + e.getMessage());
                    Up without = new Up(n, null, false, problems);
                    up.put(holder, without);
                    return without;
                }
            }
            fromPool = true;
        }
        storePublicIp(n, fromPool ? publicIp : null);
        Up settled = new Up(n, publicIp, fromPool, u.problems().stream().filter(p -> !p.startsWith(NO_PUBLIC_ADDRESS))
                .toList());
        up.put(holder, settled);
        return settled;
    }

    /** What {@value #STATE_FILE} holds: the pool address a running instance holds, kept for the next engine. */
    private record HeldAddress(String publicIp) {
    }

    private static Optional<String> storedPublicIp(NetworkedInstance n) {
        try {
            return Optional.ofNullable(Json.mapper().readValue(n.folder().resolve(STATE_FILE).toFile(),
                    HeldAddress.class).publicIp());
        } catch (IOException e) {
            return Optional.empty(); // none kept, or unreadable: a new address is given
        }
    }

    private static void storePublicIp(NetworkedInstance n, String publicIp) {
        try {
            Path file = n.folder().resolve(STATE_FILE);
            if (publicIp == null) {
                Files.deleteIfExists(file);
            } else {
                AtomicFiles.write(file, Json.mapper().writeValueAsBytes(new HeldAddress(publicIp)), null);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record the public address of " + n.instanceId(), e);
        }
    }

    /** Publishes the ports the instance's inbound rules allow from CIDR blocks, on its public address (and LAN). */
    private void publish(String region, Up u, Map<String, SecurityGroup> groupsById) {
        NetworkedInstance n = u.instance();
        List<Inet4Address> addresses = new ArrayList<>();
        if (u.publicIp() != null) {
            addresses.add(AddressPool.parseAddress(u.publicIp()));
        }
        if (settings.publishesOnLan(region)) {
            addresses.addAll(LanAddresses.ofThisHost());
        }
        List<SecurityGroup> instanceGroups = n.securityGroupIds().stream().map(groupsById::get)
                .filter(java.util.Objects::nonNull).toList();
        PublishedPorts.Plan plan = PublishedPorts.of(addresses, instanceGroups, ports);
        List<String> problems = new ArrayList<>(u.problems());
        plan.notPublished().forEach(rule -> problems.add("Not on the public address: " + rule));
        String before = String.valueOf(listeners.endpoints(n.instanceId())) + published.get(key(region,
                n.instanceId()));
        listeners.publish(n.instanceId(), plan.endpoints(), n.ports()::target);
        published.put(key(region, n.instanceId()), problems);
        if (!before.equals(String.valueOf(listeners.endpoints(n.instanceId())) + problems)) {
            // The instance's public address or ports changed: lists and details read it again.
            events.publish(new ResourceChanged(region, ResourceKind.INSTANCE, n.instanceId(),
                    ResourceChanged.Change.UPDATED));
        }
    }

    @Override
    public Optional<String> publicIpOf(String region, String instanceId) {
        return Optional.ofNullable(up.get(key(region, instanceId))).map(Up::publicIp);
    }

    @Override
    public Optional<InstanceNetwork> networkOf(String region, String instanceId) {
        Up u = up.get(key(region, instanceId));
        if (u == null) {
            return Optional.empty();
        }
        NetworkedInstance n = u.instance();
        List<InstanceNetwork.Endpoint> endpoints = new ArrayList<>();
        for (EndpointStatus s : listeners.status(instanceId)) {
            Endpoint e = s.endpoint();
            endpoints.add(new InstanceNetwork.Endpoint(e.address().getHostAddress(), e.hostPort(), e.protocol(),
                    e.guestPort(), e.allowedSources().stream().map(Cidr::toString).toList(), e.admittedBy(),
                    s.listening() ? null : s.problem()));
        }
        List<String> problems = new ArrayList<>(published.getOrDefault(key(region, instanceId), u.problems()));
        Optional<ElasticIp> elastic = elasticIps.elasticIpOf(region, instanceId);
        return Optional.of(new InstanceNetwork(n.privateIp(), VpcAddressing.privateDnsName(AddressPool.parseAddress(n.privateIp()), region),
                u.publicIp(), elastic.map(ElasticIp::allocationId).orElse(null), endpoints, problems));
    }

    /**
     * QEMU's own forward to a port of a running instance, the way Nube's listeners reach the guest (made when first
     * asked for); for comparing the public address with the plain forward.
     */
    public java.net.InetSocketAddress guestForward(String region, String instanceId, Protocol protocol, int guestPort)
            throws IOException {
        Up u = up.get(key(region, instanceId));
        if (u == null) {
            throw new IOException(instanceId + " is not running");
        }
        return u.instance().ports().target(protocol, guestPort);
    }

    @Override
    public String publicPool() {
        return settings.pool().toString();
    }

    @Override
    public void setPublicPool(String cidr) {
        settings.setPool(cidr);
    }

    @Override
    public boolean publishesOnLan(String region) {
        return settings.publishesOnLan(region);
    }

    @Override
    public void setPublishOnLan(String region, boolean on) {
        settings.setPublishOnLan(region, on);
        later(() -> refresh(region));
    }

    @Override
    public List<String> lanAddresses() {
        return LanAddresses.ofThisHost().stream().map(InetAddress::getHostAddress).toList();
    }

    @Override
    public List<String> limits() {
        List<String> limits = new ArrayList<>();
        String passt = Passt.missing();
        if (passt != null) {
            limits.add(passt + "; the private network and public addresses work.");
        }
        return limits;
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "network: unsubscribing", e);
        }
        worker.shutdown();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        switches.values().forEach(VpcSwitch::close);
        switches.clear();
    }
}
