package dev.nube.engine.functions;

import dev.nube.engine.EngineException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
 * Compiles a Java function's sources on Deploy, with the JDK's compiler in Nube's own JVM: every {@code .java} file of
 * the code, read into memory, for the function's Java release, against aws-lambda-java-core and Jackson (the Java
 * runtime's own jars), the code's {@code lib/*.jar} and the classes already in the code. The class files come back in
 * memory, each at the path Lambda's class path wants it (example/Hello.class beside example/Hello.java); the caller
 * saves them into the code in one change. Nothing is written when a source does not compile: the problems come back
 * instead, each at its file and line. Stateless; thread-safe.
 */
final class JavaBuild {
    /** A compiler's complaint at a source file's line and column (1-based; 0 when it names none). */
    record Problem(String path, long line, long column, String message) {
        @Override
        public String toString() {
            return path + (line > 0 ? ":" + line : "") + ": " + message;
        }
    }

    /** The class files of a build by path, or the problems that stopped it (then no classes). */
    record Result(Map<String, byte[]> classes, List<Problem> problems) {
        boolean compiled() {
            return problems.isEmpty();
        }
    }

    private JavaBuild() {
    }

    /** The code's .java files by their path in it ('/'-separated), symbolic links left out. */
    static Map<String, byte[]> sources(Path code) throws IOException {
        Map<String, byte[]> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(code)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")
                    && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                sources.put(code.relativize(file).toString().replace(java.io.File.separatorChar, '/'),
                        Files.readAllBytes(file));
            }
        }
        return sources;
    }

    /**
     * Compiles {@code sources} for Java {@code release} against {@code classPath}. Throws an EngineException when this
     * JVM has no compiler, or one too old for the release.
     */
    static Result compile(Map<String, byte[]> sources, int release, List<Path> classPath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new EngineException("ServiceException", "Nube runs on a Java runtime without a compiler (the"
                    + " jdk.compiler module), so it cannot build Java functions: start it with a JDK.");
        }
        if (javac.getSourceVersions().stream().noneMatch(v -> v.name().equals("RELEASE_" + release))) {
            throw new EngineException("ServiceException", "Nube's Java compiler cannot build for Java " + release
                    + ": start Nube with JDK " + release + " or newer to build java" + release + " functions.");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new TreeMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((path, bytes) -> units.add(new Source(path, new String(bytes, StandardCharsets.UTF_8))));
        try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, classPath);
            var files = new ForwardingJavaFileManager<>(standard) {
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
            boolean ok = javac.getTask(null, files, diagnostics, List.of("--release", Integer.toString(release),
                    "-g", "-proc:none", "-encoding", "UTF-8"), null, units).call();
            List<Problem> problems = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> new Problem(d.getSource() instanceof Source s ? s.path : "",
                            Math.max(0, d.getLineNumber()), Math.max(0, d.getColumnNumber()),
                            d.getMessage(Locale.ROOT)))
                    .toList();
            if (!ok && problems.isEmpty()) {
                problems = List.of(new Problem("", 0, 0, "the Java compiler failed without saying why"));
            }
            if (!problems.isEmpty()) {
                return new Result(Map.of(), problems);
            }
        } catch (IOException e) {
            throw new EngineException("ServiceException", "Could not compile the function's Java sources: "
                    + e.getMessage(), e);
        }
        Map<String, byte[]> classes = new TreeMap<>();
        out.forEach((path, bytes) -> classes.put(path, bytes.toByteArray()));
        return new Result(classes, List.of());
    }

    /**
     * The class files a build of {@code sources} made before and {@code built} no longer has: in the folders of the
     * sources and of the built classes, those named after a source (Hello.class, Hello$1.class for Hello.java, be it
     * example/Hello.java or src/main/java/example/Hello.java). Other class files (uploaded ones) are left alone.
     */
    static List<String> stale(Path code, Map<String, byte[]> sources, Map<String, byte[]> built) throws IOException {
        java.util.Set<String> stems = new java.util.HashSet<>();
        java.util.Set<String> folders = new java.util.TreeSet<>();
        for (String source : sources.keySet()) {
            stems.add(source.substring(source.lastIndexOf('/') + 1, source.length() - ".java".length()));
            folders.add(source.lastIndexOf('/') < 0 ? "" : source.substring(0, source.lastIndexOf('/')));
        }
        for (String path : built.keySet()) {
            folders.add(path.lastIndexOf('/') < 0 ? "" : path.substring(0, path.lastIndexOf('/')));
        }
        List<String> stale = new ArrayList<>();
        for (String folderPath : folders) {
            Path folder = folderPath.isEmpty() ? code : code.resolve(folderPath);
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    String path = folderPath.isEmpty() ? name : folderPath + "/" + name;
                    String stem = name.endsWith(".class") ? name.substring(0, name.length() - 6).split("\\$")[0] : null;
                    if (stem != null && stems.contains(stem) && !built.containsKey(path)
                            && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        stale.add(path);
                    }
                }
            }
        }
        return stale;
    }

    /** The class path of a build: the Java runtime's jars, then the code's lib/*.jar and the code itself. */
    static List<Path> classPath(Path runtimeDir, Path code) throws IOException {
        List<Path> path = new ArrayList<>(jars(runtimeDir.resolve(JavaRuntime.DIR).resolve("lib")));
        path.addAll(jars(code.resolve("lib")));
        path.add(code);
        return path;
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
