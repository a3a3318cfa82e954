package dev.nube.engine.region;

import java.nio.file.Path;
import java.util.List;

/** The regions of this Nube: {@value #DEFAULT_REGION} always exists; others are created and removed at will. */
public interface RegionService {
    String DEFAULT_REGION = "local-1";

    /**
     * What kept regions from opening, in words (a region document that cannot be read, a root on a disk that is not
     * mounted); empty when all is well. Such regions are not listed.
     */
    List<String> problems();

    /** All regions that opened, the default first, then by name. */
    List<Region> list();

    /** The region called {@code name}; throws {@code InvalidRegion} if there is none. */
    Region get(String name);

    /**
     * Creates a region. {@code root} is where its resources live; null means the default place under the data
     * folder. An existing root must be empty or a region root Nube made before.
     */
    Region create(String name, Path root);

    /** Removes an empty region; refuses with the list of what it still holds. The default region stays. */
    void remove(String name);
}
