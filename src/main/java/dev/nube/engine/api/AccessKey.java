package dev.nube.engine.api;

import java.time.Instant;

/**
 * An access key of the AWS API on this machine, as IAM lists one: its id, whether it is active, when it was made and
 * last used (by a request this engine accepted since it started). The secret is never part of it: it is shown once,
 * when the key is made ({@link AccessKeyService.Created}).
 */
public record AccessKey(String id, String description, boolean active, Instant createdAt, Instant lastUsedAt) {
}
