package dev.nube.engine.functions;

import java.util.Map;

/**
 * UpdateFunctionConfiguration: each field that is not null replaces the current value; {@code environment}, when
 * given, replaces all variables. Takes effect on the next invocation (warm environments of the old configuration
 * are discarded). {@code role} is kept and shown as given. {@code layers}, when given, replaces the layers (layer
 * version ARNs, in order; empty removes them).
 */
public record ConfigurationChange(String runtime, String handler, Integer memoryMb, Integer timeoutSeconds,
        Map<String, String> environment, String description, String role, java.util.List<String> layers) {
    public static ConfigurationChange none() {
        return new ConfigurationChange(null, null, null, null, null, null, null, null);
    }

    public ConfigurationChange runtime(String value) {
        return new ConfigurationChange(value, handler, memoryMb, timeoutSeconds, environment, description, role,
                layers);
    }

    public ConfigurationChange memory(int mb) {
        return new ConfigurationChange(runtime, handler, mb, timeoutSeconds, environment, description, role, layers);
    }

    public ConfigurationChange timeout(int seconds) {
        return new ConfigurationChange(runtime, handler, memoryMb, seconds, environment, description, role, layers);
    }

    public ConfigurationChange handler(String value) {
        return new ConfigurationChange(runtime, value, memoryMb, timeoutSeconds, environment, description, role,
                layers);
    }

    public ConfigurationChange environment(Map<String, String> variables) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, Map.copyOf(variables), description,
                role, layers);
    }

    public ConfigurationChange description(String value) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, environment, value, role, layers);
    }

    public ConfigurationChange role(String value) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, environment, description, value,
                layers);
    }

    public ConfigurationChange layers(java.util.List<String> arns) {
        return new ConfigurationChange(runtime, handler, memoryMb, timeoutSeconds, environment, description, role,
                java.util.List.copyOf(arns));
    }
}
