package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.compute.storage.VolumeState;

/**
 * What a person can do to a volume, and which volumes each action fits ({@link #allows}): the console offers an
 * action only where the engine would accept it, and the engine checks again and says why when it refuses (an
 * instance that is pending or stopping, say, which this cannot see). The one place the console holds these rules.
 */
public enum VolumeAction {
    ATTACH("Attach volume"),
    DETACH("Detach volume"),
    MODIFY("Modify size"),
    SNAPSHOT("Create snapshot"),
    RENAME("Rename"),
    DELETE("Delete volume");

    private final String label;

    VolumeAction(String label) {
        this.label = label;
    }

    /** The action's name in menus, as the EC2 console names it. */
    public String label() {
        return label;
    }

    /**
     * Whether {@code volume} (null: nothing selected) can be asked this: attach and delete an available data volume;
     * detach an attached data volume (a root volume goes with its instance); grow and snapshot any volume that is not
     * being created (grow up to the largest size); rename a data volume (a root volume has its instance's name).
     */
    public boolean allows(Volume volume) {
        if (volume == null) {
            return false;
        }
        return switch (this) {
            case ATTACH, DELETE -> !volume.root() && volume.state() == VolumeState.AVAILABLE;
            case DETACH -> !volume.root() && volume.attachment() != null
                    && volume.attachment().state() == VolumeAttachment.State.ATTACHED;
            case MODIFY -> settled(volume) && volume.sizeGiB() < VolumeService.MAX_SIZE_GIB;
            case SNAPSHOT -> settled(volume);
            case RENAME -> !volume.root() && volume.state() != VolumeState.DELETING;
        };
    }

    private static boolean settled(Volume volume) {
        return volume.state() == VolumeState.AVAILABLE || volume.state() == VolumeState.IN_USE;
    }
}
