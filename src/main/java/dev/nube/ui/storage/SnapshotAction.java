package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotState;

/**
 * What a person can do to a snapshot, and which snapshots each action fits ({@link #allows}): a volume is made from,
 * and a copy made of, a completed snapshot; a pending one is not deleted but its task cancelled. The engine checks
 * again (an image using the snapshot, a damaged file) and says why when it refuses.
 */
public enum SnapshotAction {
    CREATE_VOLUME, COPY, DELETE;

    /** Whether {@code snapshot} (null: nothing selected) can be asked this. */
    public boolean allows(Snapshot snapshot) {
        if (snapshot == null) {
            return false;
        }
        return switch (this) {
            case CREATE_VOLUME, COPY -> snapshot.state() == SnapshotState.COMPLETED;
            case DELETE -> snapshot.state() != SnapshotState.PENDING;
        };
    }
}
