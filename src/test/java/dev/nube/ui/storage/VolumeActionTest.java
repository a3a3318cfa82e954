package dev.nube.ui.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nube.engine.compute.storage.Snapshot;
import dev.nube.engine.compute.storage.SnapshotState;
import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeAttachment;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.compute.storage.VolumeState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which actions the console offers for each kind of volume and snapshot, every case against the engine's rules as
 * its contract states them; and how a volume's state reads in the table.
 */
class VolumeActionTest {
    private static Volume volume(VolumeState state, VolumeAttachment.State attached, boolean root, int sizeGiB) {
        VolumeAttachment attachment = attached == null ? null : new VolumeAttachment("i-0123456789abcdef0",
                root ? "/dev/xvda" : "/dev/sdf", Instant.EPOCH, root, attached);
        return new Volume("vol-0123456789abcdef0", "data", sizeGiB, state, Instant.EPOCH, null, attachment, root, 0,
                state == VolumeState.CREATING ? "being made from snap-0123456789abcdef0 (42%)" : null);
    }

    private static Set<VolumeAction> allowed(Volume v) {
        Set<VolumeAction> allowed = EnumSet.noneOf(VolumeAction.class);
        for (VolumeAction action : VolumeAction.values()) {
            if (action.allows(v)) {
                allowed.add(action);
            }
        }
        return allowed;
    }

    @Test
    void eachKindOfVolumeIsOfferedWhatTheEngineAccepts() {
        assertEquals(EnumSet.of(VolumeAction.ATTACH, VolumeAction.MODIFY, VolumeAction.SNAPSHOT, VolumeAction.RENAME,
                VolumeAction.DELETE), allowed(volume(VolumeState.AVAILABLE, null, false, 8)), "available");
        assertEquals(EnumSet.of(VolumeAction.DETACH, VolumeAction.MODIFY, VolumeAction.SNAPSHOT, VolumeAction.RENAME),
                allowed(volume(VolumeState.IN_USE, VolumeAttachment.State.ATTACHED, false, 8)), "attached");
        for (VolumeAttachment.State moving : new VolumeAttachment.State[] {VolumeAttachment.State.ATTACHING,
                VolumeAttachment.State.DETACHING}) {
            assertFalse(VolumeAction.DETACH.allows(volume(VolumeState.IN_USE, moving, false, 8)), moving.awsName());
            assertFalse(VolumeAction.DELETE.allows(volume(VolumeState.IN_USE, moving, false, 8)), moving.awsName());
        }
        assertEquals(EnumSet.of(VolumeAction.MODIFY, VolumeAction.SNAPSHOT),
                allowed(volume(VolumeState.IN_USE, VolumeAttachment.State.ATTACHED, true, 8)),
                "a root volume grows and is snapshotted; it goes with its instance and has its name");
        assertEquals(EnumSet.of(VolumeAction.RENAME), allowed(volume(VolumeState.CREATING, null, false, 8)),
                "being made from a snapshot");
        assertEquals(EnumSet.of(VolumeAction.RENAME), allowed(volume(VolumeState.ERROR, null, false, 8)));
        assertEquals(EnumSet.noneOf(VolumeAction.class), allowed(volume(VolumeState.DELETING, null, false, 8)));
        assertFalse(VolumeAction.MODIFY.allows(volume(VolumeState.AVAILABLE, null, false,
                VolumeService.MAX_SIZE_GIB)), "the largest volume does not grow");
        assertEquals(EnumSet.noneOf(VolumeAction.class), allowed(null), "nothing selected");
    }

    @Test
    void completedSnapshotsMakeVolumesAndCopiesAndPendingOnesAreNotDeleted() {
        for (SnapshotState state : SnapshotState.values()) {
            Snapshot s = new Snapshot("snap-0123456789abcdef0", "vol-0123456789abcdef0", 8, "", state, 0,
                    Instant.EPOCH, 0, null, null, null);
            boolean completed = state == SnapshotState.COMPLETED;
            assertEquals(completed, SnapshotAction.CREATE_VOLUME.allows(s), state.awsName());
            assertEquals(completed, SnapshotAction.COPY.allows(s), state.awsName());
            assertEquals(state != SnapshotState.PENDING, SnapshotAction.DELETE.allows(s), state.awsName());
        }
    }

    @Test
    void theStateReadsShortInTheTableAndWholeInTheTooltip() {
        Volume creating = volume(VolumeState.CREATING, null, false, 8);
        assertEquals("creating (42%)", VolumeColumns.shortStateText(creating, OptionalDouble.of(0.429)));
        assertEquals("creating", VolumeColumns.shortStateText(creating, OptionalDouble.empty()));
        assertEquals("creating, being made from snap-0123456789abcdef0 (42%)", VolumeColumns.stateText(creating));
        Volume attaching = volume(VolumeState.IN_USE, VolumeAttachment.State.ATTACHING, false, 8);
        assertEquals("in-use (attaching)", VolumeColumns.shortStateText(attaching, OptionalDouble.empty()));
        assertEquals("i-0123456789abcdef0: /dev/sdf", VolumeColumns.attachmentText(attaching));
        assertEquals("-", VolumeColumns.attachmentText(volume(VolumeState.AVAILABLE, null, false, 8)));
    }
}
