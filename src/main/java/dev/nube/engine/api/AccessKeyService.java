package dev.nube.engine.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The access keys that sign requests to the AWS API served by this engine (Signature Version 4). Kept in
 * {@code config/access-keys.json} in the data folder, readable by its owner only, since the API must know each secret
 * to check a signature. At most {@link #MAX_KEYS} keys. Thread-safe; {@code nube credentials} may add a key from
 * another process while an engine runs, and the engine sees it.
 */
public interface AccessKeyService {
    int MAX_KEYS = 20;

    /** A new key and its secret, which is not shown again. */
    record Created(AccessKey key, String secretAccessKey) {
    }

    /** The keys, oldest first. */
    List<AccessKey> list();

    /** Makes an active key; refused (LimitExceeded) once there are {@link #MAX_KEYS}. */
    Created create(String description);

    /** Makes a key active or inactive: an inactive key's requests are refused as an unknown key's are. */
    AccessKey setActive(String id, boolean active);

    /** Deletes a key (NoSuchEntity when there is none); its requests are refused from then on. */
    void delete(String id);

    /** The file the keys are kept in. */
    Path file();
}
