package dev.nube;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import dev.nube.engine.Engine;
import dev.nube.ui.access.AccessKeysView;
import dev.nube.ui.access.AccessKeysViewModel;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.ConsoleSettings;
import dev.nube.ui.common.ConsoleSettingsStore;
import dev.nube.ui.common.Dialogs;
import dev.nube.ui.common.FxTaskExecutor;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.common.UiEvents;
import dev.nube.ui.dashboard.DashboardView;
import dev.nube.ui.dashboard.DashboardViewModel;
import dev.nube.ui.functions.FunctionsView;
import dev.nube.ui.functions.FunctionsViewModel;
import dev.nube.ui.images.ImagesView;
import dev.nube.ui.images.ImagesViewModel;
import dev.nube.ui.instances.InstancesView;
import dev.nube.ui.instances.InstancesViewModel;
import dev.nube.ui.instances.LaunchWizardView;
import dev.nube.ui.instances.LaunchWizardViewModel;
import dev.nube.ui.keys.KeyPairsView;
import dev.nube.ui.keys.KeyPairsViewModel;
import dev.nube.ui.network.SecurityGroupsView;
import dev.nube.ui.network.SecurityGroupsViewModel;
import dev.nube.ui.shell.Page;
import dev.nube.ui.shell.ShellView;
import dev.nube.ui.shell.ShellViewModel;
import dev.nube.ui.shell.WorkspaceTabs;
import dev.nube.ui.storage.SnapshotsView;
import dev.nube.ui.storage.SnapshotsViewModel;
import dev.nube.ui.storage.VolumesView;
import dev.nube.ui.storage.VolumesViewModel;
import dev.nube.ui.tasks.TasksView;
import dev.nube.ui.tasks.TasksViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Screen;
import javafx.stage.Stage;

/**
 * The composition root: opens the engine, builds the console's views over it and shows the window. Closing the
 * window closes the engine (instances keep running; see the README).
 */
public final class NubeApp extends Application {
    private static final String LAUNCH_TAB = "launch-instances";
    private static final int[] ICON_SIZES = {16, 24, 32, 48, 64, 128, 256, 512};

    private static final System.Logger LOG = System.getLogger(NubeApp.class.getName());

    private Engine engine;
    private TaskExecutor tasks;
    private ShellView view;
    private long firstFrameMillis;

    /**
     * Shows the window at once, opens the engine in the background (it re-attaches running instances, which may take
     * a moment), then puts the console in the window. The FX thread never waits for the engine.
     */
    @Override
    public void start(Stage stage) {
        String chosen = getParameters().getNamed().get(CommandLine.DATA_DIR);
        java.nio.file.Path home = chosen != null ? java.nio.file.Path.of(chosen) : Engine.defaultHome(System.getenv());
        stage.setTitle("Nube");
        for (int size : ICON_SIZES) {
            stage.getIcons().add(new Image(NubeApp.class.getResourceAsStream("/dev/nube/icons/nube-" + size
                    + ".png")));
        }
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        javafx.scene.control.Label opening = new javafx.scene.control.Label("Opening " + home + "...");
        stage.setScene(new Scene(new javafx.scene.layout.StackPane(opening), 1280, 800));
        stage.setOnShown(e -> firstFrameMillis = sinceJvmStart());
        stage.show();
        Thread opener = new Thread(() -> {
            try {
                Engine opened = Engine.open(home);
                opened.api().start(); // not serving (the port taken, say) is shown on the Access keys page
                ConsoleSettingsStore settings = new ConsoleSettingsStore(opened.consoleSettings());
                Platform.runLater(() -> showConsole(stage, opened, settings));
            } catch (RuntimeException e) {
                Platform.runLater(() -> {
                    Dialogs.error(null, "Nube cannot start", e); // the console exits once it is closed
                    stage.hide();
                });
            }
        }, "nube-open-engine");
        opener.setDaemon(true);
        opener.start();
    }

    private void showConsole(Stage stage, Engine opened, ConsoleSettingsStore settings) {
        engine = opened;
        tasks = new FxTaskExecutor();
        UiEvents events = new UiEvents(engine.events(), Platform::runLater);
        view = console(engine, tasks, events, settings);
        ShellViewModel shell = view.model();
        stage.getScene().setRoot(view);
        style(stage.getScene(), shell);
        restoreBounds(stage, settings.get());
        // Read by bench/run console; also a useful line for anyone wondering where start-up time goes.
        Platform.runLater(() -> LOG.log(System.Logger.Level.INFO, "startup: first frame " + firstFrameMillis
                + " ms, console ready " + sinceJvmStart() + " ms after the JVM started"));
        stage.setOnCloseRequest(e -> {
            e.consume(); // pages with unsaved edits ask first; the window closes once they agree
            view.requestClose(() -> {
                shell.rememberWindow(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(),
                        stage.isMaximized());
                stage.close();
            });
        });
    }

