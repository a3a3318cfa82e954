package dev.nube.engine.functions;

import static dev.nube.engine.functions.FunctionsFixture.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Environments retired by a configuration change, and many started at once, end quietly: no runtime of a retired
 * environment connects again, and the Runtime API never refuses a connection of an environment's own runtime.
 */
class RetirementTest extends SandboxTestBase {
    @Test
    void configurationChangesAndConcurrentColdStartsLogNoRefusedConnection() throws Exception {
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler watch = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (message != null && message.contains("refused a Runtime API connection")) {
                    refusals.add(message);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(watch);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            f.python("retired", "def lambda_handler(event, context):\n    return event\n");
            f.node("retired-node", "exports.handler = async (event) => event;\n");
            for (int change = 0; change < 5; change++) {
                for (String name : List.of("retired", "retired-node")) {
                    assertNull(f.invoke(name, "{\"n\": " + change + "}").error());
                    f.functions.updateConfiguration(REGION, name, ConfigurationChange.none()
                            .memory(128 + 64 * (change % 2 == 0 ? 1 : 0)));
                }
                List<Future<InvocationResult>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String name = i % 2 == 0 ? "retired" : "retired-node";
                    calls.add(callers.submit(() -> f.invoke(name, "{}")));
                }
                for (Future<InvocationResult> call : calls) {
                    assertNull(call.get().error(), call.get().payloadText());
                }
            }
            Thread.sleep(500); // a retired runtime that polls again would do it by now
            assertEquals(List.of(), refusals);
        } finally {
            callers.shutdownNow();
            root.removeHandler(watch);
        }
    }
}
