package dev.nube.engine.compute.tags;

import dev.nube.engine.store.ResourceKind;

/** One tag of one resource (EC2's TagDescription): the resource's id and kind, the tag's key and value. */
public record Tag(String resourceId, ResourceKind kind, String key, String value) {
}
