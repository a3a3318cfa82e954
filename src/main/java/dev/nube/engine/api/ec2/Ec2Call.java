package dev.nube.engine.api.ec2;

import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One EC2 Query request: its action, region and parameters, with readers for the Query protocol's flattened shapes
 * ({@code InstanceId.1}, {@code Filter.1.Name} and {@code Filter.1.Value.1}, {@code TagSpecification.1.Tag.1.Key}).
 * A missing or malformed parameter is refused with EC2's codes (MissingParameter, InvalidParameterValue).
 */
public final class Ec2Call {
    private final String action;
    private final ApiRequest request;
    private final Map<String, String> params;

    Ec2Call(String action, ApiRequest request, Map<String, String> params) {
        this.action = action;
        this.request = request;
        this.params = params;
    }

    public String action() {
        return action;
    }

    public String region() {
        return request.region();
    }

    public String requestId() {
        return request.requestId();
    }

    public ApiRequest request() {
        return request;
    }

    /** A parameter, or null when absent. */
    public String string(String name) {
        return params.get(name);
    }

    /** A parameter that must be there and not blank. */
    public String required(String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new EngineException("MissingParameter", "The request must contain the parameter " + name);
        }
        return value;
    }

    /** An integer parameter, {@code fallback} when absent. */
    public int integer(String name, int fallback) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("Invalid value '" + value + "' for " + name + ": not an integer.");
        }
    }

    /** A boolean parameter ({@code true}/{@code false}), {@code fallback} when absent. */
    public boolean bool(String name, boolean fallback) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw EngineException.invalid("Invalid value '" + value + "' for " + name + ": must be true or false.");
    }

    /** A flattened list {@code prefix.1}, {@code prefix.2}, ... in its numbers' order (empty when absent). */
    public List<String> list(String prefix) {
        TreeMap<Integer, String> items = new TreeMap<>();
        String start = prefix + ".";
        params.forEach((key, value) -> {
            if (key.startsWith(start)) {
                String rest = key.substring(start.length());
                if (rest.matches("[0-9]{1,6}")) {
                    items.put(Integer.parseInt(rest), value);
                }
            }
        });
        return new ArrayList<>(items.values());
    }

    /**
     * A flattened list of structures: for {@code Filter}, each {@code Filter.N.*} as a map of its members by their
     * names after {@code Filter.N.} (so {@code Name}, {@code Value.1}, ...), in N's order.
     */
    public List<Map<String, String>> structures(String prefix) {
        TreeMap<Integer, Map<String, String>> items = new TreeMap<>();
        String start = prefix + ".";
        params.forEach((key, value) -> {
            if (key.startsWith(start)) {
                String rest = key.substring(start.length());
                int dot = rest.indexOf('.');
                if (dot > 0 && rest.substring(0, dot).matches("[0-9]{1,6}")) {
                    items.computeIfAbsent(Integer.parseInt(rest.substring(0, dot)), n -> new LinkedHashMap<>())
                            .put(rest.substring(dot + 1), value);
                }
            }
        });
        return new ArrayList<>(items.values());
    }

    /** The filters ({@code Filter.N.Name}, {@code Filter.N.Value.M}): name to its values, in order. */
    public Map<String, List<String>> filters() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map<String, String> filter : structures("Filter")) {
            String name = filter.get("Name");
            if (name == null || name.isBlank()) {
                throw new EngineException("InvalidParameterValue", "Each filter must have a Name.");
            }
            List<String> values = new ArrayList<>();
            new TreeMap<>(filter).forEach((key, value) -> {
                if (key.startsWith("Value.")) {
                    values.add(value);
                }
            });
            out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
        }
        return out;
    }

    /**
     * Refuses the call as EC2 does when {@code DryRun} is true: with DryRunOperation ("Request would have
     * succeeded"). Called after the parameters were checked and before anything is changed.
     */
    public void checkDryRun() {
        if (bool("DryRun", false)) {
            throw new EngineException(Ec2Api.DRY_RUN_OPERATION, "Request would have succeeded, but DryRun flag is set.");
        }
    }
}
