package dev.nube.ui.functions;

import dev.nube.engine.HostStatus;
import dev.nube.engine.functions.Blueprint;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionCode;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionEvents;
import dev.nube.engine.functions.FunctionMonitor;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionUrlService;
import dev.nube.engine.functions.LayerService;
import dev.nube.engine.functions.FunctionSettings;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.RuntimeInfo;
import dev.nube.engine.functions.ScheduleService;
import dev.nube.engine.functions.sandbox.SandboxMode;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.ResourceListModel;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Functions page: the region's functions (with the last 24 hours' invocations and errors), the runtimes this
 * machine has, create and delete, and the one function page open at a time. Engine calls run on the task executor.
 * FX thread only.
 */
public final class FunctionsViewModel {
    private final FunctionService functions;
    private final FunctionCode code;
    private final FunctionMonitor monitor;
    private final ScheduleService schedules;
    private final FunctionUrlService urls;
    private final LayerService layers;
    private final ConsoleContext context;
    private final ResourceListModel<FunctionSummary> list;
    private final ObservableList<RuntimeInfo> runtimes = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Sandbox> sandbox = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<FunctionPageViewModel> open = new ReadOnlyObjectWrapper<>();

    /**
     * How functions are isolated here, for the function page's notice.
     *
     * @param capsCpu       true where a CPU share is a cap, false where it is only a priority
     * @param cpuFromMemory the setting: CPU in proportion to memory, as on AWS
     */
    public record Sandbox(SandboxMode mode, String description, String problem, boolean capsCpu,
            boolean cpuFromMemory) {
        /** True when limits are kernel-enforced and bubblewrap works: nothing to warn about. */
        boolean full() {
            return problem.isEmpty() && mode.kernelEnforced();
        }
    }

    private record Host(List<RuntimeInfo> runtimes, Sandbox sandbox) {
    }

    public FunctionsViewModel(FunctionService functions, FunctionCode code, FunctionMonitor monitor,
                              ScheduleService schedules, FunctionUrlService urls, LayerService layers,
                              ConsoleContext context) {
        this.functions = functions;
        this.layers = layers;
        this.code = code;
        this.monitor = monitor;
        this.schedules = schedules;
        this.urls = urls;
        this.context = context;
        this.list = new ResourceListModel<>(context, ResourceKind.FUNCTION, new ResourceListModel.Source<>(
                functions::list, functions::summary, s -> s.configuration().id(),
                Comparator.comparing((FunctionSummary s) -> s.configuration().name())),
                s -> s.configuration().name() + " " + s.configuration().runtime() + " "
                        + s.configuration().description());
        context.events().on(FunctionEvents.InvocationFinished.class, finished -> {
            // A throttled invocation counts in neither the invocations nor the errors the list shows.
            if (finished.region().equals(list.region()) && !finished.throttled()) {
                countsChanged(finished.region(), finished.functionName());
            }
        });
        context.region().addListener((obs, old, region) -> {
            // Another region shows its own list; a function with unsaved edits stays open (its region shown).
            FunctionPageViewModel page = open.get();
            if (page != null && !page.region().equals(region) && page.unsavedWork().isEmpty()) {
                close();
            }
        });
        context.events().on(HostStatus.Changed.class, changed -> loadHost());
        loadHost();
    }

    private void loadHost() {
        context.tasks().submit(() -> new Host(functions.runtimes(), new Sandbox(functions.sandboxMode(),
                functions.sandboxDescription(), functions.sandboxProblem(), functions.capsCpu(),
                functions.settings().cpuFromMemory())), host -> {
                    runtimes.setAll(host.runtimes());
                    sandbox.set(host.sandbox());
                }, failure -> System.getLogger(FunctionsViewModel.class.getName()).log(System.Logger.Level.WARNING,
                        "could not read the runtimes and the sandbox mode: " + Errors.message(failure)));
    }

    /**
     * An invocation changed one function's 24-hour counts: its row is read again (a burst of invocations makes one
     * read at a time, and one more after). The event names the function; a function not in the list yet (its row is
     * still being read) is looked up by name in the background.
     */
    private void countsChanged(String region, String name) {
        for (FunctionSummary row : list.items()) {
            if (row.configuration().name().equals(name)) {
                list.reload(row.configuration().id());
                return;
            }
        }
        context.tasks().submit(() -> functions.get(region, name).id(), id -> {
            if (region.equals(list.region())) {
                list.reload(id);
            }
        }, failure -> { }); // deleted meanwhile (its event removes the row), or unreadable (the list shows why)
    }

    public ResourceListModel<FunctionSummary> list() {
        return list;
    }

    /** The runtimes whose toolchain is present, with versions. */
    public ObservableList<RuntimeInfo> runtimes() {
        return runtimes;
    }

    public ReadOnlyObjectProperty<Sandbox> sandboxProperty() {
        return sandbox.getReadOnlyProperty();
    }