    private static long sinceJvmStart() {
        return System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    /** The whole console over an engine: the shell, its workspace and every page (also what UI tests build). */
    public static ShellView console(Engine engine, TaskExecutor tasks, UiEvents events,
                                    ConsoleSettingsStore settings) {
        ShellViewModel shell = new ShellViewModel(engine.regions(), engine::hostStatus, engine.api(), engine.home(),
                settings, tasks, events);
        WorkspaceTabs workspace = new WorkspaceTabs();
        ConsoleContext context = new ConsoleContext(tasks, events, shell.regionProperty(), workspace);
        TasksView tasksPanel = new TasksView(new TasksViewModel(engine.tasks(), context));
        return new ShellView(shell, workspace, pageFactory(engine, context), tasksPanel);
    }

    /** Builds each page on first visit; pages not listed here show what they will hold. */
    public static java.util.function.Function<Page, Node> pageFactory(Engine engine, ConsoleContext context) {
        return page -> switch (page) {
            case DASHBOARD -> new DashboardView(new DashboardViewModel(engine.instances(), engine::hostStatus,
                    context));
            case INSTANCES -> new InstancesView(new InstancesViewModel(engine.instances(), engine.securityGroups(),
                    engine.volumes(), engine.snapshots(), engine.imageBackups(), context), () -> openLaunchWizard(engine, context));
            case IMAGES -> new ImagesView(new ImagesViewModel(engine.images(), engine.imageBackups(),
                    engine.regions(), engine.instances(), engine.keyPairs(), context));
            case VOLUMES -> new VolumesView(new VolumesViewModel(engine.volumes(), engine.snapshots(),
                    engine.instances(), context));
            case SNAPSHOTS -> new SnapshotsView(new SnapshotsViewModel(engine.snapshots(), engine.volumes(),
                    engine.regions(), context));
            case KEY_PAIRS -> new KeyPairsView(new KeyPairsViewModel(engine.keyPairs(), context));
            case SECURITY_GROUPS -> new SecurityGroupsView(new SecurityGroupsViewModel(engine.securityGroups(),
                    context));
            case ELASTIC_IPS -> new dev.nube.ui.network.ElasticIpsView(new dev.nube.ui.network.ElasticIpsViewModel(
                    engine.elasticIps(), engine.instances(), context));
            case FUNCTIONS -> new FunctionsView(new FunctionsViewModel(engine.functions(), engine.functionCode(),
                    engine.functionMonitor(), engine.functionSchedules(), engine.functionUrls(), engine.layers(),
                    context));
            case ACCESS_KEYS -> new AccessKeysView(new AccessKeysViewModel(engine.accessKeys(), engine.api(),
                    context));
            default -> null;
        };
    }

    /** Opens "Launch an instance" as a workspace tab (or shows the one already open). */
    private static void openLaunchWizard(Engine engine, ConsoleContext context) {
        if (context.workspace().showTab(LAUNCH_TAB)) {
            return;
        }
        LaunchWizardViewModel wizard = new LaunchWizardViewModel(engine.instances(), engine.images(),
                engine.securityGroups(), context);
        KeyPairsViewModel keys = new KeyPairsViewModel(engine.keyPairs(), context);
        SecurityGroupsViewModel groups = new SecurityGroupsViewModel(engine.securityGroups(), context);
        LaunchWizardView view = new LaunchWizardView(wizard, keys, groups, launched -> {
            context.workspace().closeTab(LAUNCH_TAB);
            context.workspace().showPages();
        }, () -> context.workspace().closeTab(LAUNCH_TAB));
        context.workspace().openTab(LAUNCH_TAB, "Launch instances", view, () -> {
            wizard.dispose();
            keys.list().dispose();
            groups.list().dispose();
        });
    }

    /** Applies the theme the shell model holds, now and whenever it changes, plus Nube's own stylesheet. */
    public static void style(Scene scene, ShellViewModel shell) {
        scene.getStylesheets().add(NubeApp.class.getResource("/dev/nube/ui/nube.css").toExternalForm());
        Runnable apply = () -> Application.setUserAgentStylesheet(shell.darkProperty().get()
                ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
        apply.run();
        shell.darkProperty().addListener((obs, old, dark) -> apply.run());
    }

    private static void restoreBounds(Stage stage, ConsoleSettings saved) {
        if (saved.width() == null || saved.height() == null || saved.x() == null || saved.y() == null) {
            return;
        }
        Rectangle2D wanted = new Rectangle2D(saved.x(), saved.y(), saved.width(), saved.height());
        // Only where a screen still shows it (a monitor may have been unplugged since).
        boolean visible = Screen.getScreens().stream().anyMatch(s -> s.getVisualBounds().intersects(
                wanted.getMinX(), wanted.getMinY(), Math.min(wanted.getWidth(), 200), 40));
        if (visible) {
            stage.setX(saved.x());
            stage.setY(saved.y());
            stage.setWidth(Math.max(640, saved.width()));
            stage.setHeight(Math.max(480, saved.height()));
        }
        stage.setMaximized(saved.maximized());
    }

    @Override
    public void stop() {
        if (view != null) {
            view.workspace().closeAll();
        }
        if (tasks != null) {
            tasks.shutdown();
        }
        if (engine != null) {
            engine.close();
        }
    }
}
