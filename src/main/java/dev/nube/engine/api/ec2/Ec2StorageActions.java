package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.images.ImageService;
import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.tags.TagService;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * EC2's storage and image actions: Create/Describe/Attach/Detach/Delete/ModifyVolume, Create/Describe/Delete/
 * CopySnapshot, DescribeImages (which makes the built-in image "Nube Linux (tiny)" when the region has none, so there
 * is always an image to launch), DeregisterImage, CreateImage and CopyImage. Every volume is listed as {@code gp3} in
 * the region's one zone; ModifyVolume changes the size only, and has finished when it answers. CopySnapshot and
 * CopyImage are called in the destination region, naming the source with {@code SourceRegion}, as on EC2.
 * Thread-safe: every request works through the engine's thread-safe services.
 */
final class Ec2StorageActions {
    private static final Set<String> VOLUME_TAGGABLE = Set.of("volume");
    private static final Set<String> SNAPSHOT_TAGGABLE = Set.of("snapshot");
    private static final Set<String> IMAGE_TAGGABLE = Set.of("image", "snapshot");

    private final Engine engine;
    private final Ec2Items items;

    Ec2StorageActions(Engine engine, Ec2Items items) {
        this.engine = engine;
        this.items = items;
    }

    void register(Ec2Api api) {
        api.put("CreateVolume", this::createVolume);
        api.put("DescribeVolumes", this::describeVolumes);
        api.put("AttachVolume", this::attachVolume);
        api.put("DetachVolume", this::detachVolume);
        api.put("DeleteVolume", this::deleteVolume);
        api.put("ModifyVolume", this::modifyVolume);
        api.put("CreateSnapshot", this::createSnapshot);
        api.put("DescribeSnapshots", this::describeSnapshots);
        api.put("DeleteSnapshot", this::deleteSnapshot);
        api.put("CopySnapshot", this::copySnapshot);
        api.put("DescribeImages", this::describeImages);
        api.put("DeregisterImage", this::deregisterImage);
        api.put("CreateImage", this::createImage);
        api.put("CopyImage", this::copyImage);
    }

    // ---- volumes

    private void createVolume(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String zone = call.required("AvailabilityZone");
        if (!zone.equals(Ec2Items.zoneOf(region))) {
            throw EngineException.invalid("Invalid availability zone: [" + zone + "]; region " + region + " has "
                    + Ec2Items.zoneOf(region) + ".");
        }
        String snapshotId = call.string("SnapshotId");
        int size = call.integer("Size", 0);
        if (size == 0 && (snapshotId == null || snapshotId.isEmpty())) {
            throw new EngineException("MissingParameter", "The request must contain the parameter size or"
                    + " snapshotId");
        }
        if (call.bool("Encrypted", false)) {
            throw EngineException.invalid("Nube's volumes are not encrypted.");
        }
        Map<String, String> tags = new LinkedHashMap<>(Ec2Items.tagSpecification(call, "volume", VOLUME_TAGGABLE));
        String name = tags.remove(TagService.NAME);
        if (snapshotId != null && !snapshotId.isEmpty()) {
            engine.snapshots().get(region, snapshotId);
        }
        call.checkDryRun();
        Volume volume = engine.volumes().create(region, size, snapshotId, name);
        items.applyTags(region, volume.id(), tags);
        items.volume(xml, region, engine.volumes().get(region, volume.id()));
    }

    private void describeVolumes(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("VolumeId");
        Ec2Pages.refuseWithIds(call, ids, "volumeSet");
        Predicate<Volume> matches = new Ec2Filters<Volume>()
                .on("volume-id", Volume::id).on("status", Volume::stateName).on("size", Volume::sizeGiB)
                .on("snapshot-id", Volume::snapshotId).on("volume-type", v -> Ec2Items.VOLUME_TYPE)
                .on("availability-zone", v -> Ec2Items.zoneOf(region)).on("create-time", Volume::createdAt)
                .on("attachment.instance-id", v -> v.attachment() == null ? null : v.attachment().instanceId())
                .on("attachment.device", v -> v.attachment() == null ? null : v.attachment().device())
                .on("attachment.status", v -> v.attachment() == null ? null : v.attachment().state().awsName())
                .on("attachment.delete-on-termination", v -> v.attachment() == null ? null
                        : v.attachment().deleteOnTermination())
                .tags(v -> items.tagsOf(region, v.id())).matcher(call.filters());
        List<Volume> found = Ec2Items.byIds(ids, id -> engine.volumes().get(region, id),
                engine.volumes().list(region).items()).stream().filter(matches).toList();
        Ec2Pages.write(call, xml, "volumeSet", found, Volume::id, 5, 500,
                (out, item) -> items.volume(out, region, item));
    }

