package dev.nube.ui.storage;

import dev.nube.engine.compute.storage.Volume;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.engine.tasks.Task;
import dev.nube.engine.tasks.TaskChanged;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ResourceListModel;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The selected region's volumes as a live list, root volumes included. Data volumes follow the engine's volume
 * events. A root volume lives with its instance, whose changes (launch, new name, termination) the engine announces
 * as instance events only: an event about an instance reads its root volume's row again, and a new instance lists
 * the region again, since the id of its root volume is the engine's to give. A volume being made from a snapshot
 * follows its task's events, whose progress its state reason shows. FX thread only.
 */
public final class VolumeList {
    /** The order the engine lists volumes in: oldest first. */
    static final Comparator<Volume> ORDER = Comparator.comparing(Volume::createdAt).thenComparing(Volume::id);

    private final ResourceListModel<Volume> list;
    private final AutoCloseable instanceEvents;
    private final AutoCloseable taskEvents;
    /** The progress of the tasks making volumes, by volume id, as their last events said. */
    private final Map<String, Double> progress = new HashMap<>();

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
        taskEvents = context.events().on(TaskChanged.class, this::taskChanged);
    }

    /**
     * A volume being made from a snapshot shows its task's progress: each step is noted, then reads that volume's row
     * again (the new row shows it).
     */
    private void taskChanged(TaskChanged event) {
        Task task = event.task();
        if (event.removed() || !task.region().equals(list.region())
                || list.items().stream().noneMatch(v -> v.id().equals(task.resourceId()))) {
            return;
        }
        if (task.status() == Task.Status.RUNNING && task.fraction() >= 0) {
            progress.put(task.resourceId(), task.fraction());
        } else {
            progress.remove(task.resourceId());
        }
        list.reload(task.resourceId());
    }

    /** How far the task making volume {@code id} has come (0 to 1), when one runs and knows. */
    public OptionalDouble progressOf(String id) {
        Double fraction = progress.get(id);
        return fraction == null ? OptionalDouble.empty() : OptionalDouble.of(fraction);
    }

    public ResourceListModel<Volume> list() {
        return list;
    }

    /** Stops following the engine (for lists that live shorter than the console). */
    public void dispose() {
        list.dispose();
        try {
            instanceEvents.close();
            taskEvents.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
