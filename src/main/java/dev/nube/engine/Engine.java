package dev.nube.engine;

import dev.nube.engine.api.AccessKeyService;
import dev.nube.engine.api.AccessKeys;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.api.ApiHost;
import dev.nube.engine.api.ec2.Ec2Api;
import dev.nube.engine.api.lambda.LambdaApi;
import dev.nube.engine.api.logs.LogsApi;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.images.Images;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.Instances;
import dev.nube.engine.compute.keys.KeyPairService;
import dev.nube.engine.compute.keys.KeyPairs;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.compute.network.NetworkService;
import dev.nube.engine.compute.network.Networking;
import dev.nube.engine.compute.network.SecurityGroups;
import dev.nube.engine.compute.network.addresses.AddressPool;
import dev.nube.engine.compute.network.addresses.ElasticIpService;
import dev.nube.engine.compute.network.addresses.ElasticIps;
import dev.nube.engine.compute.network.addresses.PublicListeners;
import dev.nube.engine.compute.network.addresses.PublicNetworkSettings;
import dev.nube.engine.compute.qemu.Accelerators;
import dev.nube.engine.compute.qemu.QemuHost;
import dev.nube.engine.compute.storage.ImageBackupService;
import dev.nube.engine.compute.storage.ImageBackups;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.Snapshots;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.compute.storage.Volumes;
import dev.nube.engine.compute.tags.TagService;
import dev.nube.engine.compute.tags.TaggedKind;
import dev.nube.engine.compute.tags.Tags;
import dev.nube.engine.functions.FunctionCode;
import dev.nube.engine.functions.FunctionCodeFiles;
import dev.nube.engine.functions.FunctionMonitor;
import dev.nube.engine.functions.FunctionMonitoring;
import dev.nube.engine.functions.FunctionSchedules;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionUrlService;
import dev.nube.engine.functions.FunctionUrls;
import dev.nube.engine.functions.Functions;
import dev.nube.engine.functions.ScheduleService;
import dev.nube.engine.functions.ScheduleTime;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.Regions;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.PrivateFiles;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.store.SettingsFile;
import dev.nube.engine.tasks.TaskService;
import dev.nube.engine.tasks.Tasks;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The embedded cloud: opens the data folder ({@code $NUBE_HOME}), the regions and the services, and closes them in
 * reverse order. One engine at a time may open a data folder (a lock file guards it). Services are thread-safe.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /** A system property naming what holds a data folder, for the message another engine gets (nube serve). */
    public static final String HOLDER_PROPERTY = "nube.engine.holder";

    private final Path home;
    private final EventBus events = new EventBus();
    private final CleanupList openedInOrder = new CleanupList();
    private final AtomicReference<HostStatus> hostStatus = new AtomicReference<>(HostStatus.unchecked());
    private final Regions regions;
    private final KeyPairs keyPairs;
    private final SecurityGroups securityGroups;
    private final PublicNetworkSettings networkSettings;
    private final AddressPool addressPool;
    private final ElasticIps elasticIps;
    private final PublicListeners publicListeners;
    private final Networking networking;
    private final Functions functions;
    private final FunctionCode functionCode;
    private final FunctionMonitor functionMonitor;
    private final FunctionSchedules functionSchedules;
    private final FunctionUrls functionUrls;
    private final Images images;
    private final Instances instances;
    private final Accelerators accelerators;
    private final Tasks tasks;
    private final Volumes volumes;
    private final Snapshots snapshots;
    private final ImageBackups imageBackups;
    private final Tags tags;
    private final AccessKeys accessKeys;
    private final ApiHost api;

    private Engine(Path home, Path cache, QemuHost qemu) {
        this.home = home;
        try {
            openedInOrder.add("the data folder lock", lockHome(home));
            regions = new Regions(home, events);
            makePrivate(home, cache, regions.list());
            keyPairs = new KeyPairs(regions, events);
            regions.register(keyPairs);
            openedInOrder.add("key pairs in the regions", () -> regions.unregister(keyPairs));
            securityGroups = new SecurityGroups(regions, events);
            regions.register(securityGroups);
            openedInOrder.add("security groups in the regions", () -> regions.unregister(securityGroups));
            networkSettings = new PublicNetworkSettings(home.resolve("config").resolve("network.json"));
            addressPool = new AddressPool(networkSettings);
            elasticIps = new ElasticIps(regions, events, addressPool, networkSettings);
            regions.register(elasticIps);
            openedInOrder.add("Elastic IPs in the regions", () -> regions.unregister(elasticIps));
            // Closed after the instances are let go: their published ports close with the console.
            publicListeners = new PublicListeners();
            openedInOrder.add("public listeners", publicListeners);
            functions = new Functions(regions, events, home, sandbox -> updateHostStatus(s -> s.withSandbox(sandbox)));
            openedInOrder.add("functions", functions);
            regions.register(functions);
            openedInOrder.add("functions in the regions", () -> regions.unregister(functions));
            functionCode = new FunctionCodeFiles(functions);
            functionMonitor = new FunctionMonitoring(functions);
            // Closed before the functions: no run is fired into a closing service.
            functionSchedules = new FunctionSchedules(functions, ScheduleTime.system());
            regions.register(functionSchedules);
            openedInOrder.add("function schedules in the regions", () -> regions.unregister(functionSchedules));
            functionSchedules.start();
            openedInOrder.add("function schedules", functionSchedules);
            images = new Images(regions, events, cache);
            regions.register(images);
            openedInOrder.add("images in the regions", () -> regions.unregister(images));
            accelerators = new Accelerators(qemu, home.resolve("run"),
                    cache.resolve("kvm-verdicts.json"), home.resolve("config").resolve("compute.json"),
                    accelerator -> updateHostStatus(s -> s.withAccelerator(accelerator)));
            openedInOrder.add("accelerator checks", accelerators);
            networking = new Networking(events, securityGroups, elasticIps, addressPool, networkSettings,
                    publicListeners);
            openedInOrder.add("networks", networking);
            instances = new Instances(regions, events, images, keyPairs, securityGroups, accelerators, networking,
                    Instances.DEFAULT_STOP_GRACE, knownHostsFile(home),
                    home.resolve("config").resolve("instances.json"));
            securityGroups.setUsage(instances);
            elasticIps.setInstances((region, id) -> stateOf(instances, region, id));
            images.setUsage(instances::usersOfImage);
            // Closing lets go of running instances without stopping them: they outlive the console.
            openedInOrder.add("instances", instances);
            regions.register(instances);
            openedInOrder.add("instances in the regions", () -> regions.unregister(instances));
            // Closed before the instances are let go: a snapshot under way is cancelled and removed.
            tasks = new Tasks(events);
            openedInOrder.add("background tasks", tasks);
            volumes = new Volumes(regions, events, instances, tasks);
            snapshots = new Snapshots(regions, events, volumes, instances, tasks);
            instances.setAttachedVolumes(volumes);
            openedInOrder.add("root volume events", events.subscribe(volumes::onEvent));
            regions.register(volumes);
            openedInOrder.add("volumes in the regions", () -> regions.unregister(volumes));
            regions.register(snapshots);
            openedInOrder.add("snapshots in the regions", () -> regions.unregister(snapshots));
            imageBackups = new ImageBackups(regions, images, instances, keyPairs, volumes, snapshots, tasks);
            regions.register(imageBackups);
            openedInOrder.add("image backups in the regions", () -> regions.unregister(imageBackups));
            tags = new Tags(regions, events, taggedKinds());
            regions.register(tags);
            openedInOrder.add("tags in the regions", () -> regions.unregister(tags));
            openedInOrder.add("tags of deleted resources", events.subscribe(tags::onEvent));
            accessKeys = new AccessKeys(home);
            functionUrls = new FunctionUrls(functions, SettingsFile.at(home.resolve("config")
                    .resolve("function-urls.json")), accessKeys::secretOf, accessKeys::used);
            // Closed before the functions: no request reaches a function that is being stopped.
            openedInOrder.add("function URLs", functionUrls);
            openedInOrder.add("URLs of deleted functions", events.subscribe(functionUrls::onEvent));
            regions.register(functionUrls);
            openedInOrder.add("function URLs in the regions", () -> regions.unregister(functionUrls));
            api = new ApiHost(SettingsFile.at(home.resolve("config").resolve("api.json")), accessKeys,
                    () -> regions.list().stream().map(Region::name).collect(Collectors.toSet()),
                    baseUrl -> List.of(new Ec2Api(this), new LambdaApi(this, baseUrl), new LogsApi(this)), events);
            // Closed first: no request reaches a service that is closing.
            openedInOrder.add("the AWS API", api);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens the engine on {@code home}, creating the folder if needed; the cache is {@link #defaultCache}. */
    public static Engine open(Path home) {
        return open(home, defaultCache(System.getenv()));
    }

    /** Opens the engine on {@code home}, keeping downloads and built images in {@code cache} (shared, rebuildable). */
    public static Engine open(Path home, Path cache) {
        return open(home, cache, QemuHost.SYSTEM);
    }

    /** As {@link #open(Path, Path)}, running guests with {@code qemu} (the system's QEMU and /dev/kvm normally). */
    public static Engine open(Path home, Path cache, QemuHost qemu) {
        return new Engine(home.toAbsolutePath().normalize(), cache.toAbsolutePath().normalize(), qemu);
    }

    /**
     * Where downloaded packages and finished image builds are kept, shared by every data folder of this user:
     * {@code $NUBE_CACHE} if set, else {@code $XDG_CACHE_HOME/nube}, else {@code ~/.cache/nube}.
     */
    public static Path defaultCache(Map<String, String> environment) {
        String nubeCache = environment.get("NUBE_CACHE");
        String xdg = environment.get("XDG_CACHE_HOME");
        if (nubeCache != null && !nubeCache.isBlank()) {
            return Path.of(nubeCache);
        }
        return xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg, "nube")
                : Path.of(System.getProperty("user.home"), ".cache", "nube");
    }

    /**
     * {@code $NUBE_HOME} if set, else {@code $XDG_DATA_HOME/nube}, else {@code ~/.local/share/nube}.
     */
    public static Path defaultHome(Map<String, String> environment) {
        String nubeHome = environment.get("NUBE_HOME");
        if (nubeHome != null && !nubeHome.isBlank()) {
            return Path.of(nubeHome);
        }
        String xdg = environment.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "nube");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "nube");
    }

    /** The kinds of resource EC2's tags reach; the Name tag of an instance or a volume is its name. */
    private List<TaggedKind> taggedKinds() {
        return List.of(
                TaggedKind.named(ResourceKind.INSTANCE, (r, id) -> instances.get(r, id).name(),
                        instances::rename, r -> instances.list(r).items().stream().map(i -> i.id()).toList()),
                TaggedKind.named(ResourceKind.VOLUME, (r, id) -> volumes.get(r, id).name(),
                        (r, id, name) -> volumes.rename(r, id, name),
                        r -> volumes.list(r).items().stream().map(v -> v.id()).toList()),
                TaggedKind.of(ResourceKind.SNAPSHOT, snapshots::get),
                TaggedKind.of(ResourceKind.IMAGE, images::get),
                TaggedKind.of(ResourceKind.SECURITY_GROUP, securityGroups::get),
                TaggedKind.of(ResourceKind.KEY_PAIR, keyPairs::get),
                TaggedKind.of(ResourceKind.ELASTIC_IP, elasticIps::get));
    }

    private static Optional<InstanceState> stateOf(Instances instances, String region, String id) {
        try {
            return Optional.of(instances.get(region, id).state());
        } catch (EngineException e) {
            if (e.code().equals("InvalidInstanceID.NotFound")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Makes the data folder, the cache and the regions placed elsewhere readable by their owner only, as everything
     * Nube makes in them is, when an earlier build or a chmod left them open to others; says so once in the log. See
     * {@link DataFolderPrivacy}.
     */
    private static void makePrivate(Path home, Path cache, List<Region> regions) {
        java.util.function.Consumer<String> log = line -> LOG.log(Level.INFO, line);
        DataFolderPrivacy.check("data folder", home, dir -> false, log);
        DataFolderPrivacy.check("cache folder", cache, DataFolderPrivacy.BUILDS_UNDER_WAY, log);
        for (Region region : regions) {
            if (!region.root().startsWith(home)) {
                DataFolderPrivacy.check("folder of region " + region.name(), region.root(), dir -> false, log);
            }
        }
    }

    private static AutoCloseable lockHome(Path home) {
        try {
            PrivateFiles.createDirectories(home);
            Path lockFile = home.resolve("engine.lock");
            FileChannel channel = PrivateFiles.openChannel(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by another engine in this JVM
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).strip();
                channel.close();
                throw new EngineException("DataFolderInUse", "Another Nube engine (" + (holder.isEmpty() ? "?"
                        : "pid " + holder) + ") is using " + home + ". " + (holder.contains("nube serve")
                        ? "Stop it first (Ctrl-C where it runs, or kill " + holder.replaceAll(",.*", "") + ")."
                        : "Close it first."));
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + ", "
                    + System.getProperty(HOLDER_PROPERTY, "the Nube console")).getBytes(StandardCharsets.UTF_8)));
            FileLock held = lock;
            return () -> {
                held.release();
                channel.close();
            };
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot open the data folder " + home + ": " + e.getMessage(), e);
        }
    }

    public Path home() {
        return home;
    }

    /** The console's settings document ({@code console.json} in the data folder). */
    public SettingsFile consoleSettings() {
        return SettingsFile.at(home.resolve("console.json"));
    }

    /** The known_hosts file of instances' SSH host keys (under their ids): the console's terminal and ssh share it. */
    public static Path knownHostsFile(Path home) {
        return home.resolve("known_hosts");
    }

    public EventBus events() {
        return events;
    }

    public RegionService regions() {
        return regions;
    }

    public KeyPairService keyPairs() {
        return keyPairs;
    }

    public SecurityGroupService securityGroups() {
        return securityGroups;
    }

    /** The engine-wide settings of public addresses ({@code config/network.json}). */
    public PublicNetworkSettings networkSettings() {
        return networkSettings;
    }

    /** The public addresses of the host, for instances' public IPs and Elastic IPs. */
    public AddressPool addressPool() {
        return addressPool;
    }

    /** The instances' networks: addresses, published ports, the pool and LAN publishing. */
    public NetworkService network() {
        return networking;
    }

    public ElasticIpService elasticIps() {
        return elasticIps;
    }

    /** The listeners that publish instances' allowed ports on their public addresses. */
    public PublicListeners publicListeners() {
        return publicListeners;
    }

    public FunctionService functions() {
        return functions;
    }

    /** Lambda's layers, which functions list in their configuration. */
    public dev.nube.engine.functions.LayerService layers() {
        return functions.layers();
    }

    public FunctionCode functionCode() {
        return functionCode;
    }

    public FunctionMonitor functionMonitor() {
        return functionMonitor;
    }

    /** The schedule triggers of functions (EventBridge schedule rules), fired while the engine is open. */
    public ScheduleService functionSchedules() {
        return functionSchedules;
    }

    /** Function URLs: each function's HTTP address, served on 127.0.0.1. */
    public FunctionUrlService functionUrls() {
        return functionUrls;
    }

    public ImageService images() {
        return images;
    }

    public InstanceService instances() {
        return instances;
    }

    /** Long operations under way (snapshots, copies), for the tasks panel. */
    public TaskService tasks() {
        return tasks;
    }

    public VolumeService volumes() {
        return volumes;
    }

    public SnapshotService snapshots() {
        return snapshots;
    }

    /** Images made from instances, copied between regions, launched as replicas. */
    public ImageBackupService imageBackups() {
        return imageBackups;
    }

    /** EC2's tags on instances, volumes, snapshots, images, security groups, key pairs and Elastic IPs. */
    public TagService tags() {
        return tags;
    }

    /** The access keys that sign requests to the AWS API. */
    public AccessKeyService accessKeys() {
        return accessKeys;
    }

    /** The AWS API: where it is served and whether it is (started by the console or nube serve, not by opening). */
    public ApiEndpoint api() {
        return api;
    }

    /** The API's host itself, for the command that serves it and for tests. */
    public ApiHost apiHost() {
        return api;
    }

    public HostStatus hostStatus() {
        return hostStatus.get();
    }

    /**
     * Waits at most {@code timeout} for the host checks that opening the engine starts in the background (the KVM
     * firmware probe); true when they have answered, so {@link #hostStatus()} and {@link #kvmProblem()} are final.
     */
    public boolean awaitHostChecks(java.time.Duration timeout) throws InterruptedException {
        boolean answered = accelerators.awaitFirmwareProbe(timeout);
        // The probe's thread reports its answer just after it is known: take it now rather than race that report.
        updateHostStatus(s -> s.withAccelerator(accelerators.describe()));
        return answered;
    }

    /** Why guests run without KVM here, as far as checked (null when they get KVM, or before the checks answered). */
    public String kvmProblem() {
        return accelerators.kvmProblem();
    }

    /** Lets a service record what it found about the host; listeners hear {@link HostStatus.Changed}. */
    public void updateHostStatus(UnaryOperator<HostStatus> change) {
        HostStatus updated = hostStatus.updateAndGet(change);
        events.publish(new HostStatus.Changed(updated));
    }

    /** Closes every service in the reverse order of opening; errors are logged and do not stop the others. */
    @Override
    public synchronized void close() {
        openedInOrder.release((message, e) -> LOG.log(Level.WARNING, "closing the engine: " + message, e));
    }
}
