package dev.nube.engine.functions;

import dev.nube.engine.store.EngineEvent;
import java.util.List;

/** Events of the functions service, besides ResourceChanged for creations, changes and deletions. */
public final class FunctionEvents {
    private FunctionEvents() {
    }

    /** New lines in a function's log (for the Logs tab's live follow). Published on the thread that read them. */
    public record LogAppended(String region, String functionName, List<LogEvent> events) implements EngineEvent {
        public LogAppended {
            events = List.copyOf(events);
        }
    }

    /** An invocation ended (or was throttled); the Monitor tab and the functions list refresh on it. */
    public record InvocationFinished(String region, String functionName, String requestId, boolean error,
            boolean throttled) implements EngineEvent {
    }

    /**
     * A line of Deploy's output: of the tool installing a function's dependencies (npm, pip) or of the compiler building
     * its code ({@link CodeBuild}: go build), or a line Nube adds (the command, the outcome). Published on the thread
     * that read it, in order.
     */
    public record DependencyOutput(String region, String functionName, String line) implements EngineEvent {
    }
}
