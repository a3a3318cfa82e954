package dev.nube.engine.functions;

import java.util.List;

/**
 * The error an invocation ended with, as the runtime reported it (errorType, errorMessage, stackTrace or node's
 * trace) or as the engine found it (Runtime.ExitError, Sandbox.Timedout, Function.ResponseSizeTooLarge).
 *
 * @param kind X-Amz-Function-Error: {@code Handled} when the function reported the error itself (a node callback
 *             with an error), else {@code Unhandled}
 */
public record FunctionError(String kind, String type, String message, List<String> stackTrace) {
    public static final String HANDLED = "Handled";
    public static final String UNHANDLED = "Unhandled";

    public FunctionError {
        stackTrace = stackTrace == null ? List.of() : List.copyOf(stackTrace);
        message = message == null ? "" : message;
    }
}
