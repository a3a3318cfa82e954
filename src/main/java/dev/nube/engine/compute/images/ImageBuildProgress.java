package dev.nube.engine.compute.images;

import dev.nube.engine.store.EngineEvent;

/**
 * How far the build of an image has come, published while it runs: {@code fraction} from 0 to 1 and the current
 * step in words. The last event of a build has {@code finished} set, with {@code imageId} on success or
 * {@code error} on failure.
 */
public record ImageBuildProgress(String region, String imageName, double fraction, String step, boolean finished,
                                 String imageId, String error) implements EngineEvent {
}