    /** Turns "CPU in proportion to memory, as on AWS" on or off; the sandbox property follows once saved. */
    public void setCpuFromMemory(boolean on, Runnable onSaved, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> {
            functions.updateSettings(functions.settings().withCpuFromMemory(on));
            return null;
        }, done -> {
            onSaved.run();
            loadHost();
        }, onFailure);
    }

    /**
     * What CPU a function of {@code memoryMb} gets here, in one line for the memory fields (empty until the sandbox
     * is known).
     */
    public String cpuText(int memoryMb) {
        Sandbox now = sandbox.get();
        if (now == null) {
            return "";
        }
        if (!now.cpuFromMemory()) {
            return "CPU: the whole machine (CPU in proportion to memory is turned off on the Functions page).";
        }
        double cpus = FunctionSettings.cpusOf(memoryMb);
        int cores = Runtime.getRuntime().availableProcessors();
        String share = cpus >= cores ? "all " + cores + " CPUs of this machine"
                : cpus < 1 ? Math.max(1, Math.round(cpus * 100)) + "% of one CPU"
                : String.format(java.util.Locale.ROOT, "%.2f CPUs", cpus);
        String rule = " (1,769 MB is one CPU, as on AWS), once its init is over";
        if (now.capsCpu() || cpus >= cores) {
            return "CPU: " + share + rule + ".";
        }
        if (cpus >= 1) {
            return "CPU: " + share + rule + "; with no cpu controller here nothing caps it, so it may use the whole"
                    + " machine.";
        }
        return "CPU: a lower priority worth " + share + rule + ". No cpu controller here, so it is only a priority:"
                + " the function slows down only while other work wants the CPU.";
    }

    /** The function page shown, or null for the list. */
    public ReadOnlyObjectProperty<FunctionPageViewModel> openProperty() {
        return open.getReadOnlyProperty();
    }

    /**
     * A function's runtime as AWS names it with the toolchain behind it, "python3.11 \u2014 Python 3.11.2" for
     * "python3.11" (an alias such as "provided.al2" keeps its own name); the id alone while runtimes are loading or
     * when this machine no longer has it.
     */
    public String runtimeTitle(String id) {
        return runtimes.stream().filter(r -> r.names(id)).map(r -> id + " \u2014 " + r.displayName()).findFirst()
                .orElse(id);
    }

    /** How the runtime picker shows a runtime: its AWS id, then the toolchain ("nodejs20.x \u2014 Node.js 20.1.0"). */
    public static String runtimeLabel(RuntimeInfo runtime) {
        return runtime.id() + " \u2014 " + runtime.displayName();
    }

    public void blueprints(String runtime, Consumer<List<Blueprint>> onLoaded, Consumer<Throwable> onFailure) {
        context.tasks().submit(() -> functions.blueprints(runtime), onLoaded, onFailure);
    }

    public void create(CreateFunctionRequest request, Consumer<FunctionConfiguration> onCreated,
                       Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> functions.create(region, request), onCreated, onFailure);
    }

    /** Deletes a function; the engine refuses while it runs. */
    public void delete(String name, Runnable onDeleted, Consumer<Throwable> onFailure) {
        String region = list.region();
        context.tasks().submit(() -> {
            functions.delete(region, name);
            return null;
        }, ignored -> {
            FunctionPageViewModel page = open.get();
            if (page != null && page.name().equals(name) && page.region().equals(region)) {
                close();
            }
            onDeleted.run();
        }, onFailure);
    }

    /** Counts what deleting a function loses (versions, test events, schedules), for the confirmation. */
    public void deletionDetails(String name, Consumer<String> onCounted) {
        String region = list.region();
        context.tasks().submit(() -> {
            int versions = functions.versions(region, name).size();
            int events = functions.testEvents(region, name).size();
            int triggers = schedules.schedules(region, name).size();
            return "Nube deletes its code, " + plural(versions, "published version") + ", "
                    + plural(events, "saved test event") + ", " + plural(triggers, "schedule")
                    + ", its logs and its metrics. This cannot be undone; export the code as a zip first to keep it.";
        }, onCounted, failure -> onCounted.accept("Nube deletes its code, versions, test events, schedules, logs and"
                + " metrics."));
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /** The region's layers, for the Layers dialog (a new model each time: it reads the region shown then). */
    LayersViewModel layers() {
        return new LayersViewModel(layers, context.tasks(), list::region);
    }

    /** Shows the page of function {@code name} of the selected region (the caller has let go of the old one). */
    public void open(String name) {
        close();
        open.set(new FunctionPageViewModel(list.region(), name, functions, code, monitor, schedules, urls, layers,
                context));
    }

    /** Back to the list. */
    public void close() {
        FunctionPageViewModel page = open.get();
        if (page != null) {
            open.set(null);
            page.dispose();
        }
    }
}
