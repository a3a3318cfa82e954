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
 * The runtimes, named as AWS names them: the system python3 and node (only under /usr, the part of the host the
 * sandbox shows) as {@code python3.11}, {@code nodejs20.x} after their installed versions, the system JDKs 17 and 21
 * under /usr/lib/jvm as {@code java17} and {@code java21} (see {@link JavaRuntime}), and the custom runtime
 * ({@code provided.al2023}, also accepted as {@code provided.al2} and {@code provided}: the code's own
 * {@code bootstrap} executable). Nube's bootstraps are copied from the jar into {@code $NUBE_HOME/runtime}, which
 * every sandbox sees read-only at /var/runtime (the Java runtime client in its java folder). Probed once, lazily; thread-safe. Functions stored by earlier builds
 * name {@code python3} and {@code nodejs}: {@link #migrated} reads them as today's ids.
 * Note: the system interpreter is used on purpose, never a {@code python3} found on the PATH (a pyenv shim in the
 * user's home would not even be visible inside the sandbox).
 */
final class Runtimes {
    static final String CUSTOM = "provided.al2023";
    /** The interpreter of the python runtimes (and the one pip installs their requirements for). */
    static final String PYTHON_EXECUTABLE = "/usr/bin/python3";
    static final List<String> CUSTOM_ALIASES = List.of("provided.al2", "provided");
    /** The ids earlier builds stored, before runtimes were named after their versions. */
    private static final String LEGACY_PYTHON = "python3";
    private static final String LEGACY_NODE = "nodejs";
    private static final String RESOURCES = "/dev/nube/engine/functions/";
    /** The blueprints' resource folder and file per language. */
    private static final Map<RuntimeInfo.Language, String> BLUEPRINT_DIRS = Map.of(RuntimeInfo.Language.PYTHON,
            "python3", RuntimeInfo.Language.NODE, "nodejs", RuntimeInfo.Language.JAVA, "java",
            RuntimeInfo.Language.CUSTOM, "provided");
    private static final Map<RuntimeInfo.Language, String> BLUEPRINT_FILES = Map.of(RuntimeInfo.Language.PYTHON,
            "lambda_function.py", RuntimeInfo.Language.NODE, "index.mjs", RuntimeInfo.Language.JAVA,
            "example/Hello.java", RuntimeInfo.Language.CUSTOM, "bootstrap");
    private static final String HTTP_API = "http-api";
    private static final String S3_OBJECT_CREATED = "s3-object-created";
    /** The custom runtime's Go blueprint: sources Deploy builds into bootstrap ({@link GoBuild}). */
    static final String GO_HELLO = "go-hello";
    private static final List<String> GO_HELLO_FILES = List.of("main.go", "go.mod");

    private final Path runtimeDir;
    /** Whether the Java runtime client is in place: Java runtimes are offered only then. */
    private final boolean javaInstalled;
    private volatile List<RuntimeInfo> available;
    private volatile Map<Integer, JavaRuntime.Jdk> jdks = Map.of();

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
            javaInstalled = JavaRuntime.install(runtimeDir);
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
            probe(PYTHON_EXECUTABLE, List.of("-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"))
                    .map(Runtimes::python).ifPresent(found::add);
            probe("/usr/bin/node", List.of("--version"))
                    .or(() -> probe("/usr/bin/nodejs", List.of("--version")))
                    .map(version -> node(version.replaceFirst("^v", ""))).ifPresent(found::add);
            if (javaInstalled) {
                Map<Integer, JavaRuntime.Jdk> installed = JavaRuntime.probe();
                installed.values().stream().map(JavaRuntime::info).forEach(found::add);
                jdks = installed;
            }
            found.add(new RuntimeInfo(CUSTOM, CUSTOM_ALIASES, RuntimeInfo.Language.CUSTOM,
                    "Custom runtime (your bootstrap)", "custom", "", "function.handler"));
            available = found = List.copyOf(found);
        }
        return found;
    }

    /** Python X.Y.Z is AWS's {@code pythonX.Y}. */
    static RuntimeInfo python(String version) {
        String[] parts = version.split("\\.");
        String id = "python" + parts[0] + "." + (parts.length > 1 ? parts[1] : "0");
        return new RuntimeInfo(id, List.of(), RuntimeInfo.Language.PYTHON, "Python " + version, version,
                "AWS_Lambda_" + id, "lambda_function.lambda_handler");
    }

    /** Node X.Y.Z is AWS's {@code nodejsX.x}. */
    static RuntimeInfo node(String version) {
        String id = "nodejs" + version.split("\\.")[0] + ".x";
        return new RuntimeInfo(id, List.of(), RuntimeInfo.Language.NODE, "Node.js " + version, version,
                "AWS_Lambda_" + id, "index.handler");
    }

    /** The runtime {@code id} names (its id or an alias); InvalidParameterValueException naming those there are. */
    RuntimeInfo get(String id) {
        return available().stream().filter(r -> r.names(id)).findFirst().orElseThrow(() ->
                FunctionRules.invalid("The runtime '" + id + "' is not available on this machine. Available here: "
                        + String.join(", ", available().stream().flatMap(r -> java.util.stream.Stream.concat(
                                java.util.stream.Stream.of(r.id()), r.aliases().stream())).toList()) + "."));
    }

    /** The id a function is stored with when it is given {@code id}: the id as given, once it names a runtime. */
    String accepted(String id) {
        get(id);
        return id;
    }

    /**
     * A stored runtime id as today's: the {@code python3} and {@code nodejs} of earlier builds become the installed
     * interpreter's id; anything else (and a legacy id whose interpreter is gone) is kept.
     */
    String migrated(String stored) {
        RuntimeInfo.Language language = LEGACY_PYTHON.equals(stored) ? RuntimeInfo.Language.PYTHON
                : LEGACY_NODE.equals(stored) ? RuntimeInfo.Language.NODE : null;
        if (language == null) {
            return stored;
        }
        return available().stream().filter(r -> r.language() == language).map(RuntimeInfo::id).findFirst()
                .orElse(stored);
    }

    /**
     * The command the sandbox runs for {@code runtime}, for a function of {@code memoryMb} with its own
     * {@code variables} (the JVM's flags follow both). A stored id whose version is no longer installed (python3.11
     * after the system moved to Python 3.12, say) runs on the installed interpreter of its language, as functions
     * did before ids carried versions: a system upgrade does not stop existing functions. New functions and changes
     * still name an installed runtime ({@link #get}).
     */
    List<String> command(String runtime, int memoryMb, Map<String, String> variables) {
        RuntimeInfo info = toRun(runtime);
        return switch (info.language()) {
            case PYTHON -> List.of(PYTHON_EXECUTABLE, "-u", SandboxSpec.RUNTIME_DIR + "/bootstrap.py");
            case NODE -> List.of(Files.isExecutable(Path.of("/usr/bin/node")) ? "/usr/bin/node" : "/usr/bin/nodejs",
                    SandboxSpec.RUNTIME_DIR + "/bootstrap.js");
            case JAVA -> JavaRuntime.command(jdks.get(Integer.parseInt(info.id().substring("java".length()))),
                    memoryMb, variables);
            case CUSTOM -> List.of(SandboxSpec.TASK_ROOT + "/bootstrap");
        };
    }

    /** The installed runtime a stored id runs on: the one it names, else its language's (see {@link #command}). */
    RuntimeInfo toRun(String runtime) {
        RuntimeInfo.Language family = runtime.matches("python3(\\.[0-9]+)?") ? RuntimeInfo.Language.PYTHON
                : runtime.matches("nodejs([0-9]+\\.x)?") ? RuntimeInfo.Language.NODE : null;
        return available().stream().filter(r -> r.names(runtime)).findFirst()
                .or(() -> available().stream().filter(r -> family != null && r.language() == family).findFirst())
                .or(() -> available().stream().filter(r -> newerJava(r, runtime)).findFirst())
                .orElseGet(() -> get(runtime)); // refused, naming what is installed
    }

    /** A JDK newer than a stored javaN's, which runs its classes (java17's on a system that moved to JDK 21). */
    private static boolean newerJava(RuntimeInfo candidate, String stored) {
        return candidate.language() == RuntimeInfo.Language.JAVA && stored.matches("java[0-9]+")
                && Integer.parseInt(candidate.id().substring(4)) >= Integer.parseInt(stored.substring(4));
    }

    /** The blueprints of {@code runtime}, hello world first. */
    List<Blueprint> blueprints(String runtime) {
        RuntimeInfo info = get(runtime);
        List<Blueprint> list = new ArrayList<>();
        list.add(new Blueprint(Blueprint.HELLO_WORLD, runtime, "Hello world",
                "Logs a line and returns the event it was given."));
        if (info.language() == RuntimeInfo.Language.CUSTOM) {
            list.add(new Blueprint(GO_HELLO, runtime, "Hello world in Go",
                    "A Go main.go that serves the Runtime API with the standard library and returns the event with a"
                            + " greeting; Deploy builds it into bootstrap (needs Debian's golang-go)."));
        } else if (info.language() != RuntimeInfo.Language.JAVA) {
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
        RuntimeInfo.Language language = get(runtime).language();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String file : id.equals(GO_HELLO) ? GO_HELLO_FILES : List.of(BLUEPRINT_FILES.get(language))) {
            files.put(file, resource(RESOURCES + "blueprints/" + BLUEPRINT_DIRS.get(language) + "/" + id + "/" + file));
        }
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

    static Optional<String> probe(String executable, List<String> arguments) {
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
