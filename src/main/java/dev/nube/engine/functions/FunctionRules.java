package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The limits AWS puts on a function's name and configuration, with messages that say how to fix the value. The
 * service enforces them; a console checks values as they are typed with the {@code ...Problem} methods, which give
 * the same messages. Stateless.
 */
public final class FunctionRules {
    public static final int MIN_MEMORY_MB = 128;
    public static final int MAX_MEMORY_MB = 3008;
    public static final int MEMORY_STEP_MB = 64;
    public static final int MAX_TIMEOUT_SECONDS = 300;
    public static final int MAX_ENVIRONMENT_BYTES = 4096;
    static final String INVALID = "InvalidParameterValueException";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern VARIABLE = Pattern.compile("[a-zA-Z]([a-zA-Z0-9_])*");
    private static final Pattern HANDLER = Pattern.compile("[^\\s]{1,128}");
    /** Set by Lambda itself; a function may not define them (AWS's list of reserved variables). */
    static final Set<String> RESERVED = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ");

    private FunctionRules() {
    }

    static EngineException invalid(String message) {
        return new EngineException(INVALID, message);
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw invalid("Enter a function name.");
        }
        if (!NAME.matcher(name).matches()) {
            throw invalid(name.length() > 64 ? "A function name has at most 64 characters; '" + name + "' has "
                    + name.length() + "." : "A function name may hold only letters, digits, hyphens (-) and"
                    + " underscores (_); '" + name + "' has other characters.");
        }
    }

    static void checkMemory(int mb) {
        if (mb < MIN_MEMORY_MB || mb > MAX_MEMORY_MB || (mb - MIN_MEMORY_MB) % MEMORY_STEP_MB != 0) {
            throw invalid("Memory must be between " + MIN_MEMORY_MB + " and " + MAX_MEMORY_MB + " MB in steps of "
                    + MEMORY_STEP_MB + " MB (128, 192, 256, ...); " + mb + " MB is not.");
        }
    }

    static void checkTimeout(int seconds) {
        if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
            throw invalid("The timeout must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds; " + seconds
                    + " is not.");
        }
    }

    static void checkHandler(String handler) {
        if (handler == null || !HANDLER.matcher(handler).matches() || !handler.contains(".")) {
            throw invalid("A handler reads FILE.FUNCTION, e.g. lambda_function.lambda_handler; '" + handler
                    + "' does not.");
        }
    }

    static void checkEnvironment(Map<String, String> variables) {
        int bytes = 0;
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            String key = variable.getKey();
            if (RESERVED.contains(key)) {
                throw invalid("The environment variable " + key + " is reserved: Lambda sets it itself. Choose"
                        + " another name.");
            }
            if (!VARIABLE.matcher(key).matches()) {
                throw invalid("An environment variable's name starts with a letter and holds only letters, digits"
                        + " and underscores; '" + key + "' does not.");
            }
            if (variable.getValue() == null) {
                throw invalid("The environment variable " + key + " has no value.");
            }
            bytes += key.getBytes(StandardCharsets.UTF_8).length
                    + variable.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_ENVIRONMENT_BYTES) {
            throw invalid("Environment variables take " + bytes + " bytes; together they may take at most "
                    + MAX_ENVIRONMENT_BYTES + " (4 KB).");
        }
    }

    /** The number of bytes environment variables count against the 4 KB limit (for a gauge). */
    public static int environmentBytes(Map<String, String> variables) {
        return variables.entrySet().stream().mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    static void checkTestEventName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,25}")) {
            throw invalid("A test event's name has 1 to 25 letters, digits, dots, hyphens or underscores.");
        }
    }

    static void checkDescription(String description) {
        if (description != null && description.length() > 256) {
            throw invalid("A description has at most 256 characters.");
        }
    }

    /** Why {@code name} cannot name a function, or empty. */
    public static Optional<String> nameProblem(String name) {
        return problem(() -> checkName(name));
    }

    /** Why {@code handler} is not a handler (FILE.FUNCTION), or empty. */
    public static Optional<String> handlerProblem(String handler) {
        return problem(() -> checkHandler(handler));
    }

    /** Why environment variables cannot be set (a reserved or malformed name, more than 4 KB), or empty. */
    public static Optional<String> environmentProblem(Map<String, String> variables) {
        return problem(() -> checkEnvironment(variables));
    }

    /** Why {@code name} cannot name a saved test event, or empty. */
    public static Optional<String> testEventNameProblem(String name) {
        return problem(() -> checkTestEventName(name));
    }

    /** True for the variables Lambda sets itself, which a function may not define. */
    public static boolean reservedVariable(String name) {
        return RESERVED.contains(name);
    }

    /** The message of the {@link EngineException} {@code check} throws, or empty when it passes. */
    static Optional<String> problem(Runnable check) {
        try {
            check.run();
            return Optional.empty();
        } catch (EngineException e) {
            return Optional.of(e.getMessage());
        }
    }
}