    private void attachVolume(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String volumeId = call.required("VolumeId");
        String instanceId = call.required("InstanceId");
        String device = call.required("Device");
        engine.volumes().get(region, volumeId);
        engine.instances().get(region, instanceId);
        call.checkDryRun();
        Volume volume = engine.volumes().attach(region, volumeId, instanceId, device);
        Ec2Items.attachment(xml, volume.id(), volume.attachment());
    }

    private void detachVolume(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String volumeId = call.required("VolumeId");
        Volume before = engine.volumes().get(region, volumeId);
        if (before.attachment() == null) {
            throw new EngineException("IncorrectState", "Volume '" + volumeId + "' is in the 'available' state.");
        }
        String instanceId = call.string("InstanceId");
        if (instanceId != null && !instanceId.equals(before.attachment().instanceId())) {
            throw new EngineException("InvalidAttachment.NotFound", "Volume '" + volumeId + "' is not attached to"
                    + " instance '" + instanceId + "'.");
        }
        String device = call.string("Device");
        if (device != null && !device.equals(before.attachment().device())) {
            throw new EngineException("InvalidAttachment.NotFound", "Volume '" + volumeId + "' is not attached as "
                    + device + ".");
        }
        call.checkDryRun();
        engine.volumes().detach(region, volumeId);
        var a = before.attachment();
        xml.text("volumeId", volumeId).text("instanceId", a.instanceId()).text("device", a.device())
                .text("status", "detached").text("attachTime", a.attachedAt())
                .text("deleteOnTermination", a.deleteOnTermination());
    }

    private void deleteVolume(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String volumeId = call.required("VolumeId");
        engine.volumes().get(region, volumeId);
        call.checkDryRun();
        engine.volumes().delete(region, volumeId);
        xml.text("return", true);
    }

    private void modifyVolume(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String volumeId = call.required("VolumeId");
        Volume before = engine.volumes().get(region, volumeId);
        String type = call.string("VolumeType");
        if (type != null && !type.equals(Ec2Items.VOLUME_TYPE)) {
            throw EngineException.invalid("Nube's volumes are " + Ec2Items.VOLUME_TYPE + "; only their size can"
                    + " change.");
        }
        if (call.string("Size") == null) {
            throw new EngineException("MissingParameter", "The request must contain the parameter Size");
        }
        int size = call.integer("Size", 0);
        if (size < before.sizeGiB()) {
            throw EngineException.invalid("New size cannot be smaller than existing size (" + before.sizeGiB()
                    + " GiB).");
        }
        call.checkDryRun();
        Instant start = Instant.now();
        Volume after = engine.volumes().resize(region, volumeId, size);
        xml.open("volumeModification").text("volumeId", volumeId).text("modificationState", "completed")
                .text("targetSize", after.sizeGiB()).text("targetVolumeType", Ec2Items.VOLUME_TYPE)
                .text("originalSize", before.sizeGiB()).text("originalVolumeType", Ec2Items.VOLUME_TYPE)
                .text("progress", 100).text("startTime", start).text("endTime", Instant.now()).close();
    }

    // ---- snapshots

    private void createSnapshot(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String volumeId = call.required("VolumeId");
        Map<String, String> tags = Ec2Items.tagSpecification(call, "snapshot", SNAPSHOT_TAGGABLE);
        engine.volumes().get(region, volumeId);
        call.checkDryRun();
        Snapshot snapshot = engine.snapshots().create(region, volumeId, call.string("Description"));
        items.applyTags(region, snapshot.id(), tags);
        items.snapshot(xml, region, snapshot);
    }

    private void describeSnapshots(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("SnapshotId");
        Ec2Pages.refuseWithIds(call, ids, "snapshotSet");
        boolean ours = call.list("Owner").stream().allMatch(o -> o.equals("self") || o.equals(Ec2Items.OWNER_ID));
        Predicate<Snapshot> matches = new Ec2Filters<Snapshot>()
                .on("snapshot-id", Snapshot::id).on("volume-id", Snapshot::volumeId).on("status", Snapshot::stateName)
                .on("description", Snapshot::description).on("volume-size", Snapshot::volumeSizeGiB)
                .on("owner-id", s -> Ec2Items.OWNER_ID).on("progress", s -> s.progress() + "%")
                .on("start-time", Snapshot::startTime)
                .tags(s -> items.tagsOf(region, s.id())).matcher(call.filters());
        List<Snapshot> found = Ec2Items.byIds(ids, id -> engine.snapshots().get(region, id),
                engine.snapshots().list(region).items()).stream().filter(s -> ours).filter(matches).toList();
        Ec2Pages.write(call, xml, "snapshotSet", found, Snapshot::id, 5, 1000,
                (out, item) -> items.snapshot(out, region, item));
    }

