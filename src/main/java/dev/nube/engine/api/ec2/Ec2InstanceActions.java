package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceRequest;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.InstanceType;
import dev.nube.engine.compute.instances.RunRequest;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.tags.TagService;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EC2's instance actions: RunInstances, DescribeInstances, DescribeInstanceStatus, Start/Stop/Reboot/
 * TerminateInstances, GetConsoleOutput, DescribeInstanceTypes, ModifyInstanceAttribute (instance type, groups) and
 * ModifyInstanceMetadataOptions (HttpTokens).
 * The instances of one launch share a reservation ({@link Ec2Items#reservationIdOf}), as on EC2. Start, Stop and
 * TerminateInstances answer within a second, as EC2 does: with the new state if the engine is done by then, else
 * with the state under way ({@code stopping}, {@code shutting-down}) while it goes on in the background; RebootInstances answers at once and reboots in the background.
 * Thread-safe: every request works through the engine's thread-safe services.
 */
final class Ec2InstanceActions {
    private static final System.Logger LOG = System.getLogger(Ec2InstanceActions.class.getName());
    /** When RunInstances names no type, as EC2 falls back to its smallest general type. */
    static final String DEFAULT_TYPE = "t3.micro";
    private static final int CONSOLE_BYTES = 64 * 1024;
    private static final Set<String> RUN_TAGGABLE = Set.of("instance", "volume");

    private final Engine engine;
    private final Ec2Items items;

    Ec2InstanceActions(Engine engine, Ec2Items items) {
        this.engine = engine;
        this.items = items;
    }

    void register(Ec2Api api) {
        api.put("RunInstances", this::run);
        api.put("DescribeInstances", this::describe);
        api.put("DescribeInstanceStatus", this::describeStatus);
        api.put("StartInstances", (call, xml) -> change(call, xml, InstanceRequest.START));
        api.put("StopInstances", (call, xml) -> change(call, xml, InstanceRequest.STOP));
        api.put("TerminateInstances", (call, xml) -> change(call, xml, InstanceRequest.TERMINATE));
        api.put("RebootInstances", this::reboot);
        api.put("GetConsoleOutput", this::consoleOutput);
        api.put("DescribeInstanceTypes", this::describeTypes);
        api.put("ModifyInstanceAttribute", this::modifyAttribute);
        api.put("ModifyInstanceMetadataOptions", this::modifyMetadataOptions);
    }

    private InstanceService instances() {
        return engine.instances();
    }

    private void run(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String imageId = call.required("ImageId");
        int min = call.integer("MinCount", -1);
        int max = call.integer("MaxCount", -1);
        if (call.string("MinCount") == null) {
            throw new EngineException("MissingParameter", "The request must contain the parameter MinCount");
        }
        if (call.string("MaxCount") == null) {
            throw new EngineException("MissingParameter", "The request must contain the parameter MaxCount");
        }
        if (min < 1) {
            throw EngineException.invalid("Value (" + min + ") for parameter minCount is invalid. Expected a positive"
                    + " integer.");
        }
        if (max < min) {
            throw EngineException.invalid("Value (" + max + ") for parameter maxCount is invalid. Expected a value"
                    + " at least minCount (" + min + ").");
        }
        if (min > RunRequest.MAX_COUNT) {
            throw new EngineException("InstanceLimitExceeded", "You have requested more instances (" + min
                    + ") than your current instance limit of " + RunRequest.MAX_COUNT + " allows.");
        }
        int count = Math.min(max, RunRequest.MAX_COUNT);
        String type = call.string("InstanceType") == null ? DEFAULT_TYPE : call.string("InstanceType");
        List<String> groups = new ArrayList<>(call.list("SecurityGroupId"));
        groups.addAll(call.list("SecurityGroup"));
        byte[] userData = null;
        String userDataText = call.string("UserData");
        if (userDataText != null && !userDataText.isEmpty()) {
            try {
                userData = Base64.getMimeDecoder().decode(userDataText);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("Invalid BASE64 encoding of user data.");
            }
        }
        Map<String, String> instanceTags = Ec2Items.tagSpecification(call, "instance", RUN_TAGGABLE);
        Map<String, String> volumeTags = Ec2Items.tagSpecification(call, "volume", RUN_TAGGABLE);
        Map<String, String> otherTags = new LinkedHashMap<>(instanceTags);
        String name = otherTags.remove(TagService.NAME);
        int rootGiB = rootVolumeSize(call);
        RunRequest request = new RunRequest(imageId, type, call.string("KeyName"), groups, count, name, userData,
                rootGiB, call.string("MetadataOptions.HttpTokens"));
        // What RunInstances would refuse, checked before DryRun answers (the launch checks it all again).
        instances().instanceTypes().stream().filter(t -> t.name().equals(type)).findFirst()
                .orElseThrow(() -> EngineException.invalid("Invalid value '" + type + "' for InstanceType."));
        engine.images().get(region, imageId);
        if (request.keyPair() != null && !request.keyPair().isBlank()) {
            engine.keyPairs().get(region, request.keyPair());
        }
        groups.forEach(g -> engine.securityGroups().get(region, g));
        call.checkDryRun();
        List<Instance> launched = instances().run(region, request);
        for (Instance i : launched) {
            items.applyTags(region, i.id(), otherTags);
            items.applyTags(region, Volume.rootVolumeIdOf(i.id()), withoutName(volumeTags));
        }
        Map<String, String> groupNames = items.groupNames(region);
        xml.text("reservationId", Ec2Items.reservationIdOf(launched.get(0))).text("ownerId", Ec2Items.OWNER_ID)
                .empty("groupSet").open("instancesSet");
        for (int n = 0; n < launched.size(); n++) {
            Instance i = instances().get(region, launched.get(n).id());
            xml.open("item");
            items.instance(xml, region, i, List.of(), groupNames);
            xml.close();
        }
        xml.close();
    }

    /** A root volume's Name is its instance's: only the other tags go on it. */
    private static Map<String, String> withoutName(Map<String, String> tags) {
        Map<String, String> out = new LinkedHashMap<>(tags);
        out.remove(TagService.NAME);
        return out;
    }

    /** {@code BlockDeviceMapping.N.Ebs.VolumeSize} of the root device, 0 for the image's size. */
    private static int rootVolumeSize(Ec2Call call) {
        for (Map<String, String> mapping : call.structures("BlockDeviceMapping")) {
            String device = mapping.get("DeviceName");
            if (device != null && !device.equals(Ec2Items.ROOT_DEVICE) && !device.equals("/dev/sda1")) {
                throw EngineException.invalid("Only the root device (" + Ec2Items.ROOT_DEVICE + ") can be mapped at"
                        + " launch; attach other volumes with AttachVolume.");
            }
            String size = mapping.get("Ebs.VolumeSize");
            if (size != null) {
                try {
                    return Integer.parseInt(size);
                } catch (NumberFormatException e) {
                    throw EngineException.invalid("Invalid value '" + size + "' for Ebs.VolumeSize.");
                }
            }
        }
        return 0;
    }

    private void describe(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("InstanceId");
        Ec2Pages.refuseWithIds(call, ids, "instancesSet");
        Predicate<Instance> matches = instanceFilters(region).matcher(call.filters());
        List<Instance> found = Ec2Items.byIds(ids, id -> instances().get(region, id),
                instances().list(region).items()).stream().filter(matches).toList();
        Ec2Pages.Page<Instance> page = Ec2Pages.of(call, found, Instance::id, 5, 1000);
        call.checkDryRun();
        Map<String, String> groupNames = items.groupNames(region);
        Map<String, List<Volume>> volumes = items.attachedVolumes(region);
        // The page counts instances, as EC2's MaxResults does; its instances are grouped by launch.
        Map<String, List<Instance>> byReservation = new java.util.LinkedHashMap<>();
        for (Instance i : page.items()) {
            byReservation.computeIfAbsent(Ec2Items.reservationIdOf(i), r -> new java.util.ArrayList<>()).add(i);
        }
        xml.open("reservationSet");
        for (List<Instance> members : byReservation.values()) {
            items.reservation(xml, region, members, volumes, groupNames);
        }
        xml.close().text("nextToken", page.nextToken());
    }

    private Ec2Filters<Instance> instanceFilters(String region) {
        return new Ec2Filters<Instance>()
                .on("instance-id", Instance::id)
                .on("instance-state-name", i -> i.state().awsName())
                .on("instance-state-code", i -> i.state().code())
                .on("instance-type", Instance::instanceType)
                .on("image-id", Instance::imageId)
                .on("key-name", Instance::keyName)
                .on("private-ip-address", Instance::privateIp)
                .on("ip-address", Instance::publicIp)
                .on("availability-zone", i -> Ec2Items.zoneOf(region))
                .on("reservation-id", Ec2Items::reservationIdOf)
                .on("architecture", i -> Ec2Items.architecture())
                .onAll("instance.group-id", Instance::securityGroupIds)
                .onAll("group-id", Instance::securityGroupIds)
                .tags(i -> items.tagsOf(region, i.id()));
    }

    private void describeStatus(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("InstanceId");
        Ec2Pages.refuseWithIds(call, ids, "instancesSet");
        boolean all = call.bool("IncludeAllInstances", false);
        Predicate<Instance> matches = new Ec2Filters<Instance>()
                .on("instance-state-name", i -> i.state().awsName())
                .on("instance-state-code", i -> i.state().code())
                .on("availability-zone", i -> Ec2Items.zoneOf(region))
                .on("instance-status.status", i -> status(i.state()))
                .on("system-status.status", i -> status(i.state()))
                .matcher(call.filters());
        List<Instance> found = Ec2Items.byIds(ids, id -> instances().get(region, id),
                instances().list(region).items()).stream()
                .filter(i -> all || i.state() == InstanceState.RUNNING).filter(matches).toList();
        Ec2Pages.Page<Instance> page = Ec2Pages.of(call, found, Instance::id, 5, 1000);
        call.checkDryRun();
        xml.open("instanceStatusSet");
        for (Instance i : page.items()) {
            xml.open("item").text("instanceId", i.id()).text("availabilityZone", Ec2Items.zoneOf(region))
                    .empty("eventsSet");
            Ec2Items.state(xml, "instanceState", i.state());
            for (String element : List.of("systemStatus", "instanceStatus")) {
                String status = status(i.state());
                xml.open(element).text("status", status).open("details").open("item").text("name", "reachability")
                        .text("status", status.equals("ok") ? "passed" : status.equals("initializing")
                                ? "initializing" : "not-applicable").close().close().close();
            }
            xml.close();
        }
        xml.close().text("nextToken", page.nextToken());
    }

    /** EC2's status checks: a running guest answered SSH (ok); one starting is initializing. */
    private static String status(InstanceState state) {
        return switch (state) {
            case RUNNING -> "ok";
            case PENDING -> "initializing";
            default -> "not-applicable";
        };
    }

    /** Start, stop or terminate each instance named, in order; every id is checked before any is changed. */
    private void change(Ec2Call call, XmlWriter xml, InstanceRequest request) {
        String region = call.region();
        List<Instance> targets = targets(call);
        for (Instance i : targets) {
            boolean done = alreadyThere(request, i.state());
            if (!done && !i.state().allows(request)) {
                throw new EngineException("IncorrectInstanceState", "The instance '" + i.id() + "' is not in a state"
                        + " from which it can be " + request.pastTense() + " (it is " + i.state().awsName() + ").");
            }
        }
        call.checkDryRun();
        String element = "instancesSet";
        xml.open(element);
        for (Instance before : targets) {
            Instance after = alreadyThere(request, before.state()) ? before : soon(region, before.id(), request,
                    () -> switch (request) {
                        case START -> instances().start(region, before.id());
                        case STOP -> instances().stop(region, before.id());
                        case TERMINATE -> instances().terminate(region, before.id());
                        case REBOOT -> throw new IllegalArgumentException("reboot answers no states");
                    });
            xml.open("item").text("instanceId", before.id());
            Ec2Items.state(xml, "currentState", after.state());
            Ec2Items.state(xml, "previousState", before.state());
            xml.close();
        }
        xml.close();
    }

    /**
     * Runs a change on its own thread and answers as EC2 does, without waiting for a guest to shut down: the change's
     * result if it is done within {@link #ANSWER_WITHIN_MILLIS} (its refusal thrown, so nothing was changed), else the
     * state the instance is in by then (stopping, shutting-down), the change going on in the background.
     */
    private Instance soon(String region, String id, InstanceRequest request,
            java.util.function.Supplier<Instance> change) {
        java.util.concurrent.CompletableFuture<Instance> done = new java.util.concurrent.CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                done.complete(change.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                LOG.log(System.Logger.Level.WARNING, request + " " + id + ": " + e.getMessage());
            }
        }, request.name().toLowerCase(java.util.Locale.ROOT) + " " + id);
        thread.setDaemon(true);
        thread.start();
        try {
            return done.get(ANSWER_WITHIN_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return instances().get(region, id);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return instances().get(region, id);
        }
    }

    /** How long a start, stop or terminate is waited for before it is answered as under way. */
    private static final long ANSWER_WITHIN_MILLIS = 1000;

    /** Whether the instance is already where the request takes it (EC2 answers it then, changing nothing). */
    private static boolean alreadyThere(InstanceRequest request, InstanceState state) {
        return switch (request) {
            case START -> state == InstanceState.RUNNING || state == InstanceState.PENDING;
            case STOP -> state == InstanceState.STOPPED || state == InstanceState.STOPPING;
            case TERMINATE -> state == InstanceState.TERMINATED || state == InstanceState.SHUTTING_DOWN;
            case REBOOT -> false;
        };
    }

    /** The instances of {@code InstanceId.N}, each found (or the whole call refused). */
    private List<Instance> targets(Ec2Call call) {
        List<String> ids = call.list("InstanceId");
        if (ids.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter InstanceId");
        }
        return ids.stream().distinct().map(id -> instances().get(call.region(), id)).toList();
    }

    private void reboot(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<Instance> targets = targets(call);
        for (Instance i : targets) {
            if (!i.state().allows(InstanceRequest.REBOOT)) {
                throw new EngineException("IncorrectInstanceState", "The instance '" + i.id() + "' is not running"
                        + " (it is " + i.state().awsName() + ").");
            }
        }
        call.checkDryRun();
        for (Instance i : targets) {
            Thread thread = new Thread(() -> {
                try {
                    instances().reboot(region, i.id());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "RebootInstances " + i.id() + ": " + e.getMessage());
                }
            }, "reboot " + i.id());
            thread.setDaemon(true);
            thread.start();
        }
        xml.text("return", true);
    }

    private void consoleOutput(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String id = call.required("InstanceId");
        instances().get(region, id);
        call.checkDryRun();
        String output = instances().consoleOutput(region, id, CONSOLE_BYTES);
        xml.text("instanceId", id).text("timestamp", Instant.now())
                .text("output", Base64.getEncoder().encodeToString(output.getBytes(StandardCharsets.UTF_8)));
    }

    private void describeTypes(Ec2Call call, XmlWriter xml) {
        List<InstanceType> types = instances().instanceTypes();
        List<String> names = call.list("InstanceType");
        for (String name : names) {
            if (types.stream().noneMatch(t -> t.name().equals(name))) {
                throw new EngineException("InvalidInstanceType", "The following supplied instance types do not exist:"
                        + " [" + name + "]");
            }
        }
        Predicate<InstanceType> matches = new Ec2Filters<InstanceType>()
                .on("instance-type", InstanceType::name)
                .on("vcpu-info.default-vcpus", InstanceType::vcpus)
                .on("memory-info.size-in-mib", InstanceType::memoryMiB)
                .on("processor-info.supported-architecture", t -> Ec2Items.architecture())
                .on("current-generation", t -> true)
                .matcher(call.filters());
        List<InstanceType> found = types.stream().filter(t -> names.isEmpty() || names.contains(t.name()))
                .filter(matches).toList();
        Ec2Pages.Page<InstanceType> page = Ec2Pages.of(call, found, InstanceType::name, 5, 100);
        call.checkDryRun();
        xml.open("instanceTypeSet");
        for (InstanceType t : page.items()) {
            xml.open("item").text("instanceType", t.name()).text("currentGeneration", true)
                    .text("freeTierEligible", t.name().equals(DEFAULT_TYPE))
                    .open("supportedUsageClasses").text("item", "on-demand").close()
                    .open("supportedRootDeviceTypes").text("item", "ebs").close()
                    .open("supportedVirtualizationTypes").text("item", "hvm").close()
                    .text("bareMetal", false).text("hypervisor", "nitro")
                    .open("processorInfo").open("supportedArchitectures").text("item", Ec2Items.architecture())
                    .close().close()
                    .open("vCpuInfo").text("defaultVCpus", t.vcpus()).text("defaultCores", t.vcpus())
                    .text("defaultThreadsPerCore", 1).close()
                    .open("memoryInfo").text("sizeInMiB", t.memoryMiB()).close()
                    .text("instanceStorageSupported", false).text("hibernationSupported", false)
                    .text("burstablePerformanceSupported", t.name().startsWith("t"))
                    .text("dedicatedHostsSupported", false).text("autoRecoverySupported", false)
                    .open("supportedBootModes").text("item", "legacy-bios").close()
                    .close();
        }
        xml.close().text("nextToken", page.nextToken());
    }

    /** The instance type ({@code InstanceType.Value} or Attribute=instanceType) or the security groups. */
    private void modifyAttribute(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String id = call.required("InstanceId");
        Instance instance = instances().get(region, id);
        String attribute = call.string("Attribute");
        String type = call.string("InstanceType.Value");
        if ("instanceType".equals(attribute)) {
            type = call.required("Value");
        } else if (attribute != null && !attribute.equals("groupSet")) {
            throw new EngineException("InvalidParameterValue", "Nube can change the attributes instanceType and"
                    + " groupSet, not '" + attribute + "'.");
        }
        List<String> groups = call.list("GroupId");
        if (type == null && groups.isEmpty()) {
            throw new EngineException("MissingParameter", "Name an attribute to change: InstanceType or GroupId.");
        }
        if (type != null && !groups.isEmpty()) {
            throw new EngineException("InvalidParameterCombination", "Change one attribute at a time.");
        }
        if (type != null) {
            String wanted = type;
            instances().instanceTypes().stream().filter(t -> t.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> EngineException.invalid("Invalid value '" + wanted + "' for InstanceType."));
            if (instance.state() != InstanceState.STOPPED) {
                throw new EngineException("IncorrectInstanceState", "The instance '" + id + "' is not in the 'stopped'"
                        + " state.");
            }
            call.checkDryRun();
            instances().setInstanceType(region, id, wanted);
        } else {
            groups.forEach(g -> engine.securityGroups().get(region, g));
            call.checkDryRun();
            instances().setSecurityGroups(region, id, groups);
        }
        xml.text("return", true);
    }

    /** HttpTokens can change; HttpEndpoint, the hop limit and the rest are refused unless they ask for what is. */
    private void modifyMetadataOptions(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String id = call.required("InstanceId");
        Instance instance = instances().get(region, id);
        String endpoint = call.string("HttpEndpoint");
        String hops = call.string("HttpPutResponseHopLimit");
        if (endpoint != null && !endpoint.equals("enabled") || hops != null && !hops.equals("1")
                || call.string("HttpProtocolIpv6") != null && !call.string("HttpProtocolIpv6").equals("disabled")
                || call.string("InstanceMetadataTags") != null
                && !call.string("InstanceMetadataTags").equals("disabled")) {
            throw new EngineException("InvalidParameterValue", "Nube's metadata service is always enabled, over IPv4,"
                    + " one hop, without tags; only HttpTokens can change.");
        }
        String tokens = call.string("HttpTokens");
        if (tokens != null && !tokens.equals("required") && !tokens.equals("optional")) {
            throw new EngineException("InvalidParameterValue", "Invalid value '" + tokens + "' for HttpTokens: it is"
                    + " 'required' or 'optional'.");
        }
        call.checkDryRun();
        Instance changed = tokens == null ? instance : instances().setMetadataTokens(region, id, tokens);
        xml.text("instanceId", id);
        Ec2Items.metadataOptions(xml, "instanceMetadataOptions", changed);
    }
}
