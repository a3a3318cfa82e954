package dev.nube.engine.api.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nube.engine.Engine;
import dev.nube.engine.EngineException;
import dev.nube.engine.api.ApiProtocol;
import dev.nube.engine.api.ApiRequest;
import dev.nube.engine.api.ApiResponse;
import dev.nube.engine.api.ApiServer;
import dev.nube.engine.api.SignatureV4;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.LogEvent;
import dev.nube.engine.functions.LogQuery;
import dev.nube.engine.functions.LogStream;
import dev.nube.engine.store.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * CloudWatch Logs' JSON 1.1 protocol ({@code POST /} with {@code X-Amz-Target: Logs_20140328.Action}), for reading
 * functions' logs: the log group of a function is {@code /aws/lambda/NAME}, its streams are the function's (one per
 * execution environment). Serves DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents (so
 * {@code aws logs tail --follow} works: it polls FilterLogEvents from the newest time it saw and drops the events
 * whose eventId it has shown). A filterPattern is read as plain terms, each of which a message must contain
 * (a quoted term is one phrase); JSON and column patterns are refused. Errors are {@code {"__type": ..., "message":
 * ...}} at status 400. Stateless: every token says where to go on; thread-safe.
 */
public final class LogsApi implements ApiProtocol {
    static final String TARGET_PREFIX = "Logs_20140328.";
    static final String JSON = "application/x-amz-json-1.1";
    private static final String GROUP_PREFIX = "/aws/lambda/";
    private static final int MAX_EVENTS = 10_000;

    private final Engine engine;

    public LogsApi(Engine engine) {
        this.engine = engine;
    }

    @Override
    public String signingName() {
        return "logs";
    }

