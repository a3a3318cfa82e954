package dev.nube.javaruntime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Errors as Lambda's Java runtime reports them: {@code errorType} the exception's class name, {@code errorMessage},
 * {@code stackTrace} the function's frames as strings ("example.Hello.handleRequest(Hello.java:12)"), and the
 * {@code cause} the same way. The runtime's own frames, and the reflection that called the handler, are left out.
 */
final class ErrorReports {
    private static final String RUNTIME_PACKAGE = ErrorReports.class.getPackageName() + ".";

    private ErrorReports() {
    }

    static ObjectNode body(ObjectMapper json, Throwable error) {
        return body(json, error.getClass().getName(), error.getMessage(), error, 0);
    }

    static ObjectNode body(ObjectMapper json, String type, String message, Throwable trace) {
        return body(json, type, message, trace, 0);
    }

    private static ObjectNode body(ObjectMapper json, String type, String message, Throwable trace, int depth) {
        ObjectNode body = json.createObjectNode();
        body.put("errorMessage", message);
        body.put("errorType", type);
        ArrayNode frames = body.putArray("stackTrace");
        if (trace != null) {
            userFrames(trace).forEach(frames::add);
            Throwable cause = trace.getCause();
            if (cause != null && cause != trace && depth < 8) {
                body.set("cause", body(json, cause.getClass().getName(), cause.getMessage(), cause, depth + 1));
            }
        }
        return body;
    }

    /** The frames up to the runtime's call of the handler, each as Lambda writes it. */
    static List<String> userFrames(Throwable error) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (StackTraceElement frame : error.getStackTrace()) {
            if (frame.getClassName().startsWith(RUNTIME_PACKAGE)) {
                while (!frames.isEmpty() && reflection(frames.get(frames.size() - 1).getClassName())) {
                    frames.remove(frames.size() - 1);
                }
                break;
            }
            frames.add(frame);
        }
        return frames.stream().map(ErrorReports::frame).toList();
    }

    private static boolean reflection(String className) {
        return className.startsWith("jdk.internal.reflect.") || className.startsWith("java.lang.reflect.")
                || className.startsWith("java.lang.invoke.");
    }

    static String frame(StackTraceElement frame) {
        String where = frame.isNativeMethod() ? "Native Method" : frame.getFileName() == null ? "Unknown Source"
                : frame.getLineNumber() >= 0 ? frame.getFileName() + ":" + frame.getLineNumber() : frame.getFileName();
        return frame.getClassName() + "." + frame.getMethodName() + "(" + where + ")";
    }

    /** The text the function's log shows: "type: message" and the frames, as a stack trace is printed. */
    static String logText(String type, String message, Throwable trace) {
        StringBuilder text = new StringBuilder(type);
        if (message != null) {
            text.append(": ").append(message);
        }
        text.append('\n');
        for (Throwable t = trace; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t != trace) {
                text.append("Caused by: ").append(t).append('\n');
            }
            for (String frame : userFrames(t)) {
                text.append("\tat ").append(frame).append('\n');
            }
        }
        return text.toString();
    }
}
