package dev.nube.ui.functions;

import dev.nube.engine.functions.FunctionCode;
import dev.nube.engine.functions.FunctionMonitor;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.store.EngineEvent;
import dev.nube.ui.common.TaskExecutor;
import dev.nube.ui.common.UiEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the view models of one open function share: which function (region and name), the engine's function
 * services, the task executor, and engine-event subscriptions that all end when the page closes. FX thread only.
 */
public final class FunctionScope {
    private final String region;
    private final String name;
    private final FunctionService functions;
    private final FunctionCode code;
    private final FunctionMonitor monitor;
    private final TaskExecutor tasks;
    private final UiEvents events;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private boolean closed;

    FunctionScope(String region, String name, FunctionService functions, FunctionCode code, FunctionMonitor monitor,
                  TaskExecutor tasks, UiEvents events) {
        this.region = region;
        this.name = name;
        this.functions = functions;
        this.code = code;
        this.monitor = monitor;
        this.tasks = tasks;
        this.events = events;
    }

    public String region() {
        return region;
    }

    public String name() {
        return name;
    }

    public FunctionService functions() {
        return functions;
    }

    public FunctionCode code() {
        return code;
    }

    FunctionMonitor monitor() {
        return monitor;
    }

    public TaskExecutor tasks() {
        return tasks;
    }

    /** Hears engine events of {@code type} on the FX thread until {@link #close()}. */
    public <E extends EngineEvent> void on(Class<E> type, Consumer<? super E> handler) {
        subscriptions.add(events.on(type, event -> {
            if (!closed) { // an event already on its way to the FX thread when the page closed
                handler.accept(event);
            }
        }));
    }

    /** True when {@code eventRegion}/{@code functionName} name this function. */
    public boolean is(String eventRegion, String functionName) {
        return region.equals(eventRegion) && name.equals(functionName);
    }

    /** Ends every subscription. */
    void close() {
        closed = true;
        for (AutoCloseable subscription : subscriptions) {
            try {
                subscription.close();
            } catch (Exception e) {
                // an event bus subscription's close does not fail; nothing to do if it did
            }
        }
        subscriptions.clear();
    }
}
