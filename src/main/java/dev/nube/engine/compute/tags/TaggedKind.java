package dev.nube.engine.compute.tags;

import dev.nube.engine.EngineException;
import dev.nube.engine.store.ResourceKind;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How the tag service reaches one kind of resource: {@code check} throws the kind's NotFound (or Malformed) error
 * for an id that does not exist; for a kind whose {@code Name} tag is the resource's name, {@code name} reads it,
 * {@code rename} changes it (publishing the change) and {@code ids} lists the region's resources; all three are null
 * for other kinds.
 */
public record TaggedKind(ResourceKind kind, BiConsumer<String, String> check, BiFunction<String, String, String> name,
                         Rename rename, Function<String, List<String>> ids) {

    /** Renames a resource; throws as the resource's service does. */
    @FunctionalInterface
    public interface Rename {
        void rename(String region, String id, String name);
    }

    /** A kind whose tags are all kept by the tag service. */
    public static TaggedKind of(ResourceKind kind, BiConsumer<String, String> check) {
        return new TaggedKind(kind, check, null, null, null);
    }

    /** A kind whose {@code Name} tag is the resource's own name. */
    public static TaggedKind named(ResourceKind kind, BiFunction<String, String, String> name, Rename rename,
                                   Function<String, List<String>> ids) {
        return new TaggedKind(kind, name::apply, name, rename, ids);
    }

    boolean named() {
        return name != null;
    }

    void check(String region, String id) {
        check.accept(region, id);
    }

    boolean exists(String region, String id) {
        try {
            check.accept(region, id);
            return true;
        } catch (EngineException e) {
            return false;
        }
    }

    String nameOf(String region, String id) {
        try {
            return name.apply(region, id);
        } catch (EngineException e) {
            return null; // gone meanwhile: it has no tags
        }
    }

    void rename(String region, String id, String newName) {
        rename.rename(region, id, newName);
    }

    List<String> ids(String region) {
        return ids.apply(region);
    }
}
