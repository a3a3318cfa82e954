package dev.nube.ui.dashboard;

import dev.nube.engine.HostStatus;
import dev.nube.engine.compute.instances.ComputeSummary;
import dev.nube.engine.compute.instances.HostUsage;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceStateChanged;
import dev.nube.engine.compute.qemu.AcceleratorMode;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The dashboard: the region's counts, the accelerator, and this machine's CPU and memory with what instances take.
 * Refreshed on engine events, on region changes, and by {@link #refresh()} (the view calls it on a timer while
 * shown, for the CPU load). FX thread only.
 */
public final class DashboardViewModel {
    private final InstanceService instances;
    private final ConsoleContext context;
    private final ReadOnlyObjectWrapper<ComputeSummary> summary = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<HostUsage> usage = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper accelerator = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<AcceleratorMode> acceleratorMode = new ReadOnlyObjectWrapper<>();
    private final javafx.beans.property.ReadOnlyBooleanWrapper restoreLaunches =
            new javafx.beans.property.ReadOnlyBooleanWrapper(true);
    private boolean refreshing;
    private boolean again;

    public DashboardViewModel(InstanceService instances, Supplier<HostStatus> hostStatus, ConsoleContext context) {
        this.instances = instances;
        this.context = context;
        accelerator.set(hostStatus.get().accelerator());
        context.events().on(HostStatus.Changed.class, changed -> accelerator.set(changed.status().accelerator()));
        // Each instance change comes as both events: the region's counts follow ResourceChanged (functions are not
        // counted here); the host's usage also follows instances of other regions.
        context.events().on(ResourceChanged.class, event -> {
            if (event.kind() != ResourceKind.FUNCTION && event.region().equals(context.region().get())) {
                refresh();
            }
        });
        context.events().on(InstanceStateChanged.class, event -> {
            if (!event.region().equals(context.region().get())) {
                refresh();
            }
        });
        context.region().addListener((obs, old, region) -> refresh());
        context.tasks().submit(instances::acceleratorMode, acceleratorMode::set,
                error -> failure.set(Errors.message(error)));
        context.tasks().submit(instances::restoreLaunches, restoreLaunches::set,
                error -> failure.set(Errors.message(error)));
        refresh();
    }

    /**
     * Turns restore launches on or off (launches from now on follow it); the choice shown goes back to the saved one
     * if the change fails.
     */
    public void chooseRestoreLaunches(boolean on) {
        choose(restoreLaunches, on, instances::setRestoreLaunches);
    }

    public javafx.beans.property.ReadOnlyBooleanProperty restoreLaunchesProperty() {
        return restoreLaunches.getReadOnlyProperty();
    }

    /**
     * Changes the accelerator setting (guests started from now on follow it); the choice shown goes back to the saved
     * one if the change fails.
     */
    public void chooseAccelerator(AcceleratorMode mode) {
        if (mode != null) {
            choose(acceleratorMode, mode, instances::setAcceleratorMode);
        }
    }

    /**
     * Shows {@code value} in {@code shown} at once and saves it with {@code save} off the FX thread; on failure the
     * saved value is shown again, with the reason.
     */
    private <T> void choose(javafx.beans.property.Property<T> shown, T value, java.util.function.Consumer<T> save) {
        T before = shown.getValue();
        if (java.util.Objects.equals(value, before)) {
            return;
        }
        shown.setValue(value);
        context.tasks().submit(() -> {
            save.accept(value);
            return value;
        }, saved -> failure.set(""), error -> {
            shown.setValue(before);
            failure.set(Errors.message(error));
        });
    }

    public ReadOnlyObjectProperty<AcceleratorMode> acceleratorModeProperty() {
        return acceleratorMode.getReadOnlyProperty();
    }

    /**
     * Reads the numbers again. One read at a time: a refresh asked for meanwhile runs once the current one ends (so a
     * region switched during a read is read too).
     */
    public void refresh() {
        if (refreshing) {
            again = true;
            return;
        }
        refreshing = true;
        again = false;
        String region = context.region().get();
        context.tasks().submit(() -> new Numbers(instances.summary(region), instances.hostUsage()), result -> {
            if (region.equals(context.region().get())) {
                summary.set(result.summary());
            }
            usage.set(result.usage());
            failure.set("");
            done();
        }, error -> {
            failure.set(Errors.message(error));
            done();
        });
    }

    private record Numbers(ComputeSummary summary, HostUsage usage) {
    }

    private void done() {
        refreshing = false;
        if (again) {
            refresh();
        }
    }

    public ReadOnlyObjectProperty<ComputeSummary> summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<HostUsage> usageProperty() {
        return usage.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty acceleratorProperty() {
        return accelerator.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }
}
