package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.VmTestSupport;
import dev.nube.engine.store.DocumentStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attach or detach cut short by the engine's end, as a kill leaves it: the document says attaching or detaching
 * while the guest runs on. The next engine asks QEMU what is plugged in and settles each volume to the truth.
 */
@Tag("vm")
class StorageSettleVmTest {
    private static final String REGION = VmTestSupport.REGION;

    @TempDir
    Path temp;

    @Test
    void attachesAndDetachesCutShortAreSettledByWhatTheGuestHas() throws Exception {
        Path home = temp.resolve("data");
        VmTestSupport vm = new VmTestSupport(home);
        String pluggedId;
        String notPluggedId;
        String detachingId;
        Instance guest;
        try {
            guest = vm.launch();
            pluggedId = vm.engine.volumes().create(REGION, 1, null, "plugged, document not written").id();
            notPluggedId = vm.engine.volumes().create(REGION, 1, null, "document written, never plugged").id();
            detachingId = vm.engine.volumes().create(REGION, 1, null, "unplug never happened").id();
            for (String id : new String[] {pluggedId, detachingId}) {
                vm.engine.volumes().attach(REGION, id, guest.id(), null);
                String serial = id.replace("-", "");
                dev.nube.engine.EngineTestSupport.waitUntil("the guest lists " + id, 60, () -> vm.ssh(guest.id(),
                        "cat /sys/block/vd*/serial 2>/dev/null").contains(serial));
            }
        } catch (RuntimeException | Error e) {
            vm.close();
            throw e;
        }
        vm.engine.close(); // the guest runs on, as after a kill
        rewrite(home, pluggedId, VolumeAttachment.State.ATTACHING, guest.id());
        rewrite(home, notPluggedId, VolumeAttachment.State.ATTACHING, guest.id());
        rewrite(home, detachingId, VolumeAttachment.State.DETACHING, guest.id());

        try (VmTestSupport again = new VmTestSupport(Engine.open(home))) {
            Volume plugged = again.engine.volumes().get(REGION, pluggedId);
            assertEquals(VolumeState.IN_USE, plugged.state());
            assertEquals(VolumeAttachment.State.ATTACHED, plugged.attachment().state());
            Volume never = again.engine.volumes().get(REGION, notPluggedId);
            assertEquals(VolumeState.AVAILABLE, never.state(), "the guest never got it");
            assertNull(never.attachment());
            Volume stayed = again.engine.volumes().get(REGION, detachingId);
            assertEquals(VolumeAttachment.State.ATTACHED, stayed.attachment().state(), "still in the guest");
            again.awaitRunning(guest.id()); // re-attached: running once its SSH banner is seen again
            String serials = again.ssh(guest.id(), "cat /sys/block/vd*/serial");
            assertTrue(serials.contains(pluggedId.replace("-", "")) && serials.contains(detachingId.replace("-", ""))
                    && !serials.contains(notPluggedId.replace("-", "")), serials);
            // Settled volumes work as any other: the never-plugged one attaches now.
            again.engine.volumes().attach(REGION, notPluggedId, guest.id(), null);
        }
    }

    private static void rewrite(Path home, String volumeId, VolumeAttachment.State state, String instanceId) {
        Path doc = home.resolve("regions").resolve(REGION).resolve("volumes").resolve(volumeId)
                .resolve("resource.json");
        Volumes.VolumeRecord r = DocumentStore.read(doc, Volumes.VolumeRecord.class).orElseThrow();
        Volumes.Attachment a = r.attachment() != null ? r.attachment().in(state)
                : new Volumes.Attachment(instanceId, "/dev/sdh", java.time.Instant.now(), false, state);
        DocumentStore.write(doc, r.with(a));
    }
}
