package dev.nube.engine.region;

import java.util.List;

/**
 * A service that keeps resources per region. The region registry calls it when a region opens (at engine start
 * and on creation) and asks it what a region still holds before removing one.
 */
public interface RegionScoped {
    /** Prepares the region's resources of this service; must be idempotent (called at every engine start). */
    default void regionOpened(Region region) {
    }

    /**
     * What of this service still lives in {@code region}, in words ("2 key pairs"); empty when nothing blocks
     * removing the region. Resources that exist by default (the default security group) do not count.
     */
    List<String> contentsOf(Region region);

    /** Deletes this service's default resources in a region that is being removed (it is otherwise empty). */
    default void regionRemoved(Region region) {
    }
}
