package dev.nube.engine.functions;

import java.util.Map;

/**
 * UpdateFunctionConfiguration: each field that is not null replaces the current value; {@code environment}, when
 * given, replaces all variables. Takes effect on the next invocation (warm environments of the old configuration
 * are discarded). {@code role} is kept and shown as given.
 */
public record ConfigurationChange(String runtime, String handler, Integer memoryMb, Integer timeoutSeconds,
        Map<String, String> environment, String description, String role) {
    public static ConfigurationChange none() {
        return new ConfigurationChange(null, null, null, null, null, null, null);
    }

    public ConfigurationChange runtime(String value) {
        return new ConfigurationChange(value, handler, memoryMb, timeoutSeconds, environment, description, role);
    }

    public ConfigurationChange memory(int mb) {
        return new ConfigurationChange(runtime, handler, mb, timeoutSeconds, environment, description, role);
    }

    public ConfigurationChange timeout(int seconds) {
        return new ConfigurationChange(runtime, handler, memoryMb, seconds, environment, description, role);
    }

    public ConfigurationChange handler(String value) {
        return new ConfigurationChange(runtime, value, memoryMb, timeoutSeconds, environment, description, role);
    }

    public ConfigurationChange environment(Map<String, String> variables) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, Map.copyOf(variables), description,
                role);
    }

    public ConfigurationChange description(String value) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, environment, value, role);
    }

    public ConfigurationChange role(String value) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, environment, description, value);
    }
}
