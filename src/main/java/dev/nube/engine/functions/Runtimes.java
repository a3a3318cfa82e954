package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import dev.nube.engine.functions.sandbox.SandboxSpec;
import dev.nube.engine.store.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The runtimes: system python3 and node (only under /usr, the part of the host the sandbox shows), and custom
 * runtimes ({@code provided}: the code's own {@code bootstrap} executable). Nube's bootstraps are copied from the
 * jar into {@code $NUBE_HOME/runtime}, which every sandbox sees read-only at /var/runtime. Probed once, lazily.
 * Note: the system interpreter is used on purpose, never a {@code python3} found on the PATH (a pyenv shim in the
 * user's home would not even be visible inside the sandbox).
 */
final class Runtimes {
    static final String PYTHON = "python3";
    static final String NODE = "nodejs";
    static final String PROVIDED = "provided";
    private static final String RESOURCES = "/dev/nube/engine/functions/";
    private static final Map<String, String> BLUEPRINT_FILES = Map.of(PYTHON, "lambda_function.py", NODE, "index.mjs",
            PROVIDED, "bootstrap");
    private static final String HTTP_API = "http-api";
    private static final String S3_OBJECT_CREATED = "s3-object-created";

    private final Path runtimeDir;
    private volatile List<RuntimeInfo> available;

    Runtimes(Path runtimeDir) {
        this.runtimeDir = runtimeDir;
        try {
            for (String bootstrap : List.of("bootstrap.py", "bootstrap.js")) {
                byte[] content = resource(RESOURCES + "runtime/" + bootstrap);
                Path target = runtimeDir.resolve(bootstrap);
                if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), content)) {
                    AtomicFiles.write(target, content);
                }
            }
        } catch (IOException e) {
            throw new EngineException("StorageError", "Cannot install the function runtimes in " + runtimeDir + ": "
                    + e.getMessage(), e);
        }
    }

    Path dir() {
        return runtimeDir;
    }

    List<RuntimeInfo> available() {
        List<RuntimeInfo> found = available;
        if (found == null) {
            found = new ArrayList<>();
            probe("/usr/bin/python3", List.of("-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"))
                    .flatMap(version -> available0(PYTHON, version)).ifPresent(found::add);
            Optional<RuntimeInfo> node = probe("/usr/bin/node", List.of("--version"))
                    .or(() -> probe("/usr/bin/nodejs", List.of("--version")))
                    .flatMap(version -> available0(NODE, version.replaceFirst("^v", "")));
            node.ifPresent(found::add);
            found.add(new RuntimeInfo(PROVIDED, "Custom runtime (your bootstrap)", "custom", "", "function.handler"));
            available = found = List.copyOf(found);
        }
        return found;
    }

    private static Optional<RuntimeInfo> available0(String id, String version) {
        String[] parts = version.split("\\.");
        if (id.equals(PYTHON)) {
            return Optional.of(new RuntimeInfo(id, "Python " + version, version, "AWS_Lambda_python" + parts[0] + "."
                    + (parts.length > 1 ? parts[1] : "0"), "lambda_function.lambda_handler"));
        }
        return Optional.of(new RuntimeInfo(id, "Node.js " + version, version, "AWS_Lambda_nodejs" + parts[0] + ".x",
                "index.handler"));
    }

    RuntimeInfo get(String id) {
        return available().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() ->
                FunctionRules.invalid("The runtime '" + id + "' is not available here. Available: " + String.join(", ",
                        available().stream().map(RuntimeInfo::id).toList()) + "."));
    }

    /** The command the sandbox runs for {@code runtime}. */
    List<String> command(String runtime) {
        return switch (runtime) {
            case PYTHON -> List.of("/usr/bin/python3", "-u", SandboxSpec.RUNTIME_DIR + "/bootstrap.py");
            case NODE -> List.of(Files.isExecutable(Path.of("/usr/bin/node")) ? "/usr/bin/node" : "/usr/bin/nodejs",
                    SandboxSpec.RUNTIME_DIR + "/bootstrap.js");
            default -> List.of(SandboxSpec.TASK_ROOT + "/bootstrap");
        };
    }

    /** The blueprints of {@code runtime}, hello world first. */
    List<Blueprint> blueprints(String runtime) {
        List<Blueprint> list = new ArrayList<>();
        list.add(new Blueprint(Blueprint.HELLO_WORLD, runtime, "Hello world",
                "Logs a line and returns the event it was given."));
        if (!runtime.equals(PROVIDED)) {
            list.add(new Blueprint(HTTP_API, runtime, "HTTP API (API Gateway proxy)",
                    "Answers an API Gateway proxy request with a JSON greeting: statusCode, headers and body."));
            list.add(new Blueprint(S3_OBJECT_CREATED, runtime, "S3 object created",
                    "Handles S3 ObjectCreated notifications: logs each new object and returns their keys."));
        }
        return List.copyOf(list);
    }

    /** The files of one of {@code runtime}'s blueprints (null: hello world); refuses one it does not have. */
    Map<String, byte[]> blueprint(String runtime, String blueprint) {
        String id = blueprint == null ? Blueprint.HELLO_WORLD : blueprint;
        if (blueprints(runtime).stream().noneMatch(b -> b.id().equals(id))) {
            throw FunctionRules.invalid("The runtime " + runtime + " has no blueprint '" + id + "'. It has: "
                    + String.join(", ", blueprints(runtime).stream().map(Blueprint::id).toList()) + ".");
        }
        String file = BLUEPRINT_FILES.get(runtime);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(file, resource(RESOURCES + "blueprints/" + runtime + "/" + id + "/" + file));
        return files;
    }

    private static byte[] resource(String name) {
        try (InputStream in = Runtimes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> probe(String executable, List<String> arguments) {
        if (!Files.isExecutable(Path.of(executable))) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