    @Override
    public boolean claims(String method, String rawPath, Map<String, String> headers) {
        String target = headers.get("x-amz-target");
        return target != null && target.startsWith(TARGET_PREFIX);
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        String target = request.header("x-amz-target");
        String action = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length())
                : "-";
        try {
            JsonNode body = body(request);
            ObjectNode out = switch (action) {
                case "DescribeLogGroups" -> describeLogGroups(request.region(), body);
                case "DescribeLogStreams" -> describeLogStreams(request.region(), body);
                case "GetLogEvents" -> getLogEvents(request.region(), body);
                case "FilterLogEvents" -> filterLogEvents(request.region(), body);
                default -> null;
            };
            if (out == null) {
                return reject(400, "UnknownOperationException", "The action " + action + " is not served by Nube's"
                        + " CloudWatch Logs.", request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
            }
            return new ApiResponse(200, JSON, Map.of("x-amzn-RequestId", request.requestId(),
                    ApiServer.ACTION_HEADER, action), Json.mapper().writeValueAsBytes(out));
        } catch (EngineException e) {
            return reject(e.code().startsWith("Server") || e.code().equals("StorageError") ? 500 : 400, e.code(),
                    e.getMessage(), request.requestId()).withHeader(ApiServer.ACTION_HEADER, action);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode body(ApiRequest request) {
        if (request.body().length == 0) {
            return Json.mapper().createObjectNode();
        }
        try {
            JsonNode node = Json.mapper().readTree(request.body());
            if (node == null || !node.isObject()) {
                throw new EngineException("SerializationException", "The request body must be a JSON object.");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new EngineException("SerializationException", "The request body is not JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private ObjectNode describeLogGroups(String region, JsonNode body) {
        String prefix = text(body, "logGroupNamePrefix");
        String pattern = text(body, "logGroupNamePattern");
        if (prefix != null && pattern != null) {
            throw invalid("Give logGroupNamePrefix or logGroupNamePattern, not both.");
        }
        int limit = limit(body, 50);
        String after = text(body, "nextToken");
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode groups = out.putArray("logGroups");
        // Listed by name, as the functions are; the token is the last group's name.
        for (FunctionSummary summary : engine.functions().list(region).items()) {
            FunctionConfiguration function = summary.configuration();
            String name = function.logGroup();
            if ((prefix != null && !name.startsWith(prefix)) || (pattern != null && !name.toLowerCase(Locale.ROOT)
                    .contains(pattern.toLowerCase(Locale.ROOT))) || (after != null && name.compareTo(after) <= 0)) {
                continue;
            }
            if (groups.size() == limit) {
                out.put("nextToken", groups.get(groups.size() - 1).path("logGroupName").asText());
                break;
            }
            ObjectNode group = groups.addObject();
            group.put("logGroupName", name);
            group.put("creationTime", function.createdAt().toEpochMilli());
            group.put("metricFilterCount", 0);
            group.put("arn", groupArn(region, name) + ":*");
            group.put("storedBytes", streams(region, function.name()).stream().mapToLong(LogStream::storedBytes)
                    .sum());
        }
        return out;
    }

    private ObjectNode describeLogStreams(String region, JsonNode body) {
        String function = function(region, body);
        String orderBy = Objects.requireNonNullElse(text(body, "orderBy"), "LogStreamName");
        String prefix = text(body, "logStreamNamePrefix");
        if (!orderBy.equals("LogStreamName") && !orderBy.equals("LastEventTime")) {
            throw invalid("orderBy is LogStreamName or LastEventTime; '" + orderBy + "' is neither.");
        }
        if (prefix != null && orderBy.equals("LastEventTime")) {
            throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        boolean descending = body.path("descending").asBoolean(false);
        int limit = limit(body, 50);
        int from = offset(text(body, "nextToken"));
        List<LogStream> streams = new ArrayList<>(streams(region, function));
        streams.removeIf(s -> prefix != null && !s.name().startsWith(prefix));
        Comparator<LogStream> order = orderBy.equals("LogStreamName") ? Comparator.comparing(LogStream::name)
                : Comparator.comparing(LogStream::lastEventAt).thenComparing(LogStream::name);
        streams.sort(descending ? order.reversed() : order);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("logStreams");
        String group = GROUP_PREFIX + function;
        for (int i = from; i < streams.size() && i < from + limit; i++) {
            LogStream stream = streams.get(i);
            ObjectNode node = list.addObject();
            node.put("logStreamName", stream.name());
            node.put("creationTime", stream.firstEventAt().toEpochMilli());
            node.put("firstEventTimestamp", stream.firstEventAt().toEpochMilli());
            node.put("lastEventTimestamp", stream.lastEventAt().toEpochMilli());
            node.put("lastIngestionTime", stream.lastEventAt().toEpochMilli());
            node.put("arn", groupArn(region, group) + ":log-stream:" + stream.name());
            node.put("storedBytes", stream.storedBytes());
        }
        if (from + limit < streams.size()) {
            out.put("nextToken", "o/" + (from + limit));
        }
        return out;
    }

    private ObjectNode getLogEvents(String region, JsonNode body) {
        String function = function(region, body);
        String stream = text(body, "logStreamName");
        if (stream == null) {
            throw invalid("logStreamName is required.");
        }
        if (streams(region, function).stream().noneMatch(s -> s.name().equals(stream))) {
            throw new EngineException("ResourceNotFoundException", "The specified log stream does not exist.");
        }
        int limit = limit(body, MAX_EVENTS);
        List<LogEvent> events = events(region, function, query(body).inStream(stream));
        String token = text(body, "nextToken");
        boolean forward;
        int from;
        int to;
        if (token == null) {
            forward = body.path("startFromHead").asBoolean(false);
            from = forward ? 0 : Math.max(0, events.size() - limit);
            to = forward ? Math.min(events.size(), limit) : events.size();
        } else {
            forward = token.startsWith("f/");
            if (!forward && !token.startsWith("b/")) {
                throw invalid("The next token '" + token + "' is not one this API handed out.");
            }
            int at = LogPosition.parse(token.substring(2)).index(events);
            from = forward ? at : Math.max(0, at - limit);
            to = forward ? Math.min(events.size(), at + limit) : at;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("events");
        for (LogEvent event : events.subList(from, to)) {
            ObjectNode node = list.addObject();
            node.put("timestamp", event.timestamp().toEpochMilli());
            node.put("message", event.message());
            node.put("ingestionTime", event.timestamp().toEpochMilli());
        }
        // With nothing more that way, the token given comes back: the CLI stops when a token repeats.
        boolean none = from == to && token != null;
        out.put("nextForwardToken", none && forward ? token : "f/" + LogPosition.before(events, to).token());
        out.put("nextBackwardToken", none && !forward ? token : "b/" + LogPosition.before(events, from).token());
        return out;
    }

    private ObjectNode filterLogEvents(String region, JsonNode body) {
        String function = function(region, body);
        List<String> names = new ArrayList<>();
        body.path("logStreamNames").forEach(n -> names.add(n.asText()));
        String prefix = text(body, "logStreamNamePrefix");
        if (!names.isEmpty() && prefix != null) {
            throw invalid("Give logStreamNames or logStreamNamePrefix, not both.");
        }
        List<String> terms = terms(text(body, "filterPattern"));
        int limit = limit(body, MAX_EVENTS);
        List<LogStream> searched = new ArrayList<>(streams(region, function));
        searched.removeIf(s -> (!names.isEmpty() && !names.contains(s.name()))
                || (prefix != null && !s.name().startsWith(prefix)));
        java.util.Set<String> chosen = new java.util.HashSet<>();
        searched.forEach(s -> chosen.add(s.name()));
        List<LogEvent> events = new ArrayList<>(events(region, function, query(body)));
        events.removeIf(e -> !chosen.contains(e.stream()) || !terms.stream().allMatch(e.message()::contains));
        // Interleaved by time; events of one time in stream order, each stream's own order kept.
        events.sort(Comparator.comparing(LogEvent::timestamp).thenComparing(LogEvent::stream));
        String token = text(body, "nextToken");
        int from = token == null ? 0 : LogPosition.parse(token).index(events);
        int to = Math.min(events.size(), from + limit);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("events");
        Map<String, Integer> repeats = new HashMap<>();
        for (int i = 0; i < events.size() && i < to; i++) {
            LogEvent event = events.get(i);
            // The same event keeps its id whenever it is listed: the CLI's tail drops ids it has shown.
            String key = event.stream() + "\n" + event.timestamp().toEpochMilli() + "\n" + event.message();
            int repeat = repeats.merge(key, 1, Integer::sum);
            if (i < from) {
                continue;
            }
            ObjectNode node = list.addObject();
            node.put("logStreamName", event.stream());
            node.put("timestamp", event.timestamp().toEpochMilli());
            node.put("message", event.message());
            node.put("ingestionTime", event.timestamp().toEpochMilli());
            node.put("eventId", eventId(key + "\n" + repeat));
        }
        ArrayNode streams = out.putArray("searchedLogStreams");
        for (LogStream stream : searched) {
            ObjectNode node = streams.addObject();
            node.put("logStreamName", stream.name());
            node.put("searchedCompletely", true);
        }
        if (to < events.size()) {
            out.put("nextToken", LogPosition.before(events, to).token());
        }
        return out;
    }

    /** The function whose log group the request names (logGroupName or logGroupIdentifier, a name or an ARN). */
    private String function(String region, JsonNode body) {
        String group = text(body, "logGroupName");
        String identifier = text(body, "logGroupIdentifier");
        if (group != null && identifier != null) {
            throw invalid("Give logGroupName or logGroupIdentifier, not both.");
        }
        if (group == null) {
            group = identifier;
        }
        if (group == null) {
            throw invalid("logGroupName is required.");
        }
        java.util.regex.Matcher arn = java.util.regex.Pattern.compile("arn:aws[a-zA-Z-]*:logs:([a-z0-9-]+):\\d{12}:"
                + "log-group:(.+?)(:\\*)?").matcher(group);
        if (arn.matches()) {
            group = arn.group(2);
        }
        String name = group.startsWith(GROUP_PREFIX) ? group.substring(GROUP_PREFIX.length()) : null;
        if (name == null || name.isEmpty() || !name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw groupNotFound(group);
        }
        try {
            engine.functions().get(region, name);
        } catch (EngineException e) {
            if (e.code().equals("ResourceNotFoundException")) {
                throw groupNotFound(group);
            }
            throw e;
        }
        return name;
    }

    private static EngineException groupNotFound(String group) {
        return new EngineException("ResourceNotFoundException", "The specified log group does not exist: " + group
                + " (Nube keeps one log group per function, /aws/lambda/NAME).");
    }

    private List<LogStream> streams(String region, String function) {
        return engine.functionMonitor().logStreams(region, function);
    }

    private List<LogEvent> events(String region, String function, LogQuery query) {
        return engine.functionMonitor().logEvents(region, function, query);
    }

    /** startTime (inclusive) and endTime (exclusive), epoch milliseconds, as Logs takes them. */
    private static LogQuery query(JsonNode body) {
        LogQuery query = LogQuery.all();
        if (body.hasNonNull("startTime")) {
            query = query.since(Instant.ofEpochMilli(body.path("startTime").asLong()));
        }
        if (body.hasNonNull("endTime")) {
            query = query.until(Instant.ofEpochMilli(body.path("endTime").asLong()));
        }
        return query;
    }

    /** A filterPattern's terms, each of which a message must contain; a quoted term is one phrase. */
    static List<String> terms(String pattern) {
        List<String> terms = new ArrayList<>();
        if (pattern == null || pattern.isBlank()) {
            return terms;
        }
        String p = pattern.strip();
        if (p.startsWith("{") || p.startsWith("[") || p.startsWith("%")) {
            throw invalid("Nube filters log events by plain terms only (e.g. ERROR, or \"two words\"), not by JSON,"
                    + " column or regular expression patterns: '" + pattern + "'.");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(p);
        while (m.find()) {
            String term = m.group(1) != null ? m.group(1) : m.group(2);
            if (m.group(2) != null && (term.startsWith("-") || term.startsWith("?"))) {
                throw invalid("Nube filters log events by plain terms that must all appear; '" + term + "' (an"
                        + " excluded or optional term) is not served.");
            }
            terms.add(term);
        }
        return terms;
    }

    private static String eventId(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
            return new java.math.BigInteger(1, java.util.Arrays.copyOf(digest, 16)).toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String groupArn(String region, String group) {
        return "arn:aws:logs:" + region + ":000000000000:log-group:" + group;
    }

    private static String text(JsonNode body, String member) {
        JsonNode node = body.get(member);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static int limit(JsonNode body, int max) {
        if (!body.hasNonNull("limit")) {
            return max;
        }
        int limit = body.path("limit").asInt();
        if (limit < 1 || limit > max) {
            throw invalid("limit must be between 1 and " + max + "; " + body.path("limit").asText() + " is not.");
        }
        return limit;
    }

    private static int offset(String token) {
        if (token == null) {
            return 0;
        }
        try {
            if (!token.startsWith("o/")) {
                throw new NumberFormatException();
            }
            return Math.max(0, Integer.parseInt(token.substring(2)));
        } catch (NumberFormatException e) {
            throw invalid("The next token '" + token + "' is not one this API handed out.");
        }
    }

    private static EngineException invalid(String message) {
        return new EngineException("InvalidParameterException", message);
    }

    @Override
    public ApiResponse refuse(SignatureV4.Problem problem, String message, String requestId) {
        String code = switch (problem) {
            case MISSING -> "MissingAuthenticationTokenException";
            case INCOMPLETE -> "IncompleteSignatureException";
            case UNKNOWN_KEY -> "UnrecognizedClientException";
            case MISMATCH, EXPIRED -> "InvalidSignatureException";
        };
        return reject(problem == SignatureV4.Problem.MISSING ? 400 : 403, code, message, requestId);
    }

    @Override
    public ApiResponse reject(int status, String code, String message, String requestId) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("__type", code);
        body.put("message", message);
        try {
            return new ApiResponse(status, JSON, Map.of("x-amzn-RequestId", requestId),
                    Json.mapper().writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
