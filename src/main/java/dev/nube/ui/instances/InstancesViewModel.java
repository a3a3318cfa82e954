package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.ConnectInfo;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceRequest;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.images.Image;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.compute.storage.ImageBackupService;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.ResourceListModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The instances page: the live list (an engine event about an instance updates that instance's row), a state
 * filter, and the instance actions. Actions run one background task per instance, so several instances stop at
 * once; failures are gathered into {@link #actionProblemProperty()}. FX thread only.
 */
public final class InstancesViewModel {
    private final InstanceService instances;
    private final ImageBackupService imageBackups;
    private final ConsoleContext context;
    private final ResourceListModel<Instance> list;
    private final ObjectProperty<InstanceState> stateFilter = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper actionProblem = new ReadOnlyStringWrapper("");
    private final InstanceDetailsViewModel details;

    public InstancesViewModel(InstanceService instances, SecurityGroupService securityGroups, VolumeService volumes,
                              SnapshotService snapshots, ImageBackupService imageBackups, ConsoleContext context) {
        this.instances = instances;
        this.imageBackups = imageBackups;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.INSTANCE, new ResourceListModel.Source<>(
                instances::list, ResourceListModel.absentOn("InvalidInstanceID.NotFound", instances::get),
                Instance::id),
                i -> String.join(" ", i.id(), nameOf(i), i.state().awsName(), i.instanceType(),
                        String.valueOf(i.keyName()), String.valueOf(i.privateIp()), i.imageId()));
        this.details = new InstanceDetailsViewModel(instances, securityGroups, volumes, snapshots, context,
                list::region);
        stateFilter.addListener((obs, old, state) -> list.extraFilterProperty().set(
                state == null ? null : instance -> instance.state() == state));
    }

    static String nameOf(Instance instance) {
        return instance.name() == null ? "" : instance.name();
    }

    public ResourceListModel<Instance> list() {
        return list;
    }

    /** The state rows must be in, or null for every state. */
    public ObjectProperty<InstanceState> stateFilterProperty() {
        return stateFilter;
    }

    /** What went wrong with the last actions ("Could not stop i-...: ..."), or empty. */
    public ReadOnlyStringProperty actionProblemProperty() {
        return actionProblem.getReadOnlyProperty();
    }

    /** Applies {@code action} to every instance it fits; instances it does not fit are named in the problem. */
    public void apply(InstanceRequest action, List<Instance> selected) {
        String region = list.region();
        List<String> skipped = new ArrayList<>();
        actionProblem.set("");
        for (Instance instance : selected) {
            if (!instance.state().allows(action)) {
                skipped.add(instance.id() + " is " + instance.state().awsName());
                continue;
            }
            context.tasks().submit(() -> switch (action) {
                case START -> instances.start(region, instance.id());
                case STOP -> instances.stop(region, instance.id());
                case REBOOT -> instances.reboot(region, instance.id());
                case TERMINATE -> instances.terminate(region, instance.id());
            }, done -> { }, failure -> addProblem("Could not " + action.label().toLowerCase()
                    .replace(" instance", "") + " " + instance.id() + ": " + Errors.message(failure)));
        }
        if (!skipped.isEmpty()) {
            addProblem("Not " + action.pastTense() + ": " + String.join(", ", skipped) + ".");
        }
    }

    private void addProblem(String text) {
        actionProblem.set(actionProblem.get().isEmpty() ? text : actionProblem.get() + "\n" + text);
    }



    /** The instance types, smallest first, each with why this machine cannot run it (null when it can). */
    void instanceTypes(Consumer<List<ChangeInstanceTypeDialog.Choice>> onRead, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> instances.instanceTypes().stream().map(type ->
                new ChangeInstanceTypeDialog.Choice(type, instances.whyTypeDoesNotFit(type))).toList(), onRead,
                onFailure);
    }

    /** Changes a stopped instance's type; the engine refuses it for an instance that is not stopped. */
    public void setInstanceType(Instance instance, String type, Consumer<Instance> onDone,
                                Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> instances.setInstanceType(region, instance.id(), type), onDone, onFailure);
    }

    /** Whether an image can be made of {@code instance}: the engine makes one of a running or stopped instance. */
    static boolean imageable(Instance instance) {
        return instance.state() == InstanceState.RUNNING || instance.state() == InstanceState.STOPPED;
    }

    /** Starts making an image of the instance's root volume; returns the image, pending, and the engine's task. */
    public void createImage(Instance instance, String name, String description, boolean noReboot,
                            Consumer<Image> onStarted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> imageBackups.createImage(region, instance.id(), name.strip(),
                description.strip(), noReboot), onStarted, onFailure);
    }

    public void connectInfo(Instance instance, Consumer<ConnectInfo> onInfo, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> instances.connectInfo(region, instance.id()), onInfo, onFailure);
    }



    /** The details of the selected instance (one model for the page). */
    public InstanceDetailsViewModel details() {
        return details;
    }

    public ConsoleContext context() {
        return context;
    }

    public InstanceService service() {
        return instances;
    }
}
