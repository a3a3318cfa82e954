package dev.nube.engine.api.ec2;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.compute.tags.Tag;
import dev.nube.engine.compute.tags.Tags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * EC2's tag actions: CreateTags, DeleteTags and DescribeTags, over the engine's tag service (where an instance's or
 * a volume's {@code Name} tag is its name). DescribeTags pages by resource id and key. Thread-safe: every request
 * works through the engine's thread-safe tag service.
 */
final class Ec2TagActions {
    private final Engine engine;

    Ec2TagActions(Engine engine) {
        this.engine = engine;
    }

    void register(Ec2Api api) {
        api.put("CreateTags", this::create);
        api.put("DeleteTags", this::delete);
        api.put("DescribeTags", this::describe);
    }

    private void create(Ec2Call call, XmlWriter xml) {
        List<String> ids = resourceIds(call);
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map<String, String> tag : call.structures("Tag")) {
            String key = tag.get("Key");
            Tags.check(key, tag.get("Value"));
            tags.put(key, tag.get("Value") == null ? "" : tag.get("Value"));
        }
        if (tags.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter Tag");
        }
        checkExist(call, ids);
        call.checkDryRun();
        engine.tags().create(call.region(), ids, tags);
        xml.text("return", true);
    }

    private void delete(Ec2Call call, XmlWriter xml) {
        List<String> ids = resourceIds(call);
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map<String, String> tag : call.structures("Tag")) {
            String key = tag.get("Key");
            if (key == null || key.isEmpty()) {
                throw EngineException.invalid("A tag to delete needs its Key.");
            }
            tags.put(key, tag.get("Value"));
        }
        checkExist(call, ids);
        call.checkDryRun();
        engine.tags().delete(call.region(), ids, tags);
        xml.text("return", true);
    }

    private static List<String> resourceIds(Ec2Call call) {
        List<String> ids = call.list("ResourceId");
        if (ids.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter ResourceId");
        }
        return ids;
    }

    /** Every resource must exist before a DryRun may answer (the change itself checks them again). */
    private void checkExist(Ec2Call call, List<String> ids) {
        engine.tags().checkResources(call.region(), ids);
    }

    private void describe(Ec2Call call, XmlWriter xml) {
        String region = call.region();
        Predicate<Tag> matches = new Ec2Filters<Tag>()
                .on("key", Tag::key).on("value", Tag::value).on("resource-id", Tag::resourceId)
                .on("resource-type", t -> Ec2Items.resourceType(t.kind()))
                .matcher(call.filters());
        List<Tag> found = engine.tags().list(region).stream().filter(matches).toList();
        Ec2Pages.Page<Tag> page = Ec2Pages.of(call, found, t -> t.resourceId() + "\u0000" + t.key(), 5, 1000);
        call.checkDryRun();
        xml.open("tagSet");
        for (Tag t : page.items()) {
            xml.open("item").text("resourceId", t.resourceId()).text("resourceType", Ec2Items.resourceType(t.kind()))
                    .text("key", t.key()).text("value", t.value()).close();
        }
        xml.close().text("nextToken", page.nextToken());
    }
}
