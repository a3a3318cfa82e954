package dev.nube.engine.functions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * A Java function's sources built on Deploy: every {@code .java} file of the code (example/Hello.java, or
 * src/main/java/example/Hello.java), compiled with the JDK's compiler in Nube's own JVM for the runtime's release
 * ({@code java17}: 17), against aws-lambda-java-core and Jackson (the Java runtime's own jars), the code's
 * {@code lib/*.jar} and the classes already in the code, into {@value #JAR} at the code's root, which the Java
 * runtime puts on the class path before /var/task. The jar is the build's only output, so {@link CodeBuilds} replaces
 * it whole (no class of a removed source is left behind) and an unchanged build makes the same bytes (entries
 * sorted, times fixed). Errors become {@link BuildProblem}s at their file and line. One instance per Java runtime;
 * stateless and thread-safe.
 */
final class JavaBuild implements CodeBuild {
    /** The build's output, at the root of the code. */
    static final String JAR = "classes.jar";
    private static final FileTime EPOCH = FileTime.fromMillis(315_532_800_000L); // 1980-01-01, zip's first day

    private final String runtime;
    private final int release;
    private final Path runtimeLib;

    /** @param runtimeLib the Java runtime's jars ({@code <runtime>/java/lib}) */
    JavaBuild(int release, Path runtimeLib) {
        this.runtime = "java" + release;
        this.release = release;
        this.runtimeLib = runtimeLib;
    }

    @Override
    public String title() {
        return "javac";
    }

    /** A {@code javaN} function whose code has a .java file. */
    @Override
    public boolean applies(String runtimeId, Path code) {
        if (!runtime.equals(runtimeId)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(code)) {
            return files.anyMatch(f -> isSource(code, f));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    @Override
    public List<String> outputs() {
        return List.of(JAR);
    }

    @Override
    public List<BuildProblem> build(Path sources, Path into, Consumer<String> output) {
        Map<String, byte[]> files;
        List<Path> classPath = new ArrayList<>();
        try {
            files = sources(sources);
            classPath.addAll(jars(runtimeLib));
            classPath.addAll(jars(sources.resolve("lib")));
            classPath.add(sources);
        } catch (IOException e) {
            throw new CodeBuildFailed("Could not read the function's Java sources: " + e.getMessage(), e);
        }
        output.accept("javac --release " + release + ": " + files.size() + " source file" + (files.size() == 1 ? ""
                : "s"));
        Result result = compile(files, release, classPath);
        result.problems().forEach(problem -> output.accept(problem.toString()));
        if (!result.compiled()) {
            int count = result.problems().size();
            throw new CodeBuildFailed("javac found " + (count == 1 ? "an error" : count + " errors") + ": "
                    + result.problems().get(0) + (count > 1 ? " (and " + (count - 1) + " more)" : "") + ".", result.problems());
        }
        try (OutputStream file = Files.newOutputStream(into.resolve(JAR));
                JarOutputStream jar = new JarOutputStream(file)) {
            for (Map.Entry<String, byte[]> entry : result.classes().entrySet()) {
                JarEntry jarEntry = new JarEntry(entry.getKey());
                jarEntry.setLastModifiedTime(EPOCH);
                jar.putNextEntry(jarEntry);
                jar.write(entry.getValue());
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new CodeBuildFailed("Could not write " + JAR + ": " + e.getMessage(), e);
        }
        output.accept("javac: " + result.classes().size() + " class file" + (result.classes().size() == 1 ? "" : "s")
                + " into " + JAR);
        return List.of();
    }

    /** The class files of a compile by path (example/Hello.class...), or the problems that stopped it. */
    record Result(Map<String, byte[]> classes, List<BuildProblem> problems) {
        boolean compiled() {
            return problems.isEmpty();
        }
    }

    /** A .java file of the function's own (a Maven project's tests under src/test are not). */
    private static boolean isSource(Path code, Path file) {
        return file.getFileName().toString().endsWith(".java") && !code.relativize(file).startsWith(Path.of("src",
                "test")) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** The code's .java files by their path in it ('/'-separated), symbolic links left out. */
    static Map<String, byte[]> sources(Path code) throws IOException {
        Map<String, byte[]> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(code)) {
            for (Path file : files.filter(f -> isSource(code, f)).toList()) {
                sources.put(code.relativize(file).toString().replace(java.io.File.separatorChar, '/'),
                        Files.readAllBytes(file));
            }
        }
        return sources;
    }

    /**
     * Compiles {@code sources} (path to text) for Java {@code release} against {@code classPath}, in memory. A
     * missing compiler, or one too old for the release, is a failed build that says so.
     */
    static Result compile(Map<String, byte[]> sources, int release, List<Path> classPath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new CodeBuildFailed("Nube runs on a Java runtime without a compiler (the jdk.compiler module), so"
                    + " it cannot build Java functions: start it with a JDK.", List.of());
        }
        if (javac.getSourceVersions().stream().noneMatch(v -> v.name().equals("RELEASE_" + release))) {
            throw new CodeBuildFailed("Nube's Java compiler cannot build for Java " + release + ": start Nube with"
                    + " JDK " + release + " or newer to build java" + release + " functions.", List.of());
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new TreeMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((path, bytes) -> units.add(new Source(path, new String(bytes, StandardCharsets.UTF_8))));
        try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, classPath);
            // Nothing of the function's code is ever loaded into this JVM: javac looks for plugins (and, without
            // -proc:none, annotation processors) on the processor path, which defaults to the class path, and starts
            // a plugin that asks to be started. Both find nothing here.
            standard.setLocationFromPaths(StandardLocation.ANNOTATION_PROCESSOR_PATH, List.of());
            var files = new ForwardingJavaFileManager<>(standard) {
                @Override
                public ClassLoader getClassLoader(Location location) {
                    return new ClassLoader(null) { };
                }

                @Override
                public JavaFileObject getJavaFileForOutput(Location location, String className,
                        JavaFileObject.Kind kind, FileObject sibling) {
                    String path = className.replace('.', '/') + kind.extension;
                    return new SimpleJavaFileObject(URI.create("mem:///" + className + kind.extension), kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                            out.put(path, bytes);
                            return bytes;
                        }
                    };
                }
            };
            boolean ok;
            try {
                ok = javac.getTask(null, files, diagnostics, List.of("--release", Integer.toString(release), "-g",
                        "-proc:none", "-encoding", "UTF-8"), null, units).call();
            } catch (StackOverflowError | OutOfMemoryError e) {
                throw new CodeBuildFailed("The Java compiler ran out of " + (e instanceof StackOverflowError ? "stack"
                        : "memory") + " on the function's sources (nested too deeply, or too large).", e);
            }
            List<BuildProblem> problems = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> new BuildProblem(d.getSource() instanceof Source s ? s.path : "",
                            (int) Math.max(0, d.getLineNumber()), (int) Math.max(0, d.getColumnNumber()),
                            oneLine(d.getMessage(Locale.ROOT))))
                    .toList();
            if (!ok && problems.isEmpty()) {
                problems = List.of(new BuildProblem("", 0, 0, "the Java compiler failed without saying why"));
            }
            if (!problems.isEmpty()) {
                return new Result(Map.of(), problems);
            }
        } catch (IOException e) {
            throw new CodeBuildFailed("Could not compile the function's Java sources: " + e.getMessage(), e);
        }
        Map<String, byte[]> classes = new TreeMap<>();
        out.forEach((path, bytes) -> classes.put(path, bytes.toByteArray()));
        return new Result(classes, List.of());
    }

    /** javac's message on one line: "cannot find symbol; symbol: method nope(); location: ...". */
    private static String oneLine(String message) {
        return String.join("; ", message.lines().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty())
                .toList());
    }

    private static List<Path> jars(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** A source file held in memory, named by its path in the code (which the problems give back). */
    private static final class Source extends SimpleJavaFileObject {
        final String path;
        private final String text;

        Source(String path, String text) {
            super(uri(path), Kind.SOURCE);
            this.path = path;
            this.text = text;
        }

        private static URI uri(String path) {
            try {
                return new URI("string", null, "/" + path, null);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("not a path: " + path, e);
            }
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
