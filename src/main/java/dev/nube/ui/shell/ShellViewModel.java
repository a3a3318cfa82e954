package dev.nube.ui.shell;

import dev.nube.engine.HostStatus;
import dev.nube.engine.api.ApiEndpoint;
import dev.nube.engine.region.Region;
import dev.nube.engine.region.RegionService;
import dev.nube.engine.region.RegionsChanged;
import dev.nube.ui.common.ConsoleSettings;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.common.UiEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The console shell's state: the regions and the selected one, the page shown, the theme and the status bar (the
 * accelerator, the sandbox, where the AWS API is served). State changes only through the named commands; engine
 * calls run on the {@link TaskExecutor}. FX thread only.
 */
public final class ShellViewModel {
    private final RegionService regionService;
    private final TaskExecutor tasks;
    private final ConsoleSettingsStore settings;
    private final Supplier<HostStatus> hostStatus;

    private final ObservableList<Region> regions = FXCollections.observableArrayList();
    private final ObservableList<String> regionProblems = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper region = new ReadOnlyStringWrapper(RegionService.DEFAULT_REGION);
    private final ReadOnlyObjectWrapper<Page> page = new ReadOnlyObjectWrapper<>(Page.DASHBOARD);
    private final ReadOnlyBooleanWrapper dark = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper dataFolder = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper accelerator = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper sandbox = new ReadOnlyStringWrapper();
    private final ReadOnlyObjectWrapper<ApiEndpoint.Status> api = new ReadOnlyObjectWrapper<>(
            new ApiEndpoint.Status(false, null, null));
    /** How many API status changes were heard: the first status, read in the background, yields to any of them. */
    private int apiChanges;

    public ShellViewModel(RegionService regionService, Supplier<HostStatus> hostStatus, ApiEndpoint apiEndpoint,
                          Path dataFolder, ConsoleSettingsStore settings, TaskExecutor tasks, UiEvents events) {
        this.regionService = regionService;
        this.hostStatus = hostStatus;
        this.tasks = tasks;
        this.settings = settings;
        this.dataFolder.set(dataFolder.toString());
        ConsoleSettings saved = settings.get();
        dark.set(saved.dark());
        if (saved.page() != null) {
            try {
                page.set(Page.valueOf(saved.page()));
            } catch (IllegalArgumentException ignored) {
                // a page this version does not have: stay on the dashboard
            }
        }
        if (saved.region() != null) {
            region.set(saved.region());
        }
        showHostStatus(hostStatus.get());
        events.on(HostStatus.Changed.class, changed -> showHostStatus(changed.status()));
        events.on(RegionsChanged.class, changed -> reloadRegions());
        events.on(ApiEndpoint.Changed.class, changed -> {
            apiChanges++;
            api.set(changed.status());
        });
        tasks.submit(apiEndpoint::status, status -> {
            if (apiChanges == 0) {
                api.set(status);
            }
        }, failure -> { });
        reloadRegions();
    }

    private void showHostStatus(HostStatus status) {
        accelerator.set(status.accelerator());
        sandbox.set(status.sandbox());
    }

    /** Re-reads the region list; falls back to the default region if the selected one is gone. */
    public void reloadRegions() {
        tasks.submit(() -> new Object[] {regionService.list(), regionService.problems()}, result -> {
            @SuppressWarnings("unchecked")
            List<Region> list = (List<Region>) result[0];
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) result[1];
            regions.setAll(list);
            regionProblems.setAll(problems);
            if (list.stream().noneMatch(r -> r.name().equals(region.get()))) {
                selectRegion(RegionService.DEFAULT_REGION);
            }
        }, failure -> regionProblems.setAll(List.of("The regions could not be read: "
                + dev.nube.ui.common.Errors.message(failure))));
    }

    /** Regions that could not be opened (or could not be listed), with the reasons. */
    public ObservableList<String> regionProblems() {
        return regionProblems;
    }

    public void navigate(Page target) {
        if (target != null && target != page.get()) {
            page.set(target);
            remember(s -> s.withPage(target.name()));
        }
    }

    public void selectRegion(String name) {
        if (name != null && !name.equals(region.get())) {
            region.set(name);
            remember(s -> s.withRegion(name));
        }
    }

    public void toggleTheme() {
        dark.set(!dark.get());
        String theme = dark.get() ? ConsoleSettings.DARK : ConsoleSettings.LIGHT;
        remember(s -> s.withTheme(theme));
    }

    /** Creates a region ({@code root} null for the default place) and selects it. */
    public void createRegion(String name, Path root, Runnable onDone, Consumer<Throwable> onFailure) {
        tasks.submit(() -> regionService.create(name, root), created -> {
            reloadRegions();
            selectRegion(created.name());
            onDone.run();
        }, onFailure);
    }

    public void removeRegion(String name, Runnable onDone, Consumer<Throwable> onFailure) {
        tasks.submit(() -> {
            regionService.remove(name);
            return null;
        }, ignored -> {
            reloadRegions();
            onDone.run();
        }, onFailure);
    }

    /** Saves the window's bounds. Called as the console closes, so it writes at once: the write must land. */
    public void rememberWindow(double x, double y, double width, double height, boolean maximized) {
        settings.update(s -> s.withBounds(x, y, width, height, maximized));
    }

    private void remember(java.util.function.UnaryOperator<ConsoleSettings> change) {
        tasks.submit(() -> {
            settings.update(change);
            return null;
        }, ignored -> { }, failure -> { });
    }

    public ObservableList<Region> regions() {
        return regions;
    }

    public ReadOnlyStringProperty regionProperty() {
        return region.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Page> pageProperty() {
        return page.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty darkProperty() {
        return dark.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty dataFolderProperty() {
        return dataFolder.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty acceleratorProperty() {
        return accelerator.getReadOnlyProperty();
    }

    /** Whether and where the engine serves the AWS API, as the status bar shows it. */
    public ReadOnlyObjectProperty<ApiEndpoint.Status> apiProperty() {
        return api.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sandboxProperty() {
        return sandbox.getReadOnlyProperty();
    }
}
