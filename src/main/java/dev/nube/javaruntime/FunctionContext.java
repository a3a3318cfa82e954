package dev.nube.javaruntime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@link Context} of one invocation: the function's names from the environment the engine gave the runtime, the
 * request's from the Runtime API's headers. Immutable.
 */
final class FunctionContext implements Context {
    private final String requestId;
    private final long deadlineMs;
    private final String arn;
    private final String traceId;
    private final ClientContext clientContext;
    private final CognitoIdentity identity;
    private final LambdaLogger logger;

    FunctionContext(Map<String, String> headers, LambdaLogger logger, Supplier<ObjectMapper> json) {
        this.requestId = headers.getOrDefault("lambda-runtime-aws-request-id", "");
        this.deadlineMs = parseLong(headers.get("lambda-runtime-deadline-ms"));
        this.arn = headers.get("lambda-runtime-invoked-function-arn");
        this.traceId = headers.get("lambda-runtime-trace-id");
        this.clientContext = clientContext(read(json, headers.get("lambda-runtime-client-context")));
        this.identity = identity(read(json, headers.get("lambda-runtime-cognito-identity")));
        this.logger = logger;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
    }

    @Override
    public String getLogStreamName() {
        return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
    }

    @Override
    public String getFunctionName() {
        return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    }

    @Override
    public String getFunctionVersion() {
        return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
    }

    @Override
    public String getInvokedFunctionArn() {
        return arn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return identity;
    }

    @Override
    public ClientContext getClientContext() {
        return clientContext;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, deadlineMs - System.currentTimeMillis()));
    }

    @Override
    public int getMemoryLimitInMB() {
        return (int) parseLong(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    @Override
    public String getXrayTraceId() {
        return traceId;
    }

    private static long parseLong(String text) {
        try {
            return text == null ? 0 : Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static JsonNode read(Supplier<ObjectMapper> json, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.get().readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null) {
            node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }

    private static ClientContext clientContext(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode client = node.path("client");
        Client app = new Client() {
            @Override
            public String getInstallationId() {
                return client.path("installation_id").asText(null);
            }

            @Override
            public String getAppTitle() {
                return client.path("app_title").asText(null);
            }

            @Override
            public String getAppVersionName() {
                return client.path("app_version_name").asText(null);
            }

            @Override
            public String getAppVersionCode() {
                return client.path("app_version_code").asText(null);
            }

            @Override
            public String getAppPackageName() {
                return client.path("app_package_name").asText(null);
            }
        };
        Map<String, String> custom = strings(node.get("custom"));
        Map<String, String> environment = strings(node.get("env"));
        return new ClientContext() {
            @Override
            public Client getClient() {
                return app;
            }

            @Override
            public Map<String, String> getCustom() {
                return custom;
            }

            @Override
            public Map<String, String> getEnvironment() {
                return environment;
            }
        };
    }

    private static CognitoIdentity identity(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        String id = node.path("cognitoIdentityId").asText(null);
        String pool = node.path("cognitoIdentityPoolId").asText(null);
        return new CognitoIdentity() {
            @Override
            public String getIdentityId() {
                return id;
            }

            @Override
            public String getIdentityPoolId() {
                return pool;
            }
        };
    }
}
