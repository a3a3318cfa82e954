package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.network.InstanceNetwork;
import dev.nube.engine.compute.network.SecurityGroup;
import dev.nube.engine.compute.network.SecurityGroupService;
import dev.nube.engine.compute.storage.SnapshotService;
import dev.nube.engine.compute.storage.VolumeService;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The selected instance's details: the instance, its security groups, its volumes, its metadata and (while that tab
 * is shown) its console output, read in the background. A result that arrives for an instance no longer shown is
 * dropped. A new state of the same instance reads nothing again but its groups, if they changed. FX thread only.
 */
public final class InstanceDetailsViewModel {
    /** How much of the serial console is shown. */
    static final int CONSOLE_BYTES = 64 * 1024;

    private final InstanceService instances;
    private final SecurityGroupService securityGroups;
    private final ConsoleContext context;
    private final Supplier<String> region;
    private final ReadOnlyObjectWrapper<Instance> instance = new ReadOnlyObjectWrapper<>();
    private final ObservableList<SecurityGroup> groups = FXCollections.observableArrayList();
    /** One read-only view for every caller: listeners on it must not be lost with a wrapper made per call. */
    private final ObservableList<SecurityGroup> groupsView = FXCollections.unmodifiableObservableList(groups);
    private final ReadOnlyStringWrapper groupsStatus = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<InstanceNetwork> network = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper networkStatus = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper metadata = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper consoleOutput = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper consoleStatus = new ReadOnlyStringWrapper("");
    private final InstanceStorageViewModel storage;
    private boolean consoleShown;

    /** {@code region} tells the region whose instance is shown. */
    public InstanceDetailsViewModel(InstanceService instances, SecurityGroupService securityGroups,
                                    VolumeService volumes, SnapshotService snapshots, ConsoleContext context,
                                    Supplier<String> region) {
        this.instances = instances;
        this.securityGroups = securityGroups;
        this.context = context;
        this.region = region;
        this.storage = new InstanceStorageViewModel(volumes, snapshots, context);
    }

    /** Shows {@code shown} (null: nothing selected). */
    public void show(Instance shown) {
        Instance before = instance.get();
        instance.set(shown);
        storage.show(shown);
        if (shown == null) {
            return;
        }
        boolean same = before != null && before.id().equals(shown.id());
        if (!same || !before.securityGroupIds().equals(shown.securityGroupIds())) {
            loadGroups(shown);
        }
        loadNetwork(shown, same);
        if (same) {
            return;
        }
        metadata.set("Loading...");
        consoleOutput.set(""); // never the previous instance's console under this one's title
        String at = region.get();
        context.tasks().submit(() -> instances.metadata(at, shown.id()), documents -> {
            if (isShown(shown)) {
                metadata.set(metadataText(documents));
            }
        }, failure -> {
            if (isShown(shown)) {
                metadata.set(Errors.message(failure));
            }
        });
        if (consoleShown) {
            refreshConsole();
        }
    }

    /** Whether the console output is on screen: it is read when it comes into view, and for each new instance. */
    public void setConsoleShown(boolean shown) {
        consoleShown = shown;
        if (shown) {
            refreshConsole();
        }
    }

    /** Reads the end of the serial console again. */
    public void refreshConsole() {
        Instance shown = instance.get();
        if (shown == null) {
            return;
        }
        consoleStatus.set("Loading...");
        String at = region.get();
        context.tasks().submit(() -> instances.consoleOutput(at, shown.id(), CONSOLE_BYTES), text -> {
            if (isShown(shown)) {
                consoleOutput.set(text.isEmpty() ? "(no console output yet)" : text);
                consoleStatus.set("Last 64 KiB of the serial console, read " + java.time.LocalTime.now().withNano(0));
            }
        }, failure -> {
            if (isShown(shown)) {
                consoleOutput.set("");
                consoleStatus.set(Errors.message(failure));
            }
        });
    }

