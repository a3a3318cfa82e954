package dev.nube.javaruntime;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The runtime's main loop: loads the handler named by _HANDLER from the class path (/var/task and its lib/*.jar),
 * reports an init error to the Runtime API when that fails, then takes invocations one at a time from
 * AWS_LAMBDA_RUNTIME_API and answers each with the handler's result or its error, as Lambda's Java runtime does.
 */
public final class Main {
    private static final String RESPONSE = RuntimeClient.BASE + "/invocation/%s/response";
    private static final String ERROR = RuntimeClient.BASE + "/invocation/%s/error";

    private Main() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        PrintStream out = System.out;
        // Jackson's mapper takes a good part of a cold start to make: made on a thread of its own while the
        // handler's class loads and initialises, and awaited before the first event (still in the init).
        CompletableFuture<ObjectMapper> mapper = new CompletableFuture<>();
        Thread maker = new Thread(() -> {
            try {
                mapper.complete(new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS));
            } catch (Throwable e) {
                mapper.completeExceptionally(e);
            }
        }, "nube-runtime-json");
        maker.setDaemon(true);
        maker.start();
        Supplier<ObjectMapper> json = mapper::join;
        RuntimeClient client = new RuntimeClient(System.getenv("AWS_LAMBDA_RUNTIME_API"));
        StdoutLogger logger = new StdoutLogger(out);
        Handler handler;
        HandlerLoader loader = new HandlerLoader(json, ClassLoader.getSystemClassLoader());
        try {
            handler = loader.load(System.getenv("_HANDLER"));
        } catch (InitError e) {
            Throwable trace = e.getCause();
            out.print(ErrorReports.logText(e.errorType(), e.getMessage(), trace));
            out.flush();
            byte[] body = json.get().writeValueAsBytes(ErrorReports.body(json.get(), e.errorType(), e.getMessage(),
                    trace));
            client.request("POST", RuntimeClient.BASE + "/init/error", body,
                    Map.of("Lambda-Runtime-Function-Error-Type", e.errorType()));
            System.exit(1);
            return;
        }
        loader.prepare(); // before the first event: the init runs at full speed, the events at the function's share
        RuntimeClient.Response next = client.request("GET", RuntimeClient.NEXT, new byte[0], Map.of());
        while (true) {
            if (next.status() != 200) {
                Thread.sleep(10);
                next = client.request("GET", RuntimeClient.NEXT, new byte[0], Map.of());
                continue;
            }
            Context context = new FunctionContext(next.headers(), logger, json);
            String traceId = next.headers().get("lambda-runtime-trace-id");
            if (traceId != null) {
                System.setProperty("com.amazonaws.xray.traceHeader", traceId);
            }
            String path;
            byte[] payload;
            Map<String, String> headers = Map.of();
            try {
                payload = handler.handle(next.body(), context);
                path = String.format(RESPONSE, context.getAwsRequestId());
            } catch (Throwable error) {
                out.print(ErrorReports.logText(error.getClass().getName(), error.getMessage(), error));
                payload = json.get().writeValueAsString(ErrorReports.body(json.get(), error))
                        .getBytes(StandardCharsets.UTF_8);
                path = String.format(ERROR, context.getAwsRequestId());
                headers = Map.of("Lambda-Runtime-Function-Error-Type", "Unhandled");
            }
            out.flush();
            System.err.flush();
            next = client.postThenNext(path, payload, headers);
        }
    }
}
