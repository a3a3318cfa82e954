package dev.nube.engine.functions;

import java.nio.file.Path;
import java.util.List;

/**
 * Lambda's layers per region: zips of libraries, published as numbered immutable versions (1, 2, 3 ... per layer
 * name, never reused), which functions list in their configuration (up to five, in order) and find merged under
 * /opt. Errors are {@code EngineException}s with Lambda's codes: ResourceNotFoundException,
 * InvalidParameterValueException, InvalidZipFileException. Thread-safe; calls may block on files, so a UI calls
 * them off its UI thread. Publishes no events: a view of layers reads them again after its own changes.
 */
public interface LayerService {
    /**
     * PublishLayerVersion: unzips {@code zip} once and keeps it as the layer's next version. Refuses what a
     * function's package would be refused for (InvalidZipFileException; more than 250 MB unzipped), a zip over 50 MB
     * (RequestEntityTooLargeException), a name against Lambda's pattern, a description over 256 characters, more
     * than 15 runtimes, architectures other than x86_64 and arm64.
     */
    LayerVersion publish(String region, PublishLayerRequest request, Path zip);

    /** ListLayers: each layer that has a version, with its latest version, by name. */
    List<LayerVersion> layers(String region);

    /** ListLayerVersions: the layer's versions, newest first; empty for a layer that has none. */
    List<LayerVersion> versions(String region, String name);

    /** GetLayerVersion; ResourceNotFoundException when it is not there (or was deleted). */
    LayerVersion version(String region, String name, int version);

    /**
     * DeleteLayerVersion: the version can no longer be added to a function; functions and published versions that
     * use it keep their own copy of its files and keep working. Deleting one that is not there does nothing (as
     * Lambda).
     */
    void delete(String region, String name, int version);

    /** The zip a layer version was published from (GetLayerVersion's Content.Location serves it). */
    Path content(String region, String name, int version);
}