    private void loadGroups(Instance shown) {
        groups.clear();
        groupsStatus.set("Loading security groups...");
        String at = region.get();
        context.tasks().submit(() -> {
            List<SecurityGroup> found = new ArrayList<>();
            for (String id : shown.securityGroupIds()) {
                found.add(securityGroups.get(at, id));
            }
            return found;
        }, found -> {
            if (isShown(shown)) {
                groups.setAll(found);
                groupsStatus.set("");
            }
        }, failure -> {
            if (isShown(shown)) {
                groupsStatus.set(Errors.message(failure));
            }
        });
    }

    /** Reads the instance's network again: addresses and endpoints change with rules, Elastic IPs and state. */
    private void loadNetwork(Instance shown, boolean same) {
        if (!same) {
            network.set(null);
            networkStatus.set("Loading...");
        }
        String at = region.get();
        context.tasks().submit(() -> instances.network().networkOf(at, shown.id()), found -> {
            if (isShown(shown)) {
                network.set(found.orElse(null));
                networkStatus.set(found.isPresent() ? "" : "Private address " + (shown.privateIp() == null ? "not"
                        + " given yet" : shown.privateIp()) + ". The public address and published ports exist"
                        + " while the instance runs.");
            }
        }, failure -> {
            if (isShown(shown)) {
                networkStatus.set(Errors.message(failure));
            }
        });
    }

    /** Reads the region's security groups in the background (to choose an instance's groups from). */
    public void allGroups(java.util.function.Consumer<List<SecurityGroup>> onRead,
                          java.util.function.Consumer<Throwable> onFailure) {
        String at = region.get();
        context.tasks().submit(() -> securityGroups.list(at).items(), onRead, onFailure);
    }

    /** Replaces the shown instance's security groups; its traffic follows at once. */
    public void setSecurityGroups(List<String> groupIds, Runnable onDone,
                                  java.util.function.Consumer<Throwable> onFailure) {
        Instance shown = instance.get();
        if (shown == null) {
            return;
        }
        String at = region.get();
        context.tasks().submit(() -> instances.setSecurityGroups(at, shown.id(), groupIds), changed -> {
            if (isShown(changed)) {
                loadGroups(changed);
            }
            onDone.run();
        }, onFailure);
    }

    private boolean isShown(Instance candidate) {
        return instance.get() != null && instance.get().id().equals(candidate.id());
    }

    /** The documents the guest reads at 169.254.169.254, listings left out: path, then its content indented. */
    static String metadataText(SortedMap<String, String> documents) {
        StringBuilder text = new StringBuilder("What the instance reads from http://169.254.169.254:\n\n");
        documents.forEach((path, body) -> {
            if (!path.endsWith("/")) {
                text.append(path).append('\n');
                body.strip().lines().forEach(line -> text.append("    ").append(line).append('\n'));
            }
        });
        return text.toString();
    }

    /** The shown instance's volumes (its Storage tab). */
    public InstanceStorageViewModel storage() {
        return storage;
    }

    public ReadOnlyObjectProperty<Instance> instanceProperty() {
        return instance.getReadOnlyProperty();
    }

    /** The shown instance's security groups, once read. */
    public ObservableList<SecurityGroup> groups() {
        return groupsView;
    }

    /** "Loading ...", why the groups could not be read, or empty. */
    public ReadOnlyStringProperty groupsStatusProperty() {
        return groupsStatus.getReadOnlyProperty();
    }

    /** The shown instance's network while it runs (null otherwise, or until read). */
    public ReadOnlyObjectProperty<InstanceNetwork> networkProperty() {
        return network.getReadOnlyProperty();
    }

    /** "Loading...", why there is no network to show, or empty. */
    public ReadOnlyStringProperty networkStatusProperty() {
        return networkStatus.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty metadataProperty() {
        return metadata.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty consoleOutputProperty() {
        return consoleOutput.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty consoleStatusProperty() {
        return consoleStatus.getReadOnlyProperty();
    }
}
