package dev.nube.engine.compute.tags;

import dev.nube.engine.EngineException;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionScoped;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.EngineEvent;
import dev.nube.engine.store.EventBus;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tag service: one document per region ({@value #FILE} in the region's root, written atomically) holding every
 * tag but the names of instances and volumes, which stay on those resources ({@link TaggedKind#named}). The
 * documents are read once and kept; every change is serialised on this object and written before it returns. Calls
 * out to other services (does it exist, rename) are made outside that lock, so a service that publishes while
 * holding its own lock never waits on this one. A resource's tags are dropped when its deletion is published
 * ({@link #onEvent}); until then, and for deletions the engine did not see, listings skip ids that no longer exist.
 */
public final class Tags implements TagService, RegionScoped {
    static final String FILE = "tags.json";

    private final RegionService regions;
    private final EventBus events;
    private final Map<ResourceKind, TaggedKind> kinds = new LinkedHashMap<>();
    /** Region to resource id to key to value, as in the region's document. Guarded by this. */
    private final Map<String, Map<String, TreeMap<String, String>>> loaded = new HashMap<>();

    /** {@code kinds}: how to reach each kind of resource that can be tagged. */
    public Tags(RegionService regions, EventBus events, List<TaggedKind> kinds) {
        this.regions = regions;
        this.events = events;
        kinds.forEach(k -> this.kinds.put(k.kind(), k));
    }

    /** The region's document: resource id to its tags. */
    record TagDocument(Map<String, TreeMap<String, String>> resources) {
    }

    @Override
    public SortedMap<String, String> tagsOf(String region, String resourceId) {
        TaggedKind kind = kindOf(resourceId);
        TreeMap<String, String> tags;
        synchronized (this) {
            tags = new TreeMap<>(document(region).getOrDefault(resourceId, new TreeMap<>()));
        }
        if (kind != null && kind.named()) {
            String name = kind.nameOf(region, resourceId);
            if (name != null && !name.isEmpty()) {
                tags.put(NAME, name);
            }
        }
        return tags;
    }

    @Override
    public List<Tag> list(String region) {
        Map<String, TreeMap<String, String>> stored;
        synchronized (this) {
            stored = new TreeMap<>(document(region));
        }
        List<Tag> out = new ArrayList<>();
        for (Map.Entry<String, TreeMap<String, String>> entry : stored.entrySet()) {
            TaggedKind kind = kindOf(entry.getKey());
            if (kind != null && !kind.named() && kind.exists(region, entry.getKey())) {
                entry.getValue().forEach((k, v) -> out.add(new Tag(entry.getKey(), kind.kind(), k, v)));
            }
        }
        for (TaggedKind kind : kinds.values()) {
            if (kind.named()) {
                for (String id : kind.ids(region)) {
                    tagsOf(region, id).forEach((k, v) -> out.add(new Tag(id, kind.kind(), k, v)));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Tag::resourceId).thenComparing(Tag::key));
        return out;
    }

    @Override
    public void checkResources(String region, List<String> resourceIds) {
        resolve(region, resourceIds);
    }

    @Override
    public void create(String region, List<String> resourceIds, Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter Tag.");
        }
        Map<String, TaggedKind> targets = resolve(region, resourceIds);
        tags.forEach((key, value) -> check(key, value));
        for (Map.Entry<String, TaggedKind> target : targets.entrySet()) {
            TreeMap<String, String> after = new TreeMap<>(tagsOf(region, target.getKey()));
            after.putAll(tags);
            if (after.size() > MAX_TAGS) {
                throw new EngineException("TagLimitExceeded", "A resource has at most " + MAX_TAGS + " tags; "
                        + target.getKey() + " would have " + after.size() + ".");
            }
            String name = tags.get(NAME);
            if (target.getValue().named() && name != null && name.chars().anyMatch(c -> c < 0x20)) {
                throw EngineException.invalid("The Name of " + target.getKey() + " cannot hold control characters.");
            }
        }
        for (Map.Entry<String, TaggedKind> target : targets.entrySet()) {
            TaggedKind kind = target.getValue();
            Map<String, String> stored = new TreeMap<>(tags);
            if (kind.named() && stored.containsKey(NAME)) {
                kind.rename(region, target.getKey(), stored.remove(NAME));
            }
            if (!stored.isEmpty()) {
                change(region, target.getKey(), current -> current.putAll(stored));
            }
            publish(region, kind, target.getKey());
        }
    }

    @Override
    public void delete(String region, List<String> resourceIds, Map<String, String> tags) {
        Map<String, TaggedKind> targets = resolve(region, resourceIds);
        for (Map.Entry<String, TaggedKind> target : targets.entrySet()) {
            String id = target.getKey();
            TaggedKind kind = target.getValue();
            SortedMap<String, String> current = tagsOf(region, id);
            List<String> gone = new ArrayList<>();
            current.forEach((key, value) -> {
                boolean asked = tags == null || tags.isEmpty() || tags.containsKey(key);
                String wanted = tags == null ? null : tags.get(key);
                if (asked && (wanted == null || wanted.equals(value))) {
                    gone.add(key);
                }
            });
            if (gone.isEmpty()) {
                continue;
            }
            if (kind.named() && gone.remove(NAME)) {
                kind.rename(region, id, "");
            }
            change(region, id, stored -> gone.forEach(stored::remove));
            publish(region, kind, id);
        }
    }

    /** Drops the tags of a resource whose deletion is published. */
    public void onEvent(EngineEvent event) {
        if (event instanceof ResourceChanged changed && changed.change() == ResourceChanged.Change.DELETED) {
            synchronized (this) {
                if (regions.list().stream().anyMatch(r -> r.name().equals(changed.region()))
                        && document(changed.region()).containsKey(changed.id())) {
                    change(changed.region(), changed.id(), Map::clear);
                }
            }
        }
    }

    /** Each id's kind, once each id was found to exist; {@code InvalidID} or the kind's NotFound code if not. */
    private Map<String, TaggedKind> resolve(String region, List<String> resourceIds) {
        if (resourceIds == null || resourceIds.isEmpty()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter ResourceId.");
        }
        Map<String, TaggedKind> targets = new LinkedHashMap<>();
        for (String id : new LinkedHashSet<>(resourceIds)) {
            TaggedKind kind = kindOf(id);
            if (kind == null) {
                throw new EngineException("InvalidID", "The ID '" + id + "' is not valid.");
            }
            kind.check(region, id);
            targets.put(id, kind);
        }
        return targets;
    }

    private TaggedKind kindOf(String id) {
        if (id == null) {
            return null;
        }
        for (TaggedKind kind : kinds.values()) {
            if (id.startsWith(kind.kind().prefix() + "-")) {
                return kind;
            }
        }
        return null;
    }

    /**
     * Refuses a tag EC2 refuses: an empty key, one over the length limits, one starting with {@code aws:}, and a key
     * or value with a control character (which EC2's XML answers could not carry).
     */
    public static void check(String key, String value) {
        if (key == null || key.isEmpty()) {
            throw EngineException.invalid("A tag key cannot be empty.");
        }
        if (hasControl(key) || (value != null && hasControl(value))) {
            throw EngineException.invalid("Tag keys and values cannot contain control characters (tabs, line breaks"
                    + " and the like).");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw EngineException.invalid("Tag key exceeds the maximum length of " + MAX_KEY_LENGTH + " characters: '"
                    + key.substring(0, 20) + "...'.");
        }
        if (key.regionMatches(true, 0, "aws:", 0, 4)) {
            throw EngineException.invalid("Tag keys starting with 'aws:' are reserved for internal use: '" + key
                    + "'.");
        }
        if (value != null && value.length() > MAX_VALUE_LENGTH) {
            throw EngineException.invalid("Tag value exceeds the maximum length of " + MAX_VALUE_LENGTH
                    + " characters (key '" + key + "').");
        }
    }

    private static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> Character.isISOControl(c) || c == 0xFFFE || c == 0xFFFF);
    }

    private void publish(String region, TaggedKind kind, String id) {
        events.publish(new ResourceChanged(region, kind.kind(), id, ResourceChanged.Change.UPDATED));
    }

    /** Changes one resource's stored tags and writes the region's document. */
    private synchronized void change(String region, String id, java.util.function.Consumer<Map<String, String>> edit) {
        Map<String, TreeMap<String, String>> document = document(region);
        Map<String, TreeMap<String, String>> updated = new TreeMap<>(document);
        TreeMap<String, String> tags = new TreeMap<>(document.getOrDefault(id, new TreeMap<>()));
        edit.accept(tags);
        if (tags.isEmpty()) {
            updated.remove(id);
        } else {
            updated.put(id, tags);
        }
        // Written first: the kept copy never shows what the disk does not hold.
        DocumentStore.write(file(region), new TagDocument(updated));
        loaded.put(region, updated);
    }

    /** The region's tags as kept, read on first use. Caller holds this object's monitor. */
    private Map<String, TreeMap<String, String>> document(String region) {
        return loaded.computeIfAbsent(region, r -> DocumentStore.read(file(r), TagDocument.class)
                .map(d -> d.resources() == null ? Map.<String, TreeMap<String, String>>of() : d.resources())
                .map(m -> (Map<String, TreeMap<String, String>>) new TreeMap<>(m)).orElseGet(TreeMap::new));
    }

    private Path file(String region) {
        return regions.get(region).root().resolve(FILE);
    }

    @Override
    public List<String> contentsOf(Region region) {
        return List.of(); // tags go with their resources
    }

    @Override
    public synchronized void regionRemoved(Region region) {
        loaded.remove(region.name());
        try {
            Files.deleteIfExists(region.root().resolve(FILE));
        } catch (IOException e) {
            throw new EngineException("StorageError", "Could not delete " + region.root().resolve(FILE) + ": "
                    + e.getMessage(), e);
        }
    }
}
