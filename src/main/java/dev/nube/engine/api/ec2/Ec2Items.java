package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.engine.compute.tags.Tags;
import dev.nube.engine.store.ResourceKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What several EC2 actions write or read alike: an instance, a volume, a snapshot and an image as EC2's XML items, a
 * tag set, an instance state, the tags of {@code TagSpecification.N}. Nube has one account ({@link #OWNER_ID}) and
 * one availability zone per region ({@link #zoneOf}). The instances of one launch share a reservation, as on EC2
 * ({@link #reservationIdOf}). Stateless; thread-safe.
 */
final class Ec2Items {
    /** The account id every resource belongs to (the same as Lambda's ARNs). */
    static final String OWNER_ID = "000000000000";
    static final String ROOT_DEVICE = "/dev/xvda";
    /** What EC2 calls Nube's volumes (qcow2 files that grow as written). */
    static final String VOLUME_TYPE = "gp3";

    private final Engine engine;

    Ec2Items(Engine engine) {
        this.engine = engine;
    }

    /** A region's one availability zone: {@code local-1a}. */
    static String zoneOf(String region) {
        return region + "a";
    }

    /**
     * The reservation an instance is listed under: its launch's, or for an instance launched before Nube kept one,
     * {@code r-} and the instance's digits.
     */
    static String reservationIdOf(Instance instance) {
        String kept = instance.reservationId();
        return kept != null ? kept : "r-" + instance.id().substring(instance.id().indexOf('-') + 1);
    }

    /** The CPU architecture of this machine's guests, as EC2 names it. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x86_64";
    }

    /** EC2's name of a kind of resource in DescribeTags and TagSpecification ({@code security-group}, ...). */
    static String resourceType(ResourceKind kind) {
        return switch (kind) {
            case INSTANCE -> "instance";
            case IMAGE -> "image";
            case VOLUME -> "volume";
            case SNAPSHOT -> "snapshot";
            case SECURITY_GROUP -> "security-group";
            case ELASTIC_IP -> "elastic-ip";
            case KEY_PAIR -> "key-pair";
            case FUNCTION -> "function";
        };
    }

    Map<String, String> tagsOf(String region, String id) {
        return engine.tags().tagsOf(region, id);
    }

    /** {@code <tagSet>} with an item per tag ({@code <tagSet/>} when none). */
    static void tagSet(XmlWriter xml, Map<String, String> tags) {
        if (tags.isEmpty()) {
            xml.empty("tagSet");
            return;
        }
        xml.open("tagSet");
        tags.forEach((key, value) -> xml.open("item").text("key", key).text("value", value).close());
        xml.close();
    }

    /** {@code <name><code>16</code><name>running</name></name>}. */
    static void state(XmlWriter xml, String element, InstanceState state) {
        xml.open(element).text("code", state.code()).text("name", state.awsName()).close();
    }

    /**
     * The tags {@code TagSpecification.N} asks for on resources of {@code resourceType}, checked; refuses a
     * specification of another type than {@code allowed}.
     */
    static Map<String, String> tagSpecification(Ec2Call call, String resourceType, Set<String> allowed) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map<String, String> spec : call.structures("TagSpecification")) {
            String type = spec.get("ResourceType");
            if (type == null || !allowed.contains(type)) {
                throw EngineException.invalid("'" + type + "' is not a valid taggable resource type for this"
                        + " operation.");
            }
            if (!type.equals(resourceType)) {
                continue;
            }
            Map<Integer, String[]> pairs = new java.util.TreeMap<>();
            spec.forEach((name, value) -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("Tag\\.([0-9]{1,6})\\.(Key|Value)")
                        .matcher(name);
                if (m.matches()) {
                    String[] pair = pairs.computeIfAbsent(Integer.parseInt(m.group(1)), n -> new String[2]);
                    pair[m.group(2).equals("Key") ? 0 : 1] = value;
                }
            });
            for (String[] pair : pairs.values()) {
                Tags.check(pair[0], pair[1]);
                tags.put(pair[0], pair[1] == null ? "" : pair[1]);
            }
        }
        if (tags.size() > dev.nube.engine.compute.tags.TagService.MAX_TAGS) {
            throw new EngineException("TagLimitExceeded", "A resource has at most "
                    + dev.nube.engine.compute.tags.TagService.MAX_TAGS + " tags; " + tags.size() + " were given.");
        }
        return tags;
    }

    /** Tags a resource just made with what its TagSpecification asked for (nothing when empty). */
    void applyTags(String region, String id, Map<String, String> tags) {
        if (!tags.isEmpty()) {
            engine.tags().create(region, List.of(id), tags);
        }
    }

    /**
     * An instance's members (inside its {@code <item>}): {@code volumes} are the volumes attached to it besides its
     * root volume, {@code groupNames} security group ids to names.
     */
    void instance(XmlWriter xml, String region, Instance i, List<Volume> volumes, Map<String, String> groupNames) {
        xml.text("instanceId", i.id()).text("imageId", i.imageId());
        state(xml, "instanceState", i.state());
        String privateDns = i.privateIp() == null ? "" : "ip-" + i.privateIp().replace('.', '-') + "."
                + region + ".compute.internal";
        xml.text("privateDnsName", privateDns).text("dnsName", i.publicIp() == null ? "" : i.publicIp())
                .text("reason", i.stateReason() == null ? "" : i.stateReason()).text("keyName", i.keyName())
                .text("amiLaunchIndex", 0).empty("productCodes").text("instanceType", i.instanceType())
                .text("launchTime", i.launchTime());
        xml.open("placement").text("availabilityZone", zoneOf(region)).text("groupName", "")
                .text("tenancy", "default").close();
        xml.open("monitoring").text("state", "disabled").close();
        xml.text("privateIpAddress", i.privateIp()).text("ipAddress", i.publicIp());
        xml.open("groupSet");
        for (String groupId : i.securityGroupIds()) {
            xml.open("item").text("groupId", groupId).text("groupName", groupNames.get(groupId)).close();
        }
        xml.close();
        if (i.stateReason() != null && !i.stateReason().isBlank()) {
            String reason = i.stateReason();
            int colon = reason.indexOf(": ");
            boolean coded = colon > 0 && !reason.substring(0, colon).contains(" ");
            xml.open("stateReason").text("code", coded ? reason.substring(0, colon) : "Server.InternalError")
                    .text("message", reason).close();
        }
        xml.text("architecture", architecture()).text("rootDeviceType", "ebs").text("rootDeviceName", ROOT_DEVICE);
        xml.open("blockDeviceMapping");
        if (i.state() != InstanceState.TERMINATED) {
            xml.open("item").text("deviceName", ROOT_DEVICE).open("ebs")
                    .text("volumeId", Volume.rootVolumeIdOf(i.id())).text("status", "attached")
                    .text("attachTime", i.launchTime()).text("deleteOnTermination", true).close().close();
            for (Volume v : volumes) {
                VolumeAttachment a = v.attachment();
                xml.open("item").text("deviceName", a.device()).open("ebs").text("volumeId", v.id())
                        .text("status", a.state().awsName()).text("attachTime", a.attachedAt())
                        .text("deleteOnTermination", a.deleteOnTermination()).close().close();
            }
        }
        xml.close();
        xml.text("virtualizationType", "hvm").text("hypervisor", "xen");
        tagSet(xml, tagsOf(region, i.id()));
        xml.open("cpuOptions").text("coreCount", i.vcpus()).text("threadsPerCore", 1).close();
        metadataOptions(xml, "metadataOptions", i);
        xml.text("platformDetails", "Linux/UNIX");
    }

    /** EC2's instance metadata options: only HttpTokens can be chosen here; the rest is as Nube serves it. */
    static void metadataOptions(XmlWriter xml, String element, Instance i) {
        xml.open(element).text("state", "applied").text("httpTokens", i.httpTokens())
                .text("httpPutResponseHopLimit", 1).text("httpEndpoint", "enabled")
                .text("httpProtocolIpv6", "disabled").text("instanceMetadataTags", "disabled").close();
    }

    /** A reservation with its instances (those of one launch on the page being written), in the order given. */
    void reservation(XmlWriter xml, String region, List<Instance> members, Map<String, List<Volume>> volumes,
            Map<String, String> groups) {
        xml.open("item").text("reservationId", reservationIdOf(members.get(0))).text("ownerId", OWNER_ID)
                .empty("groupSet").open("instancesSet");
        for (Instance i : members) {
            xml.open("item");
            instance(xml, region, i, volumes.getOrDefault(i.id(), List.of()), groups);
            xml.close();
        }
        xml.close().close();
    }

    /** Security group ids to names, for the group sets of instances. */
    Map<String, String> groupNames(String region) {
        Map<String, String> names = new LinkedHashMap<>();
        engine.securityGroups().list(region).items().forEach(g -> names.put(g.id(), g.name()));
        return names;
    }

    /** The volumes attached to instances (root volumes left out), by instance id. */
    Map<String, List<Volume>> attachedVolumes(String region) {
        Map<String, List<Volume>> out = new LinkedHashMap<>();
        for (Volume v : engine.volumes().list(region).items()) {
            if (!v.root() && v.attachment() != null) {
                out.computeIfAbsent(v.attachment().instanceId(), k -> new java.util.ArrayList<>()).add(v);
            }
        }
        return out;
    }

    /** A volume's members. */
    void volume(XmlWriter xml, String region, Volume v) {
        xml.text("volumeId", v.id()).text("size", v.sizeGiB())
                .text("snapshotId", v.snapshotId() == null ? "" : v.snapshotId())
                .text("availabilityZone", zoneOf(region)).text("status", v.stateName())
                .text("createTime", v.createdAt());
        VolumeAttachment a = v.attachment();
        if (a == null) {
            xml.empty("attachmentSet");
        } else {
            xml.open("attachmentSet").open("item");
            attachment(xml, v.id(), a);
            xml.close().close();
        }
        tagSet(xml, tagsOf(region, v.id()));
        xml.text("volumeType", VOLUME_TYPE).text("iops", 3000).text("throughput", 125).text("encrypted", false)
                .text("multiAttachEnabled", false);
    }

    /** An attachment's members (also AttachVolume's and DetachVolume's answer). */
    static void attachment(XmlWriter xml, String volumeId, VolumeAttachment a) {
        xml.text("volumeId", volumeId).text("instanceId", a.instanceId()).text("device", a.device())
                .text("status", a.state().awsName()).text("attachTime", a.attachedAt())
                .text("deleteOnTermination", a.deleteOnTermination());
    }

    /** A snapshot's members. */
    void snapshot(XmlWriter xml, String region, Snapshot s) {
        xml.text("snapshotId", s.id()).text("volumeId", s.volumeId()).text("status", s.stateName())
                .text("startTime", s.startTime()).text("progress", s.progress() + "%").text("ownerId", OWNER_ID)
                .text("volumeSize", s.volumeSizeGiB()).text("description", s.description() == null ? ""
                        : s.description()).text("encrypted", false).text("storageTier", "standard");
        tagSet(xml, tagsOf(region, s.id()));
    }

    /** An image's members. */
    void image(XmlWriter xml, String region, Image image) {
        xml.text("imageId", image.id()).text("imageLocation", OWNER_ID + "/" + image.name())
                .text("imageState", image.state().awsName()).text("imageOwnerId", OWNER_ID)
                .text("creationDate", image.createdAt()).text("isPublic", false)
                .text("architecture", image.architecture()).text("imageType", "machine").text("name", image.name())
                .text("description", image.description()).text("rootDeviceType", "ebs")
                .text("rootDeviceName", ROOT_DEVICE);
        xml.open("blockDeviceMapping").open("item").text("deviceName", ROOT_DEVICE).open("ebs")
                .text("snapshotId", image.snapshotId()).text("volumeSize", image.rootDeviceGiB())
                .text("deleteOnTermination", true).text("volumeType", VOLUME_TYPE).text("encrypted", false)
                .close().close().close();
        xml.text("virtualizationType", "hvm").text("hypervisor", "xen").text("platformDetails", "Linux/UNIX")
                .text("usageOperation", "RunInstances");
        if (image.imdsSupport() != null) {
            xml.text("imdsSupport", image.imdsSupport());
        }
        if (image.bootsFromDisk()) {
            // EC2's words for an image that boots by UEFI or by the BIOS; absent, as on EC2, for the others.
            xml.text("bootMode", Image.BOOT_UEFI.equals(image.bootMode()) ? "uefi" : "legacy-bios");
        }
        tagSet(xml, tagsOf(region, image.id()));
    }

    /** Each id of {@code ids} found by {@code get} (which throws the kind's NotFound), or every one of {@code all}. */
    static <T> List<T> byIds(List<String> ids, java.util.function.Function<String, T> get, List<T> all) {
        return ids.isEmpty() ? all : ids.stream().distinct().map(get).toList();
    }
}
