package dev.nube.engine.functions;

import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** An engine on a temporary data folder (no KVM probe), with helpers to make functions from source text. */
final class FunctionsFixture implements AutoCloseable {
    static final String REGION = "local-1";
    final Engine engine;
    final FunctionService functions;
    final FunctionCode code;
    final FunctionMonitor monitor;

    FunctionsFixture(Path dir) {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home")); // functions need no guest
        functions = engine.functions();
        code = engine.functionCode();
        monitor = engine.functionMonitor();
    }

    /** A function whose code is exactly {@code files} (the blueprint is replaced). */
    FunctionConfiguration function(CreateFunctionRequest request, Map<String, String> files) {
        FunctionConfiguration created = functions.create(REGION, request);
        for (CodeEntry entry : code.files(REGION, request.name(), null)) {
            if (!entry.directory()) {
                code.delete(REGION, request.name(), entry.path());
            }
        }
        files.forEach((path, text) -> code.writeFile(REGION, request.name(), path,
                text.getBytes(StandardCharsets.UTF_8)));
        return created;
    }

    FunctionConfiguration python(String name, String source) {
        return function(CreateFunctionRequest.of(name, PYTHON), Map.of("lambda_function.py", source));
    }

    FunctionConfiguration node(String name, String source) {
        return function(CreateFunctionRequest.of(name, NODE), Map.of("index.js", source));
    }

    InvocationResult invoke(String name, String json) {
        return functions.invoke(REGION, name, InvokeRequest.of(json));
    }

    /** Collects each line Deploy's installs and builds print into {@code lines}, as "function: line", until closed. */
    AutoCloseable deployOutput(java.util.List<String> lines) {
        return engine.events().subscribe(event -> {
            if (event instanceof FunctionEvents.DependencyOutput line) {
                lines.add(line.functionName() + ": " + line.line());
            }
        });
    }

    @Override
    public void close() {
        engine.close();
    }
}
