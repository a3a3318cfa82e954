package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.Comparator;

/**
 * The selected region's volumes as a live list, root volumes included. Data volumes follow the engine's volume
 * events. A root volume lives with its instance, whose changes (launch, new name, termination) the engine announces
 * as instance events only: an event about an instance reads its root volume's row again, and a new instance lists
 * the region again, since the id of its root volume is the engine's to give. FX thread only.
 */
public final class VolumeList {
    /** The order the engine lists volumes in: oldest first. */
    static final Comparator<Volume> ORDER = Comparator.comparing(Volume::createdAt).thenComparing(Volume::id);

    private final ResourceListModel<Volume> list;
    private final AutoCloseable instanceEvents;

    public VolumeList(VolumeService volumes, ConsoleContext context) {
        list = new ResourceListModel<>(context, ResourceKind.VOLUME, new ResourceListModel.Source<>(volumes::list,
                ResourceListModel.absentOn("InvalidVolume.NotFound", volumes::get), Volume::id, ORDER),
                v -> String.join(" ", v.id(), v.name() == null ? "" : v.name(), v.stateName(),
                        v.attachment() == null ? "" : v.attachment().instanceId() + " " + v.attachment().device(),
                        v.snapshotId() == null ? "" : v.snapshotId(), v.root() ? "root" : ""));
        instanceEvents = context.events().on(ResourceChanged.class, event -> {
            if (event.kind() != ResourceKind.INSTANCE || !event.region().equals(list.region())) {
                return;
            }
            list.items().stream().filter(v -> v.root() && v.attachment() != null
                    && v.attachment().instanceId().equals(event.id())).findFirst().ifPresentOrElse(
                            root -> list.reload(root.id()), () -> {
                                if (event.change() == ResourceChanged.Change.CREATED) {
                                    list.reload();
                                }
                            });
        });
    }

    public ResourceListModel<Volume> list() {
        return list;
    }

    /** Stops following the engine (for lists that live shorter than the console). */
    public void dispose() {
        list.dispose();
        try {
            instanceEvents.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
