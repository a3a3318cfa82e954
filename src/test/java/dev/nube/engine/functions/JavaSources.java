package dev.nube.engine.functions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Java handlers for tests and benchmarks: compiled here with the JDK's compiler, packaged as Lambda takes them. */
public final class JavaSources {
    private JavaSources() {
    }

    /**
     * The class files of {@code sources} (path to text) compiled for Java 17 against this JVM's class path (which
     * holds aws-lambda-java-core) and {@code extra}, by path (example/Hello.class...); {@code work} is a scratch folder.
     */
    public static Map<String, byte[]> compile(Path work, Map<String, String> sources, List<Path> extra)
            throws IOException {
        Path src = work.resolve("src");
        Path out = work.resolve("out");
        StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
        extra.forEach(p -> classPath.append(':').append(p));
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", out.toString(), "-cp",
                classPath.toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (javac.run(null, errors, errors, arguments.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the test's Java sources do not compile: " + errors.toString(
                    StandardCharsets.UTF_8));
        }
        Map<String, byte[]> compiled = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                compiled.put(out.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return compiled;
    }

    /** {@code files} (path to bytes) as a zip. */
    public static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