    private void deleteSnapshot(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String id = call.required("SnapshotId");
        engine.snapshots().get(region, id);
        call.checkDryRun();
        engine.snapshots().delete(region, id);
        xml.text("return", true);
    }

    private void copySnapshot(Ec2Call call, XmlWriter xml) {
        String destination = call.region();
        String source = call.required("SourceRegion");
        String id = call.required("SourceSnapshotId");
        String asked = call.string("DestinationRegion");
        if (asked != null && !asked.equals(destination)) {
            throw EngineException.invalid("CopySnapshot is called in the destination region (" + destination
                    + "), not " + asked + ".");
        }
        Map<String, String> tags = Ec2Items.tagSpecification(call, "snapshot", SNAPSHOT_TAGGABLE);
        engine.regions().get(source);
        engine.snapshots().get(source, id);
        call.checkDryRun();
        Snapshot copy = engine.snapshots().copy(source, id, destination, call.string("Description"));
        items.applyTags(destination, copy.id(), tags);
        xml.text("snapshotId", copy.id());
        Ec2Items.tagSet(xml, items.tagsOf(destination, copy.id()));
    }

    // ---- images

    private void describeImages(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        List<String> ids = call.list("ImageId");
        Ec2Pages.refuseWithIds(call, ids, "imagesSet");
        boolean ours = call.list("Owner").stream().allMatch(o -> o.equals("self") || o.equals(Ec2Items.OWNER_ID));
        if (ids.isEmpty() && !call.bool("DryRun", false) && engine.images().list(region).items().stream()
                .noneMatch(i -> i.name().equals(ImageService.TINY_IMAGE_NAME))) {
            // The built-in image is there to launch from, as a region's public images are on EC2: made on the first
            // listing (from the cache, or built from Debian's packages on a fresh machine), as the console does.
            engine.images().ensureTinyImage(region);
        }
        Predicate<Image> matches = new Ec2Filters<Image>()
                .on("image-id", Image::id).on("name", Image::name).on("description", Image::description)
                .on("state", i -> i.state().awsName()).on("architecture", Image::architecture)
                .on("owner-id", i -> Ec2Items.OWNER_ID).on("image-type", i -> "machine")
                .on("is-public", i -> false).on("root-device-type", i -> "ebs")
                .on("virtualization-type", i -> "hvm")
                .on("block-device-mapping.snapshot-id", Image::snapshotId)
                .tags(i -> items.tagsOf(region, i.id())).matcher(call.filters());
        List<Image> found = Ec2Items.byIds(ids, id -> engine.images().get(region, id),
                engine.images().list(region).items()).stream().filter(i -> ours).filter(matches).toList();
        Ec2Pages.write(call, xml, "imagesSet", found, Image::id, 5, 1000,
                (out, item) -> items.image(out, region, item));
    }

    private void deregisterImage(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String id = call.required("ImageId");
        engine.images().get(region, id);
        call.checkDryRun();
        engine.images().deregister(region, id);
        xml.text("return", true);
    }

    private void createImage(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        String instanceId = call.required("InstanceId");
        String name = call.required("Name");
        Map<String, String> imageTags = Ec2Items.tagSpecification(call, "image", IMAGE_TAGGABLE);
        Map<String, String> snapshotTags = Ec2Items.tagSpecification(call, "snapshot", IMAGE_TAGGABLE);
        engine.instances().get(region, instanceId);
        call.checkDryRun();
        Image image = engine.imageBackups().createImage(region, instanceId, name, call.string("Description"),
                call.bool("NoReboot", false));
        items.applyTags(region, image.id(), imageTags);
        if (image.snapshotId() != null) {
            items.applyTags(region, image.snapshotId(), snapshotTags);
        }
        xml.text("imageId", image.id());
    }

    private void copyImage(Ec2Call call, XmlWriter xml) {
        String destination = call.region();
        String source = call.required("SourceRegion");
        String id = call.required("SourceImageId");
        String name = call.required("Name");
        engine.regions().get(source);
        engine.images().get(source, id);
        boolean copyTags = call.bool("CopyImageTags", false);
        call.checkDryRun();
        Image copy = engine.imageBackups().copyImage(source, id, destination, name, call.string("Description"));
        if (copyTags) {
            Map<String, String> tags = items.tagsOf(source, id);
            items.applyTags(destination, copy.id(), tags);
        }
        xml.text("imageId", copy.id());
    }
}
