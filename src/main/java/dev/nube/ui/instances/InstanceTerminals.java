package dev.nube.ui.instances;

import dev.nube.engine.compute.instances.ConnectInfo;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceService;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.InstanceStateChanged;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.terminal.TerminalView;

/**
 * Opens an instance's terminals as workspace tabs: "Connect" (an SSH shell logged in with the instance's key pair)
 * and the serial console. Each (re)connection asks the engine afresh where the instance listens, since the port
 * changes when it restarts. When an instance stops, its SSH tab says so instead of a bare "connection closed".
 * FX thread only.
 */
final class InstanceTerminals {
    private static final int COLUMNS = 120;
    private static final int ROWS = 32;

    private final InstancesViewModel model;
    private final ConsoleContext context;

    InstanceTerminals(InstancesViewModel model) {
        this.model = model;
        this.context = model.context();
        context.events().on(InstanceStateChanged.class, change -> {
            if (change.current() != InstanceState.RUNNING && change.current() != InstanceState.PENDING
                    && context.workspace().tab(sshKey(change.instanceId())) instanceof TerminalView view
                    && view.isConnected()) {
                view.ended("Disconnected: instance " + change.instanceId() + " is " + change.current().awsName()
                        + (change.reason() == null || change.reason().isEmpty() ? "" : " (" + change.reason() + ")")
                        + ". Start it and reconnect.");
            }
        });
    }

    static String sshKey(String instanceId) {
        return "ssh-" + instanceId;
    }

    static String serialKey(String instanceId) {
        return "serial-" + instanceId;
    }

    /** Whether the instance's SSH terminal is open already (then it is brought to the front). */
    boolean showConnected(Instance instance) {
        return context.workspace().showTab(sshKey(instance.id()));
    }

    /**
     * Opens the SSH terminal of a running instance (see {@link #showConnected} first) whose {@code info} has no
     * login problem.
     */
    void connect(Instance instance, ConnectInfo info) {
        String region = model.list().region();
        InstanceService instances = model.service();
        String id = instance.id();
        TerminalView view = new TerminalView(title(instance), () -> instances.openSshTerminal(region, id, COLUMNS,
                ROWS), context.tasks(), info.sshCommand());
        view.setId("ssh-terminal-" + id);
        context.workspace().openTab(sshKey(id), "SSH " + title(instance), view, view::close);
    }

    /** Opens (or shows) the serial console of an instance that has a QEMU process. */
    void serialConsole(Instance instance) {
        if (context.workspace().showTab(serialKey(instance.id()))) {
            return; // one terminal per console: QEMU's serial socket takes one client
        }
        String region = model.list().region();
        InstanceService instances = model.service();
        String id = instance.id();
        TerminalView view = new TerminalView("the serial console of " + title(instance),
                () -> instances.openSerialConsole(region, id), context.tasks(), null);
        view.setId("serial-terminal-" + id);
        context.workspace().openTab(serialKey(id), "Serial " + title(instance), view, view::close);
    }

    private static String title(Instance instance) {
        String name = InstancesViewModel.nameOf(instance);
        return name.isEmpty() ? instance.id() : name + " (" + instance.id() + ")";
    }
}
