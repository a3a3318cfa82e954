package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionCode;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionMonitor;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionUrlService;
import dev.nube.engine.functions.LayerService;
import dev.nube.engine.functions.ScheduleService;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.functions.code.CodeViewModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One open function: its configuration as the engine has it (re-read when it changes), and the view models of its tabs
 * (code, test, configuration with the layers and the function URL, monitor, logs, versions, aliases, schedules). Knows
 * what edits are unsaved across the tabs and can save them all. {@link #dispose()} ends its engine subscriptions. FX
 * thread only.
 */
public final class FunctionPageViewModel {
    private final FunctionScope scope;
    private final ReadOnlyObjectWrapper<FunctionConfiguration> configuration = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper("");
    private final CodeViewModel code;
    private final TestViewModel test;
    private final ConfigurationViewModel settings;
    private final FunctionUrlViewModel url;
    private final MonitorViewModel monitor;
    private final LogsViewModel logs;
    private final VersionsViewModel versions;
    private final SchedulesViewModel schedules;
    private final AliasesViewModel aliases;
    private final LayersEditorViewModel layers;

    FunctionPageViewModel(String region, String name, FunctionService functions, FunctionCode files,
                          FunctionMonitor metrics, ScheduleService schedules, FunctionUrlService urls,
                          LayerService layerService, ConsoleContext context) {
        this.scope = new FunctionScope(region, name, functions, files, metrics, context.tasks(), context.events());
        this.code = new CodeViewModel(scope, null);
        this.test = new TestViewModel(scope);
        this.settings = new ConfigurationViewModel(scope);
        this.url = new FunctionUrlViewModel(scope, urls);
        this.monitor = new MonitorViewModel(scope);
        this.logs = new LogsViewModel(scope);
        this.versions = new VersionsViewModel(scope);
        this.schedules = new SchedulesViewModel(scope, schedules, java.time.Clock.systemDefaultZone());
        this.aliases = new AliasesViewModel(scope, versions, urls);
        this.layers = new LayersEditorViewModel(scope, layerService);
        scope.on(ResourceChanged.class, changed -> {
            FunctionConfiguration current = configuration.get();
            if (changed.kind() == ResourceKind.FUNCTION && changed.region().equals(region) && current != null
                    && changed.id().equals(current.id())) {
                reload();
            }
        });
        reload();
    }

    /** Re-reads the configuration, the file list, the versions and the aliases. */
    void reload() {
        scope.tasks().submit(() -> scope.functions().get(scope.region(), scope.name()), loaded -> {
            if (configuration.get() == null) {
                code.openMain(loaded.handler());
            }
            configuration.set(loaded);
            settings.load(loaded);
            layers.load(loaded);
            failure.set("");
        }, error -> failure.set(Errors.message(error)));
        if (configuration.get() != null) {
            code.reloadFiles();
            versions.reload();
            aliases.reload();
        }
    }

    public String region() {
        return scope.region();
    }

    public String name() {
        return scope.name();
    }

    /** The configuration as last read, or null before the first read. */
    ReadOnlyObjectProperty<FunctionConfiguration> configurationProperty() {
        return configuration.getReadOnlyProperty();
    }

    /** Why the function cannot be read (e.g. deleted meanwhile), or empty. */
    ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    CodeViewModel code() {
        return code;
    }

    TestViewModel test() {
        return test;
    }

    ConfigurationViewModel settings() {
        return settings;
    }

    FunctionUrlViewModel url() {
        return url;
    }

    MonitorViewModel monitor() {
        return monitor;
    }

    LogsViewModel logs() {
        return logs;
    }

    VersionsViewModel versions() {
        return versions;
    }

    SchedulesViewModel schedules() {
        return schedules;
    }

    AliasesViewModel aliases() {
        return aliases;
    }

    LayersEditorViewModel layers() {
        return layers;
    }

    /** The edits that would be lost on leaving, in words ("lambda_function.py", "the configuration", ...). */
    List<String> unsavedWork() {
        List<String> unsaved = new ArrayList<>(code.dirtyFiles());
        if (settings.dirtyProperty().get()) {
            unsaved.add("the configuration");
        }
        if (layers.dirtyProperty().get()) {
            unsaved.add("the layers");
        }
        if (test.dirtyProperty().get()) {
            unsaved.add("test event " + test.nameProperty().get());
        }
        return unsaved;
    }

    /** Saves the code, the configuration, the layers and the test event, in turn; stops at the first failure. */
    void saveAll(Runnable onSaved, Consumer<Throwable> onFailure) {
        code.saveAll(() -> settings.save(() -> layers.save(() -> {
            if (test.dirtyProperty().get()) {
                test.save(onSaved, onFailure);
            } else {
                onSaved.run();
            }
        }, onFailure), onFailure), onFailure);
    }

    /** Ends the page's engine subscriptions. */
    void dispose() {
        scope.close();
    }
}
